/**
 * Local stand-in for BigQuery's federated query: the inner PostgreSQL query runs on the
 * configured PostgreSQL (DATABASE_URL, PG* variables or the embedded server; every connection
 * id means that one) and its rows land in a DuckDB table with the types BigQuery would give them.
 *
 * Only PostgreSQL types whose BigQuery mapping is unambiguous are accepted. Anything else (uuid,
 * json, jsonb, arrays, timestamp without time zone, …) is refused with the column's name, so a
 * query that works locally also works through EXTERNAL_QUERY: cast it in the inner query.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SinkError, UnsupportedSqlError } from "../errors";
import type { PgSink } from "../sink/connect";
import { duckdbString, duckdbTableName, quoteIdent } from "../warehouse/duckdb-names";
import type { Column, Warehouse } from "../warehouse/warehouse";
import { EXTERNAL_SCHEMA, type ExternalQuery } from "./extract";

/** PostgreSQL type OID → [DuckDB type, BigQuery type]. */
const TYPES: Record<number, [string, string]> = {
  16: ["BOOLEAN", "BOOL"],
  20: ["BIGINT", "INT64"],
  21: ["BIGINT", "INT64"],
  23: ["BIGINT", "INT64"],
  700: ["DOUBLE", "FLOAT64"],
  701: ["DOUBLE", "FLOAT64"],
  1700: ["DECIMAL(38, 9)", "NUMERIC"],
  18: ["VARCHAR", "STRING"],
  19: ["VARCHAR", "STRING"],
  25: ["VARCHAR", "STRING"],
  1042: ["VARCHAR", "STRING"],
  1043: ["VARCHAR", "STRING"],
  1082: ["DATE", "DATE"],
  1184: ["TIMESTAMPTZ", "TIMESTAMP"],
};

const ADVICE: Record<string, string> = {
  uuid: "id::text",
  json: "col::text, then PARSE_JSON in BigQuery",
  jsonb: "col::text, then PARSE_JSON in BigQuery",
  timestamp: "col at time zone 'UTC' (a timestamptz)",
};

interface TypedColumn {
  name: string;
  duckdb: string;
  bigquery: string;
}

/** The inner query's result columns as BigQuery would type them; refuses unsupported types. */
export async function describeExternalQuery(pg: PgSink, query: ExternalQuery, file?: string): Promise<Column[]> {
  return (await typedColumns(pg, query, file)).map((c) => ({ name: c.name, type: c.bigquery }));
}

async function typedColumns(pg: PgSink, query: ExternalQuery, file?: string): Promise<TypedColumn[]> {
  const where = `${file ?? "SQL"}: EXTERNAL_QUERY(${JSON.stringify(query.connection)}, …)`;
  const fields = await pg.describe(query.sql).catch((e: Error) => {
    // 42P01: undefined table. Locally that is usually the application's tables not being there.
    if (!/SQLSTATE 42P01/.test(e.message)) throw e;
    throw new SinkError(
      `${where}: ${e.message}. Point DATABASE_URL at the application's database, or create and fill local copies with \`vwatch seed-app-data\``,
    );
  });
  const names = new Set<string>();
  const out: TypedColumn[] = [];
  for (const f of fields) {
    if (f.name === "?column?") throw new UnsupportedSqlError("EXTERNAL_QUERY column", `${where}: give every computed column an alias (… as name); BigQuery requires it`);
    if (names.has(f.name)) throw new UnsupportedSqlError("EXTERNAL_QUERY column", `${where}: column "${f.name}" appears twice; alias one of them`);
    names.add(f.name);
    const mapped = TYPES[f.dataTypeID];
    if (!mapped) {
      const { rows } = await pg.execute<{ t: string }>("select format_type($1::oid, null) as t", [f.dataTypeID]);
      const type = rows[0]?.t ?? `oid ${f.dataTypeID}`;
      const advice = ADVICE[type.replace(/ without time zone$/, "").replace(/\[\]$/, "")] ?? "col::text";
      throw new UnsupportedSqlError(
        "EXTERNAL_QUERY column type",
        `${where}: column "${f.name}" has PostgreSQL type ${type}, which has no exact BigQuery federated mapping; cast it in the inner query, e.g. ${advice}`,
      );
    }
    out.push({ name: f.name, duckdb: mapped[0], bigquery: mapped[1] });
  }
  return out;
}

/**
 * Runs each inner query on PostgreSQL and (re)creates its stand-in table in the DuckDB
 * warehouse. Rows travel as CSV through COPY, which keeps NULL and '' apart.
 */
export async function materializeExternalQueries(
  pg: PgSink,
  warehouse: Warehouse,
  queries: ExternalQuery[],
  file?: string,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-external-"));
  try {
    await warehouse.execute(`create schema if not exists ${quoteIdent(EXTERNAL_SCHEMA)}`);
    for (const q of queries) {
      const columns = await typedColumns(pg, q, file);
      const csv = path.join(dir, `${q.table}.csv`);
      await pg.copyOut(`copy (${q.sql}) to stdout with (format csv)`, csv);
      // A dataset of the default project: a DuckDB schema of the same name.
      const relation = duckdbTableName({ schema: EXTERNAL_SCHEMA, name: q.table }, undefined);
      const spec = columns.map((c) => `${duckdbString(c.name)}: ${duckdbString(c.duckdb)}`).join(", ");
      await warehouse.execute(
        `create or replace table ${relation} as select * from read_csv(${duckdbString(csv)}, columns = {${spec}}, ` +
          `header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false)`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
