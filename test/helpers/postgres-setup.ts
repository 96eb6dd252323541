import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { startEmbeddedPostgres } from "../../orchestrator/postgres/embedded";

/**
 * Vitest global setup: the tests need a PostgreSQL server. The machine's at 127.0.0.1:5432 is
 * used when it answers; otherwise (or with VWATCH_TEST_PG=embedded) the embedded server starts
 * for the whole run, with the database `test`, and VWATCH_TEST_PG tells the test workers where.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const wanted = process.env.VWATCH_TEST_PG;
  if (wanted && wanted !== "embedded") return undefined;
  if (!wanted && (await answers("postgres://postgres@127.0.0.1:5432/postgres"))) return undefined;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-test-pg-"));
  const server = await startEmbeddedPostgres(home);
  const { user, password, host, port } = server.connection;
  const base = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}`;
  const admin = new Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = 'test'");
    if (!exists.rowCount) await admin.query("create database test");
  } finally {
    await admin.end();
  }
  process.env.VWATCH_TEST_PG = base;
  const why = wanted ? "VWATCH_TEST_PG=embedded" : "nothing answers at 127.0.0.1:5432";
  process.stderr.write(`tests use an embedded PostgreSQL at ${host}:${port} (${why})\n`);
  return async () => {
    await server.stop();
    fs.rmSync(home, { recursive: true, force: true });
  };
}

async function answers(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
