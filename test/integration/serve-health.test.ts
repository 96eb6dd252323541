import * as fs from "fs";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../orchestrator/config";
import type { Sql } from "../../orchestrator/ledger/runs";
import { PgSink } from "../../orchestrator/postgres/connect";
import { productHooks } from "../../orchestrator/product";
import { Session } from "../../orchestrator/run/session";
import { healthChecker, type HealthDeps } from "../../orchestrator/serve/health";
import { migrate, readMigrations } from "../../orchestrator/sink/migrate";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { tempHome } from "../helpers/project";
import { servedProject, serveInProcess } from "../helpers/serve";

/**
 * /health/detailed's verdicts on a real PostgreSQL: each problem makes it 503 and is named
 * (migrations missing, dead letters waiting, spikes behind, the warehouse or PostgreSQL
 * unreachable); and a server on a DuckDB file marks a run a dead process left unfinished.
 */
let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let sql: Sql;
const project = servedProject(1);
const dbName = () => new URL(db.url).pathname.slice(1);
const query = (text: string) => asAdmin((c) => c.query(text), dbName());

beforeAll(async () => {
  db = await freshDatabase("vwatch_health");
  const sink = await PgSink.connect({ connectionString: db.url });
  await migrate(sink);
  await sink.close();
  await query("insert into vwatch_runs (id, trigger, correlation_id, ran_on, started_at, ended_at, status) values ('good', 'cli', 'good', 'duckdb', now(), now(), 'succeeded')");
  pool = new Pool({ connectionString: db.url, max: 2 });
  sql = { execute: async (text, params) => { const r = await pool.query(text, params); return { rows: r.rows, rowCount: r.rowCount ?? 0 }; } };
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  fs.rmSync(project, { recursive: true, force: true });
});

function deps(overrides: Partial<HealthDeps> = {}): HealthDeps {
  const session = new Session(loadConfig({ home: tempHome(), projectDir: project }), productHooks);
  return { session, sql, version: "9.9.9", staleAfterHours: 26, migrations: readMigrations().map((m) => m.name), runningRun: () => undefined, ...overrides };
}

describe("/health/detailed verdicts", () => {
  it("all well: ok, with the spikes behind and dead letters at 0", async () => {
    const d = deps({ spikesBehind: async () => ({ rows: 0, days: 0 }) });
    try {
      expect(await healthChecker(d)()).toMatchObject({ status: "ok", version: "9.9.9", problems: [], spikesBehind: { rows: 0, days: 0 }, deadLetters: 0, lastSuccessfulRun: { id: "good" } });
    } finally {
      await d.session.close();
    }
  });

  it("spikes behind, dead letters waiting and a migration not applied are each a problem", async () => {
    // The table phase chaining records them in (migration 0005_events), with two dead letters.
    // A third, eight days old, has had its week: it no longer counts.
    await query("insert into vwatch_dead_letters (reason, error) values ('malformed', 'a'), ('attempts_exhausted', 'b')");
    await query("insert into vwatch_dead_letters (reason, error, created_at) values ('malformed', 'old', now() - interval '8 days')");
    const d = deps({ spikesBehind: async () => ({ rows: 12, days: 2 }), migrations: [...readMigrations().map((m) => m.name), "9999_future"] });
    try {
      const report = await healthChecker(d)();
      expect(report.status).toBe("unhealthy");
      expect(report.problems.sort()).toEqual(["12 spike(s) over 2 day(s) not yet written to PostgreSQL", "2 dead letter(s) in the last 7 days (vwatch_dead_letters)", "migrations not applied: 9999_future"]);
      expect(report.migrations).toEqual({ current: false, pending: ["9999_future"] });
    } finally {
      await d.session.close();
      await query("delete from vwatch_dead_letters");
    }
  });

  it("PostgreSQL or the warehouse unreachable is a problem naming it, not a crash", async () => {
    const dead = new Pool({ connectionString: "postgres://postgres@127.0.0.1:1/none", max: 1, connectionTimeoutMillis: 2000 });
    dead.on("error", () => undefined);
    const deadSql: Sql = { execute: async (text, params) => { const r = await dead.query(text, params); return { rows: r.rows, rowCount: r.rowCount ?? 0 }; } };
    const d = deps({ sql: deadSql });
    const broken = Object.assign(Object.create(Session.prototype) as Session, d.session, { warehouse: () => Promise.reject(new Error("the warehouse file is in use by another command")) });
    try {
      const report = await healthChecker({ ...d, session: broken })();
      expect(report.status).toBe("unhealthy");
      expect(report.postgres.ok).toBe(false);
      expect(report.problems).toEqual([expect.stringMatching(/^PostgreSQL: .*ECONNREFUSED/), "warehouse: the warehouse file is in use by another command"]);
    } finally {
      await dead.end();
      await d.session.close();
    }
  });
});

describe("a server starting on a DuckDB file", () => {
  it("marks runs left unfinished by a process that died interrupted, so a new trigger is not refused", async () => {
    await query("insert into vwatch_runs (id, trigger, correlation_id, ran_on, started_at, status) values ('orphan', 'server', 'orphan', 'duckdb', now(), 'running')");
    const s = await serveInProcess(project, db.url);
    try {
      const [row] = (await query("select status, error from vwatch_runs where id = 'orphan'")).rows;
      expect(row).toEqual({ status: "interrupted", error: "interrupted: the server running it stopped before it finished; trigger the run again" });
      const r = await fetch(`${s.server.url}/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(r.status).toBe(202);
    } finally {
      await s.stop();
    }
  });
});
