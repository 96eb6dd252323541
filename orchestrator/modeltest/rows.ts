/** Test rows as DuckDB SQL: each value cast to its column's type, a value of the wrong type refused at its line. */
import { InputError } from "../errors";
import { duckdbString, quoteIdent } from "../sql/duckdb-names";
import { duckdbToBigQuery } from "../sql/types";
import type { DuckdbWarehouse } from "../warehouse/duckdb/adapter";
import type { Column } from "../warehouse/warehouse";
import type { Row, Value } from "./spec";

export function literal(v: Value): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : duckdbString(String(v));
  if (typeof v === "string") return duckdbString(v);
  return duckdbString(JSON.stringify(v));
}

const INTEGER = /^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT)$/;

/**
 * One `select` per row giving every column, the listed ones cast to their types and the rest
 * null, after checking every name and value. `what` names the table in errors.
 */
export async function rowSelects(wh: DuckdbWarehouse, file: string, what: string, rows: Row[], columns: Column[]): Promise<string[]> {
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  // Every non-null value is checked in one query: try_cast gives NULL where it is not of its column's type.
  const checks: { sql: string; fail: () => InputError }[] = [];
  const out: string[] = [];
  for (const row of rows) {
    const cells = new Map<string, string>();
    for (const { column, value, line } of row.values) {
      const col = byName.get(column.toLowerCase());
      if (!col) throw new InputError(`${file}:${line}: unknown column "${column}" of ${what}; its columns are ${columns.map((c) => c.name).join(", ")}`);
      const type = duckdbToBigQuery(col.type);
      const bad = () => new InputError(`${file}:${line}: ${column} of ${what} is ${type}; ${JSON.stringify(value)} is not a ${type}`);
      if (value !== null && typeof value === "object" && col.type !== "JSON") throw bad();
      if (INTEGER.test(col.type) && typeof value === "number" && !Number.isInteger(value)) throw bad();
      if (value !== null) checks.push({ sql: `try_cast(${literal(value)} as ${col.type}) is not null`, fail: bad });
      cells.set(col.name, `cast(${literal(value)} as ${col.type})`);
    }
    out.push(`select ${columns.map((c) => `${cells.get(c.name) ?? `cast(NULL as ${c.type})`} as ${quoteIdent(c.name)}`).join(", ")}`);
  }
  if (checks.length) {
    const [ok] = await wh.query<{ ok: boolean[] }>(`select [${checks.map((c) => c.sql).join(", ")}] as ok`);
    const i = ok.ok.indexOf(false);
    if (i >= 0) throw checks[i].fail();
  }
  return out;
}
