/**
 * Versioned SQL migrations for the PostgreSQL sink: orchestrator/sink/migrations/NNNN_name.sql,
 * applied in name order, each once, recorded in vwatch_schema_migrations (name, checksum,
 * applied_at). Everything runs in one transaction holding an advisory lock, so two processes
 * migrating at once apply each file once: the second waits, then finds nothing to do. A file
 * changed after it was applied is refused (its checksum no longer matches).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { SinkError } from "../errors";
import type { PgSink } from "../postgres/connect";

export const MIGRATIONS_DIR = path.join(__dirname, "migrations");
export const MIGRATIONS_TABLE = "vwatch_schema_migrations";
/** pg_advisory_xact_lock key: "vwatch" + "mig" as bytes, fixed so every version agrees. */
const LOCK_KEY = "7022654407890020711";

export interface Migration {
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), "utf8");
      return { name: file.replace(/\.sql$/, ""), checksum: crypto.createHash("sha256").update(sql).digest("hex"), sql };
    });
}

export async function migrate(sink: PgSink, migrations: Migration[] = readMigrations()): Promise<MigrationResult> {
  return sink.transaction(async () => {
    await sink.execute(`select pg_advisory_xact_lock(${LOCK_KEY})`);
    await sink.execute(
      `create table if not exists ${MIGRATIONS_TABLE} (
         name text primary key,
         checksum text not null,
         applied_at timestamptz not null default now()
       )`,
    );
    const done = new Map(
      (await sink.execute<{ name: string; checksum: string }>(`select name, checksum from ${MIGRATIONS_TABLE}`)).rows.map((r) => [r.name, r.checksum]),
    );
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const recorded = done.get(m.name);
      if (recorded !== undefined) {
        if (recorded !== m.checksum) {
          throw new SinkError(`migration ${m.name} was changed after it was applied to ${sink.target}; add a new migration instead`);
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      await sink.execute(m.sql);
      await sink.execute(`insert into ${MIGRATIONS_TABLE} (name, checksum) values ($1, $2)`, [m.name, m.checksum]);
      result.applied.push(m.name);
    }
    return result;
  });
}

/** Migrations not applied yet (no writes; the table may not exist). */
