import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBResultReader,
  type DuckDBType,
  DuckDBTypeId,
  DuckDBListType,
  DuckDBStructType,
  DuckDBDecimalType,
} from "@duckdb/node-api";

/**
 * One vocabulary for results of both engines, so they compare with exact types: BigQuery type
 * names (INT64, FLOAT64, NUMERIC, BOOL, STRING, BYTES, DATE, DATETIME, TIMESTAMP, JSON,
 * ARRAY<…>, STRUCT<name type, …>) and canonical values:
 *   INT64 → bigint; FLOAT64 → number; NUMERIC → decimal string without trailing zeros;
 *   DATE → "YYYY-MM-DD"; TIMESTAMP and DATETIME → microseconds since the epoch as bigint
 *   (DATETIME read as if UTC); JSON → the JSON re-serialized with sorted keys;
 *   ARRAY → array; STRUCT → array of field values; NULL → null.
 */
export type Canonical = null | bigint | number | string | boolean | Canonical[];

export interface TypeProto {
  typeKind: string;
  arrayType?: { elementType: TypeProto };
  structType?: { field: { fieldName?: string; fieldType: TypeProto }[] };
}

export interface Result {
  columns: { name: string; type: string }[];
  rows: Canonical[][];
}

const ZETA_NAMES: Record<string, string> = {
  TYPE_INT64: "INT64", TYPE_DOUBLE: "FLOAT64", TYPE_NUMERIC: "NUMERIC", TYPE_BOOL: "BOOL", TYPE_STRING: "STRING",
  TYPE_BYTES: "BYTES", TYPE_DATE: "DATE", TYPE_DATETIME: "DATETIME", TYPE_TIMESTAMP: "TIMESTAMP", TYPE_JSON: "JSON",
};

export function zetaTypeName(t: TypeProto): string {
  if (t.typeKind === "TYPE_ARRAY") return `ARRAY<${zetaTypeName(t.arrayType!.elementType)}>`;
  if (t.typeKind === "TYPE_STRUCT") return `STRUCT<${t.structType!.field.map((f) => `${f.fieldName ?? ""} ${zetaTypeName(f.fieldType)}`).join(", ")}>`;
  return ZETA_NAMES[t.typeKind] ?? t.typeKind;
}

/** The ZetaSQL type of a BigQuery type name produced by zetaTypeName/duckdbTypeName. */
export function zetaType(name: string): TypeProto {
  const array = /^ARRAY<(.*)>$/.exec(name);
  if (array) return { typeKind: "TYPE_ARRAY", arrayType: { elementType: zetaType(array[1]) } };
  const struct = /^STRUCT<(.*)>$/.exec(name);
  if (struct) {
    return { typeKind: "TYPE_STRUCT", structType: { field: splitTop(struct[1]).map((f) => { const i = f.indexOf(" "); return { fieldName: f.slice(0, i), fieldType: zetaType(f.slice(i + 1)) }; }) } };
  }
  const kind = Object.entries(ZETA_NAMES).find(([, n]) => n === name)?.[0];
  if (!kind) throw new Error(`no ZetaSQL type for ${name}`);
  return { typeKind: kind };
}

function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "<") depth++;
    else if (text[i] === ">") depth--;
    else if (text[i] === "," && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.trim()) out.push(text.slice(start).trim());
  return out;
}

const DAY_MS = 86_400_000;
const isoDay = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);
const dayNumber = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

function decimalString(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  let text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  digits = text;
  return negative && digits !== "0" ? `-${digits}` : digits;
}

const sortedJson = (text: string): string => JSON.stringify(sortKeys(JSON.parse(text)));
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;

// ---- ZetaSQL ValueProto ↔ canonical

type ValueProto = Record<string, unknown>;

