import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../helpers/cli";
import { ConfigError } from "../../orchestrator/errors";
import { openSink, PgSink } from "../../orchestrator/postgres/connect";
import { startEmbeddedPostgres } from "../../orchestrator/postgres/embedded";
import { syncSpikes } from "../../orchestrator/sink/sync-spikes";
import { openDuckdb, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";
import { readMigrations } from "../../orchestrator/sink/migrate";

/**
 * With neither DATABASE_URL nor PG* variables, the sink starts the embedded PostgreSQL under
 * <home>/postgres (as root: as an unprivileged OS user), reuses its data, and stops it at the end.
 */
const TABLE = `"analytics"."mention_spikes"`;
/** The same table's BigQuery name, as the sync takes it. */
const SPIKES = "`analytics.mention_spikes`";
const root = path.join(__dirname, "..", "..");
const NO_PG_ENV: NodeJS.ProcessEnv = {};

let home: string;
let warehouse: DuckdbWarehouse;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-sink-embedded-"));
  const file = await openDuckdb(path.join(home, "warehouse.duckdb"));
  await file.execute(
    `create schema analytics;
     create table ${TABLE} as
     select 500 + i % 40 as event_id, date '2024-05-01' + (i // 40)::int as spike_date, 4 + i % 9 as mention_count, 1.5 as baseline_avg,
       0.75 as baseline_stddev, 2.0 + (i % 7) / 2 as z_score, 'MEDIUM' as confidence_level, 30 as baseline_days,
       timestamp '2024-06-01 00:00:00' as detected_at
     from range(400) as t(i)`,
  );
  await file.close();
  warehouse = await openDuckdb(path.join(home, "warehouse.duckdb"));
});

afterAll(async () => {
  await warehouse?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const serverRunning = () => fs.existsSync(path.join(home, "postgres", "data", "postmaster.pid"));

describe("embedded PostgreSQL", () => {
  it("starts under <home>/postgres, syncs, stops on close, and keeps its data for the next start", async () => {
    const pg = await openSink({ home, databaseUrl: undefined }, NO_PG_ENV);
    expect(pg.target).toMatch(/^127\.0\.0\.1:\d+\/vwatch$/);
    try {
      const result = await syncSpikes({ warehouse, spikesTable: SPIKES, pg, runId: "embedded-1", batchSize: 150 });
      expect(result).toMatchObject({ since: null, asOf: "2024-05-10", read: 400, inserted: 400, alreadyPresent: 0, migrationsApplied: readMigrations().map((m) => m.name) });
    } finally {
      await pg.close();
    }
    expect(serverRunning()).toBe(false);
    if (process.getuid?.() === 0) expect(fs.statSync(path.join(home, "postgres", "data")).uid).not.toBe(0);

    const again = await openSink({ home, databaseUrl: undefined }, NO_PG_ENV);
    try {
      const count = await again.execute<{ n: number }>("select count(*)::int as n from data_pipeline_mentionspike");
      expect(count.rows[0].n).toBe(400);
      const second = await syncSpikes({ warehouse, spikesTable: SPIKES, pg: again, runId: "embedded-2" });
      expect(second).toMatchObject({ daysCompared: 10, daysRead: 0, read: 0, inserted: 0, alreadyPresent: 0, migrationsApplied: [] });
    } finally {
      await again.close();
    }
    expect(serverRunning()).toBe(false);
  });

  it("a wrong password is a ConfigError naming host, port and database, never the password", async () => {
    const server = await startEmbeddedPostgres(home);
    try {
      const { host, port, database } = server.connection;
      const error = await PgSink.connect({ host, port, database, user: "vwatch", password: "Not-The-Password-42" }).catch((e) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(new RegExp(`^authentication failed for user "vwatch" at PostgreSQL 127\\.0\\.0\\.1:${port}/vwatch: check the user and password in .*\\(SQLSTATE 28P01\\)$`));
      expect(error.message).not.toContain("Not-The-Password-42");
      expect(error.message).not.toContain(server.connection.password);
    } finally {
      await server.stop();
    }
    expect(serverRunning()).toBe(false);
  });

  it("vwatch sync-spikes without DATABASE_URL uses the embedded server and stops it when the command ends", async () => {
    await warehouse.execute(`insert into ${TABLE} values (9999, date '2024-05-11', 50, 1.0, 1.0, 49.0, 'HIGH', 30, timestamp '2024-06-02 00:00:00')`);
    await warehouse.close();
    try {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PG") && k !== "DATABASE_URL"));
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(root, "bin", "vwatch.js"), "--home", home, "sync-spikes", "--json"], {
          env: { ...env, VWATCH_WAREHOUSE: "duckdb" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("exit", (code) => resolve({ code, stdout, stderr }));
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/using embedded PostgreSQL at 127\.0\.0\.1:\d+\/vwatch/);
      expect(JSON.parse(result.stdout)).toMatchObject({ since: null, daysCompared: 11, daysRead: 1, read: 1, inserted: 1, alreadyPresent: 0 });
      expect(serverRunning()).toBe(false);
    } finally {
      warehouse = await openDuckdb(path.join(home, "warehouse.duckdb"));
    }
  });

  it("an embedded server that cannot start is one line naming its log, exit 1, no stack", async () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-sink-embedded-broken-"));
    try {
      // A data folder that looks initialized but holds no cluster: the server exits at once.
      const data = path.join(broken, "postgres", "data");
      fs.mkdirSync(data, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(data, "PG_VERSION"), "15\n");
      for (const k of Object.keys(process.env)) if (k.startsWith("PG") || k === "DATABASE_URL") vi.stubEnv(k, "");
      const r = await runCli(["--home", broken, "migrate"]);
      expect(r.code).toBe(1);
      const lines = r.err.split("\n").filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: embedded PostgreSQL did not start: postgres: could not access the server configuration file .* \(server log: \S+server\.log\)$/);
    } finally {
      vi.unstubAllEnvs();
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});
