import * as fs from "fs";
import * as path from "path";
import { Pool } from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { claimRun, type Transaction } from "../../orchestrator/ledger/claim";
import { keepAlive } from "../../orchestrator/ledger/heartbeat";
import { loadConfig } from "../../orchestrator/config";
import { appendPending, pendingFile } from "../../orchestrator/ledger/pending";
import { recordRun } from "../../orchestrator/ledger/record";
import { productHooks } from "../../orchestrator/product";
import { Session } from "../../orchestrator/run/session";
import type { LedgerRun } from "../../orchestrator/ledger/runs";
import { runCli } from "../helpers/cli";
import { homeWithSpikes, runVwatch, spikesOverDays } from "../helpers/sync-child";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { makeProject, tempHome } from "../helpers/project";

/**
 * The run ledger: a CLI run that needs no PostgreSQL waits in the home folder's pending file (no
 * server started for it), the next command with PostgreSQL writes it once, `vwatch runs` lists
 * it; claims with one idempotency key make one run, and a busy warehouse refuses a second.
 */
let db: { url: string; drop: () => Promise<void> };
const dbName = () => new URL(db.url).pathname.slice(1);
const project = makeProject({ "definitions/numbers.sqlx": 'config { type: "table" }\nselect 1 as n union all select 2 as n\n' });
const saved = process.env.DATABASE_URL;

beforeAll(async () => {
  db = await freshDatabase("vwatch_runs");
});

afterEach(() => {
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
});

afterAll(async () => {
  await db?.drop();
  fs.rmSync(project, { recursive: true, force: true });
});

/** claimRun's transaction on a pool, as the server's pool gives it. */
function poolTransaction(pool: Pool): Transaction {
  return async (fn) => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const result = await fn({ execute: async (sql, params) => { const r = await client.query(sql, params); return { rows: r.rows, rowCount: r.rowCount ?? 0 }; } });
      await client.query("commit");
      return result;
    } catch (e) {
      await client.query("rollback");
      throw e;
    } finally {
      client.release();
    }
  };
}

const claimed = (id: string, key: string, ranOn: LedgerRun["ranOn"] = "bigquery"): LedgerRun => ({
  id, trigger: "schedule", correlationId: id, idempotencyKey: key, ranOn, selection: {}, vars: {}, fullRefresh: false,
  startedAt: new Date().toISOString(), status: "queued", actions: [],
});

const rows = () => asAdmin(async (c) => (await c.query("select id, trigger, ran_on, status, selection, actions from vwatch_runs order by started_at")).rows, dbName());

