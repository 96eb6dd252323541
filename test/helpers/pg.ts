import { Client } from "pg";

const ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A database of its own on the real local PostgreSQL, for tests that write the application's
 * tables; `drop()` removes it.
 */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now() % 100000}`;
  const admin = new Client({ connectionString: ADMIN });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const c = new Client({ connectionString: ADMIN });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).finally(() => c.end());
    },
  };
}
