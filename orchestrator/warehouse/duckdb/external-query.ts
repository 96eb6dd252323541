/**
 * The local stand-in for BigQuery's federated query: the DuckDB statement builder cuts each
 * EXTERNAL_QUERY call out of a statement (sql/external-query.ts) and names a table in the schema
 * EXTERNAL_SCHEMA instead; before the action runs, the inner query runs on the configured
 * PostgreSQL (DATABASE_URL, PG* variables or the embedded server; every connection id means that
 * one) and its rows land in that table with the types BigQuery would give them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PgSink } from "../../postgres/connect";
import { federatedColumns } from "../../postgres/external-query";
import { EXTERNAL_SCHEMA, type ExternalQuery } from "../../sql/external-query";
import { duckdbString, duckdbTableName, quoteIdent } from "../../sql/duckdb-names";

/** Runs DuckDB SQL (the adapter's execute). */
type Execute = (sql: string) => Promise<unknown>;

/**
 * Runs each inner query on PostgreSQL and (re)creates its stand-in table in the DuckDB
 * warehouse. Rows travel as CSV through COPY, which keeps NULL and '' apart.
 */
export async function materializeExternalQueries(pg: PgSink, execute: Execute, queries: ExternalQuery[], file?: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-external-"));
  try {
    await execute(`create schema if not exists ${quoteIdent(EXTERNAL_SCHEMA)}`);
    for (const q of queries) {
      const columns = await federatedColumns(pg, q, file);
      const csv = path.join(dir, `${q.table}.csv`);
      await pg.copyOut(`copy (${q.sql}) to stdout with (format csv)`, csv);
      // A dataset of the default project: a DuckDB schema of the same name.
      const relation = duckdbTableName({ schema: EXTERNAL_SCHEMA, name: q.table }, undefined);
      const spec = columns.map((c) => `${duckdbString(c.name)}: ${duckdbString(c.duckdb)}`).join(", ");
      await execute(
        `create or replace table ${relation} as select * from read_csv(${duckdbString(csv)}, columns = {${spec}}, ` +
          `header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false)`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