export function fromZeta(v: ValueProto, t: TypeProto): Canonical {
  const kind = v.value as string | undefined;
  if (!kind) return null;
  const x = v[kind] as never;
  switch (t.typeKind) {
    case "TYPE_INT64":
      return BigInt(x as string);
    case "TYPE_DOUBLE":
      return typeof x === "string" ? Number(x) : (x as number);
    case "TYPE_NUMERIC": {
      const bytes = Buffer.from((x as { data?: number[] }).data ?? (x as Buffer));
      let n = 0n;
      for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
      if (bytes.length && bytes[bytes.length - 1] & 0x80) n -= 1n << BigInt(8 * bytes.length);
      return decimalString(n, 9);
    }
    case "TYPE_DATE":
      return isoDay(x as number);
    case "TYPE_TIMESTAMP": {
      const ts = x as { seconds?: string; nanos?: number };
      return BigInt(ts.seconds ?? 0) * 1_000_000n + BigInt(Math.trunc((ts.nanos ?? 0) / 1000));
    }
    case "TYPE_DATETIME": {
      const dt = x as { bitFieldDatetimeSeconds: string; nanos?: number };
      const bits = BigInt(dt.bitFieldDatetimeSeconds);
      const field = (shift: number, width: number) => Number((bits >> BigInt(shift)) & ((1n << BigInt(width)) - 1n));
      const ms = Date.UTC(field(26, 14), field(22, 4) - 1, field(17, 5), field(12, 5), field(6, 6), field(0, 6));
      return BigInt(ms) * 1000n + BigInt(Math.trunc((dt.nanos ?? 0) / 1000));
    }
    case "TYPE_JSON":
      return sortedJson(x as string);
    case "TYPE_ARRAY":
      return ((x as { element?: ValueProto[] }).element ?? []).map((e) => fromZeta(e, t.arrayType!.elementType));
    case "TYPE_STRUCT":
      return ((x as { field?: ValueProto[] }).field ?? []).map((f, i) => fromZeta(f, t.structType!.field[i].fieldType));
    default:
      return x as Canonical;
  }
}

export function toZeta(v: Canonical, t: TypeProto): ValueProto {
  if (v === null) return {};
  switch (t.typeKind) {
    case "TYPE_INT64":
      return { int64Value: String(v) };
    case "TYPE_DOUBLE":
      return { doubleValue: v as number };
    case "TYPE_BOOL":
      return { boolValue: v };
    case "TYPE_STRING":
      return { stringValue: v };
    case "TYPE_JSON":
      return { jsonValue: v };
    case "TYPE_DATE":
      return { dateValue: dayNumber(v as string) };
    case "TYPE_TIMESTAMP": {
      const micros = v as bigint;
      const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
      return { timestampValue: { seconds: String(seconds), nanos: Number(micros - seconds * 1_000_000n) * 1000 } };
    }
    case "TYPE_NUMERIC": {
      const [whole, frac = ""] = (v as string).replace("-", "").split(".");
      let n = BigInt(whole + frac.padEnd(9, "0").slice(0, 9)) * ((v as string).startsWith("-") ? -1n : 1n);
      const bytes: number[] = [];
      for (let i = 0; i < 16; i++, n >>= 8n) bytes.push(Number(n & 0xffn));
      return { numericValue: Buffer.from(bytes) };
    }
    case "TYPE_ARRAY":
      return { arrayValue: { element: (v as Canonical[]).map((e) => toZeta(e, t.arrayType!.elementType)) } };
    case "TYPE_STRUCT":
      return { structValue: { field: (v as Canonical[]).map((f, i) => toZeta(f, t.structType!.field[i].fieldType)) } };
    default:
      throw new Error(`cannot pass a ${t.typeKind} value to ZetaSQL`);
  }
}

// ---- DuckDB results → canonical

