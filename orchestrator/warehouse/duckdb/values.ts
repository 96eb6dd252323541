/**
 * DuckDB result values as plain JS values, the same rules as the BigQuery adapter: BIGINT/HUGEINT
 * → number when safe, else string; DATE → 'YYYY-MM-DD'; TIMESTAMP/TIMESTAMPTZ → ISO string with Z
 * (millisecond precision); DECIMAL → number; JSON → string; lists and structs → arrays and
 * objects with the same rules.
 */
import { DuckDBArrayType, DuckDBListType, DuckDBStructType, DuckDBTypeId, type DuckDBResultReader, type DuckDBType } from "@duckdb/node-api";
import { safeInteger } from "../warehouse";

export function toPlainRows(reader: DuckDBResultReader): Record<string, unknown>[] {
  const names = reader.columnNames();
  const convert = reader.columnTypes().map(converter);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    names.forEach((n, i) => (out[n] = convert[i](row[n])));
    return out;
  });
}

type Convert = (v: unknown) => unknown;

/** A value converter for a column, built once from its type tree (so a DATE in a STRUCT stays a date). */
function converter(type: DuckDBType): Convert {
  if (type.typeId === DuckDBTypeId.DATE) return (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
  if (type instanceof DuckDBListType || type instanceof DuckDBArrayType) {
    const item = converter(type.valueType);
    return (v) => (Array.isArray(v) ? v.map(item) : v);
  }
  if (type instanceof DuckDBStructType) {
    const entries = new Map(type.entryNames.map((name, i) => [name, converter(type.entryTypes[i])]));
    return (v) => (v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (entries.get(k) ?? scalar)(x)])) : v);
  }
  return scalar;
}

function scalar(v: unknown): unknown {
  if (typeof v === "bigint") return safeInteger(v);
  if (v instanceof Date) return v.toISOString();
  return v;
}
