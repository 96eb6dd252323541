import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { asAdmin, testDatabaseUrl, testServer } from "../helpers/pg";
import { vwatchCommand } from "../helpers/sync-child";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PG_LIMITS } from "../../orchestrator/config";
import { SinkError } from "../../orchestrator/errors";
import { PgSink } from "../../orchestrator/postgres/connect";
import { migrate, readMigrations } from "../../orchestrator/sink/migrate";
import { syncSpikes } from "../../orchestrator/sink/sync-spikes";
import { openDuckdb, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";

/**
 * The write-back against the real PostgreSQL test server (test/helpers/pg.ts), in a database of its
 * own (created here, dropped at the end), with spikes in a real DuckDB warehouse.
 */
const DB = `vwatch_sink_test_${process.pid}_${Date.now().toString(36)}`;
const URL_ = testDatabaseUrl(DB);
const TABLE = `"analytics"."mention_spikes"`;
/** The same table's BigQuery name, as the sync takes it. */
const SPIKES = "`analytics.mention_spikes`";
const root = path.join(__dirname, "..", "..");

interface Spike {
  event_id: number;
  spike_date: string;
  mention_count: number;
  z_score?: number;
  confidence_level?: string;
}


async function createSpikesTable(w: DuckdbWarehouse): Promise<void> {
  await w.execute(
    `create schema if not exists analytics;
     create or replace table ${TABLE} (event_id bigint, spike_date date, mention_count bigint, baseline_avg double,
       baseline_stddev double, z_score double, confidence_level varchar, baseline_days bigint, detected_at timestamp)`,
  );
}

async function addSpikes(w: DuckdbWarehouse, spikes: Spike[]): Promise<void> {
  const values = spikes.map(
    (s) =>
      `(${s.event_id}, date '${s.spike_date}', ${s.mention_count}, 2.5, 1.25, ${s.z_score ?? 3.5}, '${s.confidence_level ?? "HIGH"}', 30, timestamp '${s.spike_date} 06:00:00')`,
  );
  await w.execute(`insert into ${TABLE} values ${values.join(", ")}`);
}

/** n spikes: events 1000.. on consecutive days from `first`, 100 events per day. */
function manySpikes(n: number, first = "2024-03-01"): Spike[] {
  return Array.from({ length: n }, (_, i) => ({
    event_id: 1000 + (i % 100),
    spike_date: new Date(Date.parse(first) + Math.floor(i / 100) * 86_400_000).toISOString().slice(0, 10),
    mention_count: 10 + (i % 13),
  }));
}

async function pgRows(): Promise<Record<string, unknown>[]> {
  return asAdmin(
    async (c) =>
      (
        await c.query(
          `select event_id::text, to_char(spike_date, 'YYYY-MM-DD') as spike_date, mention_count, baseline_avg, baseline_stddev, z_score,
             confidence_level, to_char(detected_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as detected_at
           from data_pipeline_mentionspike order by spike_date, event_id`,
        )
      ).rows,
    DB,
  );
}

async function pgCount(): Promise<number> {
  return asAdmin(async (c) => {
    const t = await c.query("select to_regclass('data_pipeline_mentionspike')::text as t");
    if (!t.rows[0].t) return 0;
    return Number((await c.query("select count(*) from data_pipeline_mentionspike")).rows[0].count);
  }, DB);
}

async function reset(w: DuckdbWarehouse): Promise<void> {
  await createSpikesTable(w);
  await asAdmin((c) => c.query("drop table if exists data_pipeline_mentionspike, vwatch_sync_ledger, vwatch_runs, vwatch_event_deliveries, vwatch_phase_executions, vwatch_dead_letters, vwatch_schema_migrations"), DB);
}

let warehouse: DuckdbWarehouse;
let pg: PgSink;
let run = 0;
const sync = (opts: { since?: string; plan?: boolean; batchSize?: number } = {}) => syncSpikes({ warehouse, spikesTable: SPIKES, pg, runId: `test-${++run}`, ...opts });

beforeAll(async () => {
  await asAdmin((c) => c.query(`create database ${DB}`));
  warehouse = await openDuckdb(":memory:");
  pg = await PgSink.connect({ connectionString: URL_ });
});

afterAll(async () => {
  await pg?.close();
  await warehouse?.close();
  await asAdmin((c) => c.query(`drop database if exists ${DB} with (force)`));
});

describe("sync-spikes against PostgreSQL", () => {
  it("the first sync inserts every spike with its values; the second inserts nothing", async () => {
    await reset(warehouse);
    await addSpikes(warehouse, [
      { event_id: 1, spike_date: "2024-03-01", mention_count: 12, z_score: 3.25, confidence_level: "HIGH" },
      { event_id: 2, spike_date: "2024-03-02", mention_count: 7, z_score: 2.1, confidence_level: "LOW" },
    ]);
    expect(await sync()).toMatchObject({ since: null, asOf: "2024-03-02", daysCompared: 2, daysRead: 2, read: 2, inserted: 2, alreadyPresent: 0 });
    expect(await pgRows()).toEqual([
      { event_id: "1", spike_date: "2024-03-01", mention_count: 12, baseline_avg: 2.5, baseline_stddev: 1.25, z_score: 3.25, confidence_level: "HIGH", detected_at: "2024-03-01 06:00:00" },
      { event_id: "2", spike_date: "2024-03-02", mention_count: 7, baseline_avg: 2.5, baseline_stddev: 1.25, z_score: 2.1, confidence_level: "LOW", detected_at: "2024-03-02 06:00:00" },
    ]);
    // Both days are in PostgreSQL in full: nothing is read again.
    expect(await sync()).toMatchObject({ daysCompared: 2, daysRead: 0, read: 0, inserted: 0, alreadyPresent: 0 });
    expect(await sync({ since: "2024-03-01" })).toMatchObject({ since: "2024-03-01", daysRead: 0, read: 0 });
    expect(await pgCount()).toBe(2);
    const ledger = await asAdmin((c) => c.query("select run_id, status, rows_read::int, inserted::int, already_present::int, to_char(since, 'YYYY-MM-DD') as since from vwatch_sync_ledger order by started_at"), DB);
    expect(ledger.rows).toEqual([
      { run_id: `test-${run - 2}`, status: "succeeded", rows_read: 2, inserted: 2, already_present: 0, since: null },
      { run_id: `test-${run - 1}`, status: "succeeded", rows_read: 0, inserted: 0, already_present: 0, since: null },
      { run_id: `test-${run}`, status: "succeeded", rows_read: 0, inserted: 0, already_present: 0, since: "2024-03-01" },
    ]);
  });

  it("--since narrows the sync to spike_date >= since; without it every day PostgreSQL lacks is read", async () => {
    await reset(warehouse);
    await addSpikes(warehouse, [
      { event_id: 1, spike_date: "2024-03-01", mention_count: 5 },
      { event_id: 1, spike_date: "2024-03-08", mention_count: 6 },
      { event_id: 1, spike_date: "2024-03-10", mention_count: 7 },
    ]);
    expect(await sync({ since: "2024-03-08" })).toMatchObject({ since: "2024-03-08", daysCompared: 2, read: 2, inserted: 2 });
    expect((await pgRows()).map((r) => r.spike_date)).toEqual(["2024-03-08", "2024-03-10"]);
    expect(await sync()).toMatchObject({ since: null, daysCompared: 3, daysRead: 1, ranges: [{ from: "2024-03-01", to: "2024-03-01" }], read: 1, inserted: 1, alreadyPresent: 0 });
    expect((await pgRows()).map((r) => r.spike_date)).toEqual(["2024-03-01", "2024-03-08", "2024-03-10"]);
  });

  it("overlapping windows insert only the new days and never change rows already present", async () => {
    await reset(warehouse);
    await addSpikes(warehouse, manySpikes(300)); // 2024-03-01 .. 03-03
    expect(await sync({ since: "2024-03-01" })).toMatchObject({ read: 300, inserted: 300, alreadyPresent: 0 });
    // The warehouse recomputed 03-03 (different counts) and added 03-04 .. 03-05.
    await warehouse.execute(`update ${TABLE} set mention_count = 999, z_score = 9.9, confidence_level = 'LOW' where spike_date = date '2024-03-03'`);
    await addSpikes(warehouse, manySpikes(200, "2024-03-04"));
    // 03-03 holds the same keys in both: only the two new days are read.
    expect(await sync({ batchSize: 70 })).toMatchObject({ daysCompared: 5, daysRead: 2, read: 200, inserted: 200, alreadyPresent: 0 });
    const rows = await pgRows();
    expect(rows).toHaveLength(500);
    const march3 = rows.filter((r) => r.spike_date === "2024-03-03");
    expect(march3).toHaveLength(100);
    expect(march3.every((r) => r.mention_count !== 999 && r.z_score === 3.5 && r.confidence_level === "HIGH")).toBe(true);
    expect(march3[0]).toMatchObject({ event_id: "1000", mention_count: 10 + (200 % 13) });
  });

  it("--plan reports what would be inserted and what is present, and writes nothing", async () => {
    await reset(warehouse);
    await addSpikes(warehouse, manySpikes(150));
    // Before anything exists: not even the tables are created.
    const first = await sync({ plan: true });
    expect(first).toMatchObject({ plan: true, read: 150, inserted: 150, alreadyPresent: 0 });
    expect(first.toInsert).toHaveLength(150);
    expect(await asAdmin(async (c) => (await c.query("select to_regclass('data_pipeline_mentionspike')::text as t, to_regclass('vwatch_sync_ledger')::text as l")).rows[0], DB)).toEqual({ t: null, l: null });
    await sync({ since: "2024-03-02" });
    // One of 03-02's spikes went missing in PostgreSQL: its day is read and probed.
    await asAdmin((c) => c.query("delete from data_pipeline_mentionspike where event_id = 1000 and spike_date = '2024-03-02'"), DB);
    const second = await sync({ plan: true });
    expect(second).toMatchObject({ daysRead: 2, read: 150, inserted: 101, alreadyPresent: 49 });
    expect(second.present).toHaveLength(49);
    expect(new Set(second.present!.map((k) => k.spike_date))).toEqual(new Set(["2024-03-02"]));
    expect(second.toInsert!.filter((r) => r.spike_date === "2024-03-02").map((r) => r.event_id)).toEqual(["1000"]);
    expect(await pgCount()).toBe(49);
    const ledger = await asAdmin((c) => c.query("select count(*)::int as n from vwatch_sync_ledger"), DB);
    expect(ledger.rows[0].n).toBe(1);
  });

  it("a sync killed between batches leaves the table as it was, and the next sync completes it", async () => {
    await reset(warehouse);
    await addSpikes(warehouse, manySpikes(100));
    await sync({ since: "2024-03-01" });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-sink-kill-"));
    try {
      const file = await openDuckdb(path.join(home, "warehouse.duckdb"));
      await createSpikesTable(file);
      await addSpikes(file, manySpikes(1000)); // 2024-03-01 .. 03-10; the first 100 are in PostgreSQL already
      await file.close();
      const before = await pgRows();
      const env = cleanEnv({ DATABASE_URL: URL_ });
      const args = ["--home", home, "sync-spikes", "--since", "2024-03-01", "--batch-size", "300"];
      const child = spawn(process.execPath, vwatchCommand(args, { pauseAfterBatch: 2 }), { env, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          if (stderr.includes("paused after batch 2")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`sync exited (${code}) before pausing:\n${stderr}`)));
      });
      // Two batches were written inside the open transaction: nobody else sees them.
      expect(await pgRows()).toEqual(before);
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      expect(await pgRows()).toEqual(before);
      const ledger = await asAdmin((c) => c.query("select status from vwatch_sync_ledger order by started_at"), DB);
      // The killed sync's row stays 'running' until the next sync finds its session gone.
      expect(ledger.rows.map((r) => r.status)).toEqual(["succeeded", "running"]);

      const again = await cli(home, ["sync-spikes", "--since", "2024-03-01", "--json"], { DATABASE_URL: URL_ });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ daysCompared: 10, daysRead: 9, read: 900, inserted: 900, alreadyPresent: 0 });
      expect(await pgCount()).toBe(1000);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("vwatch sync-spikes --plan prints the plan and writes nothing", async () => {
    await reset(warehouse);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-sink-plan-"));
    try {
      const file = await openDuckdb(path.join(home, "warehouse.duckdb"));
      await createSpikesTable(file);
      await addSpikes(file, manySpikes(30));
      await file.close();
      const planned = await cli(home, ["sync-spikes", "--plan"], { DATABASE_URL: URL_ });
      expect(planned.code).toBe(0);
      expect(planned.stdout).toContain("plan (all spike days: 1 of 1 spike days differed from PostgreSQL (2024-03-01), latest 2024-03-01): 30 read, 30 would be inserted, 0 already present; nothing written");
      expect(await pgCount()).toBe(0);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("a statement timeout fails the sync with a SinkError saying nothing was written, rolls back and records the failure", async () => {
    await reset(warehouse);
    await addSpikes(warehouse, manySpikes(10));
    await migrate(pg);
    const slow = await PgSink.connect({ connectionString: URL_ }, undefined, { limits: { ...DEFAULT_PG_LIMITS, statementSeconds: 0.3, lockSeconds: 60 } });
    const holder = new Client({ ...testServer(), database: DB });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("lock table data_pipeline_mentionspike in access exclusive mode");
      const error = await syncSpikes({ warehouse, spikesTable: SPIKES, pg: slow, runId: "timeout-run" }).catch((e) => e);
      expect(error).toBeInstanceOf(SinkError);
      expect(error.message).toMatch(new RegExp(`^sync-spikes stopped: statement timeout or cancelled at 127\\.0\\.0\\.1:${testServer().port}/vwatch_sink_test_\\S+ \\(`));
      expect(error.message).toContain("statements are cancelled after 0.3 s (statement_timeout, VWATCH_PG_STATEMENT_TIMEOUT); nothing was written");
      await holder.query("rollback");
      const ledger = await asAdmin((c) => c.query("select status, error from vwatch_sync_ledger where run_id = 'timeout-run'"), DB);
      expect(ledger.rows[0].status).toBe("failed");
      expect(ledger.rows[0].error).toContain("statement timeout");
      expect(await pgCount()).toBe(0);
    } finally {
      await holder.end();
      await slow.close();
    }
  });

  it("two processes migrating at once apply each migration once", async () => {
    await reset(warehouse);
    const a = await PgSink.connect({ connectionString: URL_ });
    const b = await PgSink.connect({ connectionString: URL_ });
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      // Every migration file, in name order.
      const all = readMigrations().map((m) => m.name);
      expect(all.slice(0, 3)).toEqual(["0001_mention_spikes", "0002_sync_ledger", "0003_sync_ledger_abandoned"]);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(all);
      expect(await migrate(a)).toEqual({ applied: [], alreadyApplied: all });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("missing permissions and an unreachable server are SinkErrors naming host, port and database, without the password", async () => {
    const role = `vwatch_noperm_${process.pid}`;
    await asAdmin((c) => c.query(`create role ${role} login password 'Hunter2-secret'`));
    try {
      const weak = await PgSink.connect({ connectionString: testDatabaseUrl(DB, { user: role, password: "Hunter2-secret" }) });
      const denied = await migrate(weak).catch((e) => e);
      await weak.close();
      expect(denied).toBeInstanceOf(SinkError);
      expect(denied.message).toMatch(new RegExp(`^permission denied at 127\\.0\\.0\\.1:${testServer().port}/${DB}`));
      expect(denied.message).not.toContain("Hunter2");
    } finally {
      await asAdmin((c) => c.query(`drop owned by ${role}; drop role ${role}`), DB);
    }
    const unreachable = await PgSink.connect({ connectionString: "postgres://someone:Hunter2-secret@127.0.0.1:1/appdb" }).catch((e) => e);
    expect(unreachable).toBeInstanceOf(SinkError);
    expect(unreachable.message).toBe("cannot reach PostgreSQL at 127.0.0.1:1/appdb (ECONNREFUSED): is the server running and listening there?");
    expect(unreachable.message).not.toContain("Hunter2");

    const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-sink-err-"));
    try {
      const result = await cli(home, ["migrate"], { DATABASE_URL: "postgres://someone:Hunter2-secret@127.0.0.1:1/appdb" });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("error: cannot reach PostgreSQL at 127.0.0.1:1/appdb");
      expect(result.stderr + result.stdout).not.toContain("Hunter2");
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

/** The environment without any PostgreSQL settings, plus these. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PG") && k !== "DATABASE_URL"));
  return { ...env, VWATCH_WAREHOUSE: "duckdb", ...extra };
}

function cli(home: string, args: string[], extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin", "vwatch.js"), "--home", home, ...args], { env: cleanEnv(extra), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