describe("the run ledger", () => {
  it("a local run without a write-back waits in the pending file, and `vwatch runs` writes it once and lists it", async () => {
    const home = tempHome();
    delete process.env.DATABASE_URL;
    const run = await runCli(["--home", home, "--project-dir", project, "run", "--actions", "numbers", "--no-sync"]);
    expect(run.code, run.err).toBe(0);
    // No PostgreSQL was started for the ledger.
    expect(fs.existsSync(path.join(home, "postgres"))).toBe(false);
    const pending = fs.readFileSync(pendingFile(home), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(pending).toHaveLength(1);
    const results = JSON.parse(fs.readFileSync(path.join(home, "run_results.json"), "utf8"));
    expect(pending[0]).toMatchObject({ id: results.runId, trigger: expect.stringMatching(/^(cli|ci)$/), ranOn: "duckdb", status: "succeeded", selection: { actions: ["numbers"] } });

    process.env.DATABASE_URL = db.url;
    const listed = await runCli(["--home", home, "--project-dir", project, "runs", "--json"]);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.err).toContain("1 run(s) from the home folder written to the run ledger");
    const runs = JSON.parse(listed.out) as LedgerRun[];
    expect(runs.map((r) => [r.id, r.status])).toEqual([[results.runId, "succeeded"]]);
    expect(runs[0].actions).toEqual([expect.objectContaining({ name: "testproj.ds.numbers", status: "success", rows: 2 })]);
    expect(fs.existsSync(pendingFile(home))).toBe(false);

    // The same pending line again (a flush that died before removing its file) is not a second run.
    fs.writeFileSync(pendingFile(home), JSON.stringify(pending[0]) + "\n");
    const again = await runCli(["--home", home, "--project-dir", project, "runs"]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(new RegExp(`^${results.runId}\\s+(cli|ci)\\s+duckdb\\s+succeeded\\s`, "m"));
    expect(await rows()).toHaveLength(1);
  });

  it("a failed run is recorded failed with its actions' errors; a dry run is not recorded", async () => {
    const home = tempHome();
    const broken = makeProject({ "definitions/bad.sqlx": 'config { type: "table" }\nselect no_such_column from (select 1 as n)\n' });
    delete process.env.DATABASE_URL;
    expect((await runCli(["--home", home, "--project-dir", broken, "run", "--dry-run"])).code).toBe(0);
    expect(fs.existsSync(pendingFile(home))).toBe(false);
    expect((await runCli(["--home", home, "--project-dir", broken, "run"])).code).toBe(1);
    const [line] = fs.readFileSync(pendingFile(home), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(line.status).toBe("failed");
    expect(line.actions[0]).toMatchObject({ name: "testproj.ds.bad", status: "failed", error: expect.stringContaining("no_such_column") });
  });

  it("a run whose session has PostgreSQL open already is written at once, with the runs waiting before it", async () => {
    const home = tempHome();
    const run = (id: string): LedgerRun => ({ id, trigger: "cli", correlationId: id, ranOn: "duckdb", selection: {}, vars: {}, fullRefresh: false, startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), status: "succeeded", actions: [] });
    appendPending(home, run("waiting-1"));
    const session = new Session(loadConfig({ home, projectDir: project }, { ...process.env, DATABASE_URL: db.url }), productHooks);
    try {
      // Without PostgreSQL open, the run waits too.
      expect(await recordRun(session, run("no-pg"))).toBe("pending");
      await session.postgres();
      expect(await recordRun(session, run("with-pg"))).toBe("ledger");
    } finally {
      await session.close();
    }
    const ids = (await rows()).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(["waiting-1", "no-pg", "with-pg"]));
    expect(fs.existsSync(pendingFile(home))).toBe(false);
  });

  it("sync-spikes, which opens PostgreSQL anyway, writes the runs waiting in the home folder", async () => {
    const { home, remove } = await homeWithSpikes(spikesOverDays(1, 5, "2024-06-01"));
    try {
      const waiting: LedgerRun = { id: "waiting-for-sync", trigger: "cli", correlationId: "w", ranOn: "duckdb", selection: {}, vars: {}, fullRefresh: false, startedAt: new Date().toISOString(), status: "succeeded", actions: [] };
      appendPending(home, waiting);
      const r = await runVwatch(home, ["sync-spikes"], { DATABASE_URL: db.url });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("1 run(s) from the home folder written to the run ledger");
      expect((await rows()).map((x) => x.id)).toContain("waiting-for-sync");
      expect(fs.existsSync(pendingFile(home))).toBe(false);
    } finally {
      remove();
    }
  });

  it("`vwatch runs` refuses a bad --limit or --status in one line", async () => {
    const r = await runCli(["--home", tempHome(), "runs", "--limit", "0"]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('error: --limit must be a whole number from 1 to 9999, got "0"');
    const s = await runCli(["--home", tempHome(), "runs", "--status", "done"]);
    expect(s.code).toBe(2);
    expect(s.err.trim()).toBe('error: --status must be one of queued, running, succeeded, failed, cancelled, interrupted, got "done"');
  });

  it("50 concurrent claims with one idempotency key make one run; another key on the busy warehouse is refused naming it", async () => {
    const pool = new Pool({ connectionString: db.url, max: 5 });
    try {
      const transaction = poolTransaction(pool);
      const run = claimed;
      const claims = await Promise.all(Array.from({ length: 50 }, (_, i) => claimRun(transaction, run(`claim-${i}`, "daily-2026-11-27"))));
      const created = claims.filter((c) => c.outcome === "created");
      expect(created).toHaveLength(1);
      expect(new Set(claims.map((c) => c.run.id))).toEqual(new Set([created[0].run.id]));
      expect(claims.filter((c) => c.outcome === "existing")).toHaveLength(49);
      const busy = await claimRun(transaction, run("other", "daily-2026-11-28"));
      expect(busy).toMatchObject({ outcome: "busy", run: { id: created[0].run.id } });
      const inDb = await asAdmin(async (c) => (await c.query("select id from vwatch_runs where ran_on = 'bigquery'")).rows, dbName());
      expect(inDb).toEqual([{ id: created[0].run.id }]);
    } finally {
      await pool.end();
    }
  });

  it("a run whose server was killed (no heartbeat for a minute) no longer holds the warehouse: the next claim marks it interrupted and starts", async () => {
    const pool = new Pool({ connectionString: db.url, max: 2 });
    try {
      const transaction = poolTransaction(pool);
      const first = await claimRun(transaction, claimed("dataform-old", "daily-2026-11-25", "dataform"));
      expect(first.outcome).toBe("created");
      // Alive: beating 10 s ago, the warehouse stays busy.
      await pool.query("update vwatch_runs set status = 'running', heartbeat_at = now() - interval '10 seconds' where id = 'dataform-old'");
      expect(await claimRun(transaction, claimed("dataform-new", "daily-2026-11-26", "dataform"))).toMatchObject({ outcome: "busy", run: { id: "dataform-old" } });
      // Killed: silent for 5 minutes.
      await pool.query("update vwatch_runs set heartbeat_at = '2026-11-26T06:00:00Z' where id = 'dataform-old'");
      const next = await claimRun(transaction, claimed("dataform-new", "daily-2026-11-26", "dataform"));
      expect(next).toMatchObject({ outcome: "created", run: { id: "dataform-new" } });
      const { rows: old } = await pool.query("select status, error, ended_at is not null as ended from vwatch_runs where id = 'dataform-old'");
      expect(old).toEqual([{ status: "interrupted", ended: true, error: "interrupted: the server running it stopped sending heartbeats at 2026-11-26T06:00:00Z (killed without a SIGTERM?); a later trigger took the warehouse over" }]);
      // Another warehouse's silent run is not touched by this warehouse's claims.
      expect((await pool.query("select status from vwatch_runs where id = 'dataform-new'")).rows).toEqual([{ status: "queued" }]);
    } finally {
      await pool.end();
    }
  });

  it("a running run's heartbeat moves while its server beats and stops with it; a finished run's heartbeat is never moved", async () => {
    const pool = new Pool({ connectionString: db.url, max: 2 });
    const sql = { execute: async (q: string, p?: unknown[]) => { const r = await pool.query(q, p); return { rows: r.rows, rowCount: r.rowCount ?? 0 }; } };
    const beatOf = async (id: string) => (await pool.query("select heartbeat_at from vwatch_runs where id = $1", [id])).rows[0].heartbeat_at as Date;
    try {
      expect((await claimRun(poolTransaction(pool), claimed("beating", "beat-1", "duckdb"))).outcome).toBe("created");
      await pool.query("update vwatch_runs set heartbeat_at = '2026-11-26T06:00:00Z' where id = 'beating'");
      const stop = keepAlive(sql, "beating", 20);
      await new Promise((r) => setTimeout(r, 200));
      stop();
      const moved = await beatOf("beating");
      expect(moved.getTime()).toBeGreaterThan(Date.parse("2026-11-27T00:00:00Z"));
      await new Promise((r) => setTimeout(r, 100));
      expect(await beatOf("beating")).toEqual(moved);
      await pool.query("update vwatch_runs set status = 'succeeded', heartbeat_at = '2026-11-26T06:00:00Z' where id = 'beating'");
      const again = keepAlive(sql, "beating", 20);
      await new Promise((r) => setTimeout(r, 100));
      again();
      expect((await beatOf("beating")).toISOString()).toBe("2026-11-26T06:00:00.000Z");
    } finally {
      await pool.end();
    }
  });
});
