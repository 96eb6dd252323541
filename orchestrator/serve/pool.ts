/**
 * The server's PostgreSQL pool for its requests (the ledger, health): bounded (`max`), every
 * connection named "vwatch serve" (pg_stat_activity) and bounded in time like the CLI's
 * (config.ts, VWATCH_PG_*). The run itself (its write-back) uses the session's own connection.
 * Where no PostgreSQL is configured, the embedded server the session started is reused.
 */
import type { Pool as PgPool, PoolClient } from "pg";
import type { Config } from "../config";
import type { Transaction } from "../ledger/claim";
import type { Sql } from "../ledger/runs";

export const POOL_APPLICATION_NAME = "vwatch serve";

export interface ServerPool {
  sql: Sql;
  transaction: Transaction;
  close(): Promise<void>;
}

const wrap = (c: PgPool | PoolClient): Sql => ({
  async execute(sql, params) {
    const r = await c.query(sql, params);
    return { rows: r.rows, rowCount: r.rowCount ?? 0 };
  },
});

export async function openPool(config: Config, max: number, env: NodeJS.ProcessEnv = process.env): Promise<ServerPool> {
  const { Pool } = await import("pg");
  let connection: Record<string, unknown> = {};
  if (config.databaseUrl) connection = { connectionString: config.databaseUrl };
  else if (!["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"].some((n) => env[n])) {
    const { startEmbeddedPostgres } = await import("../postgres/embedded");
    connection = { ...(await startEmbeddedPostgres(config.home)).connection };
  }
  const ms = (s: number) => Math.round(s * 1000);
  const pool = new Pool({
    ...connection,
    max,
    application_name: POOL_APPLICATION_NAME,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: ms(config.postgres.statementSeconds),
    lock_timeout: ms(config.postgres.lockSeconds),
    idle_in_transaction_session_timeout: ms(config.postgres.idleSeconds),
    keepAlive: true,
  });
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return {
    sql: wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await fn(wrap(client));
        await client.query("commit");
        return result;
      } catch (e) {
        await client.query("rollback").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
