/**
 * The result columns of an EXTERNAL_QUERY inner query as BigQuery's federated query types them,
 * asked of PostgreSQL without running the query. Only PostgreSQL types whose BigQuery mapping is
 * exact (sql/types.ts) are accepted; anything else (uuid, json, jsonb, arrays, timestamp without
 * time zone, …) is refused with the column's name, so a query that works locally also works
 * through EXTERNAL_QUERY: cast it in the inner query.
 */
import { SinkError, UnsupportedSqlError } from "../errors";
import type { ExternalQuery } from "../sql/external-query";
import { federatedType } from "../sql/types";
import type { PgSink } from "./connect";

const ADVICE: Record<string, string> = {
  uuid: "id::text",
  json: "col::text, then PARSE_JSON in BigQuery",
  jsonb: "col::text, then PARSE_JSON in BigQuery",
  timestamp: "col at time zone 'UTC' (a timestamptz)",
};

export interface FederatedColumn {
  name: string;
  /** The DuckDB type its values are loaded as locally. */
  duckdb: string;
  /** The type BigQuery gives it. */
  bigquery: string;
}

/** The inner query's result columns; refuses unsupported types and unnamed or repeated columns. */
export async function federatedColumns(pg: PgSink, query: ExternalQuery, file?: string): Promise<FederatedColumn[]> {
  const where = `${file ?? "SQL"}: EXTERNAL_QUERY(${JSON.stringify(query.connection)}, …)`;
  const fields = await pg.describe(query.sql).catch((e: Error) => {
    // 42P01: undefined table. Locally that is usually the application's tables not being there.
    if (!/SQLSTATE 42P01/.test(e.message)) throw e;
    throw new SinkError(
      `${where}: ${e.message}. Point DATABASE_URL at the application's database, or create and fill local copies with \`vwatch seed-app-data\``,
    );
  });
  const names = new Set<string>();
  const out: FederatedColumn[] = [];
  for (const f of fields) {
    if (f.name === "?column?") throw new UnsupportedSqlError("EXTERNAL_QUERY column", `${where}: give every computed column an alias (… as name); BigQuery requires it`);
    if (names.has(f.name)) throw new UnsupportedSqlError("EXTERNAL_QUERY column", `${where}: column "${f.name}" appears twice; alias one of them`);
    names.add(f.name);
    const mapped = federatedType(f.dataTypeID);
    if (!mapped) {
      const { rows } = await pg.execute<{ t: string }>("select format_type($1::oid, null) as t", [f.dataTypeID]);
      const type = rows[0]?.t ?? `oid ${f.dataTypeID}`;
      const advice = ADVICE[type.replace(/ without time zone$/, "").replace(/\[\]$/, "")] ?? "col::text";
      throw new UnsupportedSqlError(
        "EXTERNAL_QUERY column type",
        `${where}: column "${f.name}" has PostgreSQL type ${type}, which has no exact BigQuery federated mapping; cast it in the inner query, e.g. ${advice}`,
      );
    }
    out.push({ name: f.name, ...mapped });
  }
  return out;
}
