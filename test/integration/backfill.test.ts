import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import type { BackfillResult } from "../../orchestrator/backfill/backfill";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { readResults } from "../../orchestrator/run/results";
import { FIXTURE_VARS, writeBackfillFixture } from "../helpers/backfill-fixture";
import { runCli } from "../helpers/cli";
import { freshDatabase } from "../helpers/pg";
import { copyOwnProject, tempHome, warehouseRows } from "../helpers/project";

// `vwatch backfill` (README: "Backfill") on a 12-day fixture: the tables it leaves equal those of
// a `vwatch run` per day on a copy; a failed day stops it and a rerun continues there.

const project = copyOwnProject();

async function loadedHome(): Promise<string> {
  const home = tempHome();
  await loadGdeltFiles(path.join(home, "warehouse.duckdb"), writeBackfillFixture(path.join(home, "in")));
  return home;
}

const result = (out: string) => JSON.parse(out) as BackfillResult;

const SPIKES = `select event_id, cast(spike_date as varchar) as spike_date, mention_count, baseline_avg, baseline_stddev, z_score, confidence_level, baseline_days
  from "analytics"."mention_spikes" order by event_id, spike_date`;
const COUNTS = `select event_id, cast(mention_date as varchar) as mention_date, mention_count from "intermediate"."int_mentions_counted_daily" order by event_id, mention_date`;

describe("vwatch backfill on DuckDB", () => {
  let backfilled: string;
  let daily: string;
  let once: string;
  let run: { code: number; out: string; err: string };
  let database: { url: string; drop: () => Promise<void> };
  let spikesInPostgres: Record<string, unknown>[];
  let ledgerDays: Record<string, unknown>[];
  const before = process.env.DATABASE_URL;

  beforeAll(async () => {
    [backfilled, daily, once] = await Promise.all([loadedHome(), loadedHome(), loadedHome()]);
    // Written back once at the end; --sync because event_window_days differs from workflow_settings.yaml.
    database = await freshDatabase("vw_backfill");
    process.env.DATABASE_URL = database.url;
    run = await runCli(["--home", backfilled, "--project-dir", project, "backfill", "--tags", "mentions", "--sync", "--vars", FIXTURE_VARS, "--json", "--from", "2024-01-05", "--to", "2024-01-12"]);
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    spikesInPostgres = (await pg.query("select event_id::text, spike_date::text, mention_count, confidence_level from data_pipeline_mentionspike order by event_id, spike_date")).rows;
    ledgerDays = (await pg.query("select as_of::text as day, status from vwatch_runs order by as_of")).rows;
    await pg.end();
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
    for (let d = 5; d <= 12; d++) {
      const asOf = `2024-01-${String(d).padStart(2, "0")}`;
      const r = await runCli(["--home", daily, "--project-dir", project, "-q", "run", "--tags", "mentions", "--no-sync", "--vars", `${FIXTURE_VARS},as_of=${asOf}`]);
      expect(r.code, r.err).toBe(0);
    }
    const r = await runCli(["--home", once, "--project-dir", project, "-q", "run", "--tags", "mentions", "--no-sync", "--vars", `${FIXTURE_VARS},as_of=2024-01-12`]);
    expect(r.code, r.err).toBe(0);
  }, 300_000);
  afterAll(() => database?.drop());

  it("leaves mention_spikes and the daily counts exactly as a `vwatch run` per day on a copy leaves them", async () => {
    expect(run.code, run.err.slice(-3000)).toBe(0);
    const spikes = await warehouseRows(backfilled, SPIKES);
    expect(spikes).toEqual(await warehouseRows(daily, SPIKES));
    expect(spikes.map((s) => [Number(s.event_id), s.spike_date, Number(s.mention_count), Number(s.z_score), s.confidence_level])).toEqual([
      [100, "2024-01-08", 5, 4, "HIGH"],
      [200, "2024-01-12", 8, 6, "HIGH"],
    ]);
    expect(await warehouseRows(backfilled, COUNTS)).toEqual(await warehouseRows(daily, COUNTS));
  });

  it("keeps the spike of an event that left the window before the last day, which one run on the last day misses", async () => {
    const single = await warehouseRows(once, SPIKES);
    expect(single.map((s) => [Number(s.event_id), s.spike_date])).toEqual([[200, "2024-01-12"]]);
  });

  it("writes the spikes to PostgreSQL once, after the last day", () => {
    expect(spikesInPostgres).toEqual([
      { event_id: "100", spike_date: "2024-01-08", mention_count: 5, confidence_level: "HIGH" },
      { event_id: "200", spike_date: "2024-01-12", mention_count: 8, confidence_level: "HIGH" },
    ]);
    expect(result(run.out).sync).toMatchObject({ inserted: 2 });
    expect(run.err.match(/spikes written to PostgreSQL/g)).toBeNull(); // --json: no text lines from the sync
  });

  it("records each day as a run in the run ledger", () => {
    expect(ledgerDays).toEqual(Array.from({ length: 8 }, (_, i) => ({ day: `2024-01-${String(5 + i).padStart(2, "0")}`, status: "succeeded" })));
  });

  it("reports the days run, the tables' rows and the spikes, and leaves the last day's run results", async () => {
    const r = result(run.out);
    expect(r.ran).toEqual(["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12"]);
    expect(r.skipped).toEqual([]);
    expect(r.spikes).toBe(2);
    const counts = await warehouseRows(backfilled, COUNTS);
    expect(r.rowsMerged).toBeGreaterThan(counts.length);
    expect(r.tables).toEqual([
      { name: "venezuelawatch.intermediate.int_mentions_counted_daily", rows: counts.length },
      { name: "venezuelawatch.analytics.mention_spikes", rows: 2 },
    ]);
    // Each day: the incremental models and what they need, not the assertions; the last day: the whole selection.
    expect(r.dayActions.map((a) => a.split(".").pop())).toEqual(["mention_spikes", "int_focus_events", "int_mention_baselines", "int_mentions_counted_daily", "stg_gdelt__events", "stg_gdelt__mentions"]);
    expect(r.lastDayActions.length).toBeGreaterThan(r.dayActions.length);
    expect(run.err).toMatch(/^backfill 2024-01-05 … 2024-01-12: 8 days, 6 actions a day \(int_mentions_counted_daily, mention_spikes and what they need\), \d+ on the last day$/m);
    expect(run.err).toMatch(/^backfill 2024-01-05: day 1\/8 done in [\d.]+ s, 7 left, ETA [\d.]+ s$/m);
    expect(run.err).toMatch(/^backfill 2024-01-12: day 8\/8 done in [\d.]+ s, 0 left$/m);
    const last = readResults(backfilled)!;
    expect(last.options.vars).toEqual({ event_window_days: "10", as_of: "2024-01-12" });
    expect(last.summary.failed).toBe(0);
  });
});