/** DuckDB's type in BigQuery's vocabulary, strictly: a naive TIMESTAMP is a DATETIME. */
export function duckdbTypeName(t: DuckDBType): string {
  if (t instanceof DuckDBListType) return `ARRAY<${duckdbTypeName(t.valueType)}>`;
  if (t instanceof DuckDBStructType) return `STRUCT<${t.entryNames.map((n, i) => `${n} ${duckdbTypeName(t.entryTypes[i])}`).join(", ")}>`;
  if (t instanceof DuckDBDecimalType) return "NUMERIC";
  switch (t.typeId) {
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER: case DuckDBTypeId.BIGINT: case DuckDBTypeId.HUGEINT:
      return "INT64";
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE:
      return "FLOAT64";
    case DuckDBTypeId.BOOLEAN:
      return "BOOL";
    case DuckDBTypeId.VARCHAR: case DuckDBTypeId.UUID:
      return t.alias === "JSON" ? "JSON" : "STRING";
    case DuckDBTypeId.BLOB:
      return "BYTES";
    case DuckDBTypeId.DATE:
      return "DATE";
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "TIMESTAMP";
    case DuckDBTypeId.TIMESTAMP:
      return "DATETIME";
    default:
      return t.toString();
  }
}

function fromDuckdbValue(v: unknown, type: string): Canonical {
  if (v === null || v === undefined) return null;
  if (v instanceof DuckDBDateValue) return isoDay(v.days);
  if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) return v.micros;
  if (v instanceof DuckDBDecimalValue) return decimalString(v.value, v.scale);
  if (v instanceof DuckDBListValue) return v.items.map((x) => fromDuckdbValue(x, /^ARRAY<(.*)>$/.exec(type)?.[1] ?? ""));
  if (v instanceof DuckDBStructValue) {
    const fields = splitTop(/^STRUCT<(.*)>$/.exec(type)?.[1] ?? "").map((f) => f.slice(f.indexOf(" ") + 1));
    return Object.values(v.entries).map((x, i) => fromDuckdbValue(x, fields[i] ?? ""));
  }
  if (type === "INT64") return BigInt(v as number | bigint);
  if (type === "JSON") return sortedJson(String(v));
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  return String(v);
}

export function fromDuckdb(reader: DuckDBResultReader): Result {
  const columns = reader.columnNames().map((name, i) => ({ name, type: duckdbTypeName(reader.columnTypes()[i]) }));
  const rows = reader.getRows().map((row) => row.map((v, i) => fromDuckdbValue(v, columns[i].type)));
  return { columns, rows };
}

// ---- comparison

const REL = 1e-9;

function sameValue(a: Canonical, b: Canonical): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return a === b || Math.abs(a - b) <= REL * Math.max(Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return typeof a === typeof b && a === b;
}

/** A sort key that puts rows equal within the float tolerance next to each other. */
function sortKey(v: Canonical): string {
  if (v === null) return "\u0000";
  if (typeof v === "number") return Number.isFinite(v) ? v.toPrecision(6) : String(v);
  if (Array.isArray(v)) return `[${v.map(sortKey).join("\u0001")}]`;
  return `${typeof v}:${String(v)}`;
}

export const show = (v: Canonical): string => (typeof v === "bigint" ? `${v}` : Array.isArray(v) ? `[${v.map(show).join(", ")}]` : JSON.stringify(v));

/**
 * Differences between two results as multisets (row order ignored), with exact column names and
 * types; empty when they agree.
 */
export function compareResults(reference: Result, local: Result, maxShown = 5): string[] {
  const problems: string[] = [];
  const refCols = reference.columns.map((c) => `${c.name} ${c.type}`);
  const locCols = local.columns.map((c) => `${c.name} ${c.type}`);
  if (refCols.join(", ") !== locCols.join(", ")) problems.push(`columns differ: reference (${refCols.join(", ")}) vs DuckDB (${locCols.join(", ")})`);
  const order = (rows: Canonical[][]) => rows.map((r) => ({ r, k: r.map(sortKey).join("\u0002") })).sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)).map((x) => x.r);
  const a = order(reference.rows);
  const b = order(local.rows);
  if (a.length !== b.length) problems.push(`row counts differ: reference ${a.length}, DuckDB ${b.length}`);
  let shown = 0;
  for (let i = 0; i < Math.min(a.length, b.length) && shown < maxShown; i++) {
    if (a[i].length === b[i].length && a[i].every((x, j) => sameValue(x, b[i][j]))) continue;
    problems.push(`row differs: reference (${a[i].map(show).join(", ")}) vs DuckDB (${b[i].map(show).join(", ")})`);
    shown++;
  }
  return problems;
}
