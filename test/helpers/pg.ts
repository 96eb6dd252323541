import { Client, type ClientConfig } from "pg";

/**
 * The PostgreSQL server the tests use: the machine's at 127.0.0.1:5432 (trust auth), or, where
 * nothing answers there, the embedded server the global setup (postgres-setup.ts) started and
 * named in VWATCH_TEST_PG. Tests make databases of their own on it.
 */
export function testServer(): Required<Pick<ClientConfig, "host" | "port" | "user">> & { password?: string } {
  const url = new URL(process.env.VWATCH_TEST_PG ?? "postgres://postgres@127.0.0.1:5432");
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** A connection URL for one database on the test server (as another role, when given). */
export function testDatabaseUrl(database: string, role?: { user: string; password: string }): string {
  const s = testServer();
  const auth = role ? `${role.user}:${encodeURIComponent(role.password)}` : s.password ? `${s.user}:${encodeURIComponent(s.password)}` : s.user;
  return `postgres://${auth}@${s.host}:${s.port}/${database}`;
}

/** Runs fn on a connection to a database of the test server as its superuser. */
export async function asAdmin<T>(fn: (c: Client) => Promise<T>, database = "postgres"): Promise<T> {
  const c = new Client({ ...testServer(), database });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A database of its own on the test server, for tests that write the application's tables; `drop()` removes it. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now() % 100000}`;
  await asAdmin((c) => c.query(`create database ${name}`));
  return {
    url: testDatabaseUrl(name),
    drop: () => asAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
