import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { Client } from "pg";
import { freshDatabase } from "../helpers/pg";
import { main } from "../../orchestrator/cli/main";
import { topSpikes } from "../../orchestrator/cli/start";
import { loadConfig } from "../../orchestrator/config";
import { productHooks } from "../../orchestrator/product";
import { withSession } from "../../orchestrator/run/session";
import { runCli, runCliCode } from "../helpers/cli";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { copyOwnProject, repoRoot, tempHome, warehouseRows } from "../helpers/project";

// The spike models on hand-made GDELT files; every expected number below is worked out by hand
// in the comments. Events are added 2024-01-01; the scored day (as_of) is 2024-01-08.

const template = zlib
  .gunzipSync(fs.readFileSync(path.join(repoRoot, "samples", "gdelt", "20150218230000.export.CSV.gz")))
  .toString("utf8")
  .split("\n")[0]
  .split("\t");

function eventLine(id: number, opts: { actor1?: string; actor2?: string; geo?: string; added?: string }): string {
  const f = [...template];
  f[0] = String(id);
  f[7] = opts.actor1 ?? "USA"; // Actor1CountryCode (CAMEO)
  f[17] = opts.actor2 ?? ""; // Actor2CountryCode (CAMEO)
  f[53] = opts.geo ?? "US"; // ActionGeo_CountryCode (FIPS)
  f[59] = opts.added ?? "20240101000000"; // DATEADDED
  return f.join("\t");
}

function mentionLines(id: number, day: string, count: number): string[] {
  const stamp = day.replace(/-/g, "") + "120000";
  return Array.from({ length: count }, (_, i) => mentionAt(id, stamp, `https://example.com/${id}/${day}/${i}`));
}

/** One mention row of event `id` at the GDELT time `stamp` (YYYYMMDDHHMMSS). */
function mentionAt(id: number, stamp: string, url = `https://example.com/${id}/${stamp}`): string {
  return [id, "20240101000000", stamp, 1, "example.com", url, 1, -1, -1, -1, 1, 50, 1000, -1.5, "", ""].join("\t");
}

/** Daily mention counts per event, from 2024-01-01. */
const SERIES: Record<number, number[]> = {
  100: [1, 3, 0, 2, 1, 3, 2, 10], // a gap day (Jan 3) counts as 0
  200: [2, 2, 2, 2, 2, 2, 2, 5], // sd = 0: the floor min_stddev = 1 applies
  300: [1, 1, 1, 1, 1, 1, 1, 3], // exactly z = 2.0 and exactly 3 mentions: a LOW spike
  301: [1, 1, 1, 1, 1, 1, 1, 2], // 2 mentions < min_spike_mentions
  500: [0, 0, 0, 0, 0, 0, 0, 5], // mentioned on one day only: no baseline
  600: [0, 0, 1, 1, 1, 1, 1, 9], // first mention Jan 3: n = 5 < min_history_days
  700: [1, 1, 1, 1, 1, 1, 1, 9], // not a focus event (actor code "VE" is not CAMEO)
  800: [1, 1, 1, 1, 1, 1, 1, 9], // focus through the action geography (FIPS "VE")
  900: [1, 1, 1, 1, 1, 1, 1, 9], // VEN, but added 40 days before as_of
};

const EVENTS = [
  eventLine(100, { actor1: "VEN" }),
  eventLine(200, { actor2: "VEN" }),
  eventLine(300, { actor1: "VEN" }),
  eventLine(301, { actor1: "VEN" }),
  eventLine(500, { actor1: "VEN" }),
  eventLine(600, { actor1: "VEN" }),
  eventLine(700, { actor1: "VE" }),
  eventLine(800, { geo: "VE" }),
  eventLine(900, { actor1: "VEN", added: "20231129000000" }),
];

const day = (i: number) => `2024-01-${String(i + 1).padStart(2, "0")}`;

function writeFixtures(dir: string, days: number[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, "20240101000000.export.CSV")];
  const added = (line: string) => line.split("\t")[59];
  fs.writeFileSync(files[0], EVENTS.filter((l) => added(l) === "20240101000000").join("\n") + "\n");
  for (const i of days) {
    const lines = Object.entries(SERIES).flatMap(([id, counts]) => mentionLines(Number(id), day(i), counts[i]));
    const file = path.join(dir, `${day(i).replace(/-/g, "")}120000.mentions.CSV`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    files.push(file);
  }
  // Every row of a GDELT file carries the file's time: event 900, added earlier, has a file of its own (last, so the indices above stay).
  const early = path.join(dir, "20231129000000.export.CSV");
  fs.writeFileSync(early, EVENTS.filter((l) => added(l) !== "20240101000000").join("\n") + "\n");
  files.push(early);
  return files;
}

const project = copyOwnProject();

async function pipeline(home: string, asOf: string, extraVars = "", sync = false): Promise<number> {
  const args = ["--home", home, "--project-dir", project, "-q", "run", "--tags", "mentions", "--vars", `as_of=${asOf}${extraVars}`];
  return runCliCode(sync ? args : [...args, "--no-sync"]);
}


const SPIKES = `select event_id, cast(spike_date as varchar) as spike_date, mention_count, baseline_avg, baseline_stddev, z_score, confidence_level, baseline_days
  from "analytics"."mention_spikes" order by event_id, spike_date`;

describe("spike models", () => {
  let home: string;
  beforeAll(async () => {
    home = tempHome();
    await loadGdeltFiles(path.join(home, "warehouse.duckdb"), writeFixtures(path.join(home, "in"), [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(await pipeline(home, "2024-01-08")).toBe(0);
  });

  it("tracks events by CAMEO actor code or FIPS action geography, added within the event window", async () => {
    const ids = (await warehouseRows(home, `select event_id from "intermediate"."int_focus_events" order by event_id`)).map((r) => r.event_id);
    expect(ids).toEqual([100, 200, 300, 301, 500, 600, 800]);
  });

  it("counts mentions per event per day, with no rows for days without mentions", async () => {
    const r = await warehouseRows(home, `select cast(mention_date as varchar) as d, mention_count from "intermediate"."int_mentions_counted_daily" where event_id = 100 order by d`);
    expect(r).toEqual([
      { d: "2024-01-01", mention_count: 1 },
      { d: "2024-01-02", mention_count: 3 },
      { d: "2024-01-04", mention_count: 2 },
      { d: "2024-01-05", mention_count: 1 },
      { d: "2024-01-06", mention_count: 3 },
      { d: "2024-01-07", mention_count: 2 },
      { d: "2024-01-08", mention_count: 10 },
    ]);
  });

  it("fills gap days with zero and excludes the scored day from its own baseline", async () => {
    const [jan8] = await warehouseRows(home, `select * from "intermediate"."int_mention_baselines" where event_id = 100 and day = date '2024-01-08'`);
    // Window Jan 1..7 = [1,3,0,2,1,3,2]: n = 7, mean = 12/7, sample variance = (52/7)/6 = 26/21.
    expect(jan8.baseline_days).toBe(7);
    expect(jan8.baseline_avg as number).toBeCloseTo(12 / 7, 12);
    expect(jan8.baseline_stddev as number).toBeCloseTo(Math.sqrt(26 / 21), 12);
    expect(jan8.z_score as number).toBeCloseTo((10 - 12 / 7) / Math.sqrt(26 / 21), 10);
    const [jan3] = await warehouseRows(home, `select mention_count, baseline_days from "intermediate"."int_mention_baselines" where event_id = 100 and day = date '2024-01-03'`);
    expect(jan3).toEqual({ mention_count: 0, baseline_days: 2 });
  });

  it("classifies spikes with the thresholds' boundaries included", async () => {
    expect(await warehouseRows(home, SPIKES)).toEqual([
      // z = (10 - 12/7) / sqrt(26/21) = 7.446… >= 3: HIGH
      { event_id: 100, spike_date: "2024-01-08", mention_count: 10, baseline_avg: 12 / 7, baseline_stddev: expect.closeTo(Math.sqrt(26 / 21), 12), z_score: expect.closeTo((10 - 12 / 7) / Math.sqrt(26 / 21), 10), confidence_level: "HIGH", baseline_days: 7 },
      // sd = 0, floored to 1: z = (5 - 2) / 1 = 3.0, exactly the HIGH boundary
      { event_id: 200, spike_date: "2024-01-08", mention_count: 5, baseline_avg: 2, baseline_stddev: 0, z_score: 3, confidence_level: "HIGH", baseline_days: 7 },
      // z = (3 - 1) / 1 = 2.0 = z_threshold and 3 = min_spike_mentions: a spike, LOW
      { event_id: 300, spike_date: "2024-01-08", mention_count: 3, baseline_avg: 1, baseline_stddev: 0, z_score: 2, confidence_level: "LOW", baseline_days: 7 },
      // geography focus: z = (9 - 1) / 1 = 8
      { event_id: 800, spike_date: "2024-01-08", mention_count: 9, baseline_avg: 1, baseline_stddev: 0, z_score: 8, confidence_level: "HIGH", baseline_days: 7 },
    ]);
  });

  it("gives no baseline to an event mentioned on one day only, and no spike with fewer than min_history_days", async () => {
    const once = await warehouseRows(home, `select baseline_days, baseline_avg, z_score from "intermediate"."int_mention_baselines" where event_id = 500`);
    expect(once).toEqual([{ baseline_days: 0, baseline_avg: null, z_score: null }]);
    const [short] = await warehouseRows(home, `select baseline_days, z_score from "intermediate"."int_mention_baselines" where event_id = 600 and day = date '2024-01-08'`);
    expect(short).toEqual({ baseline_days: 5, z_score: 8 });
  });

  it("gives every scored day the sd used, each rule's outcome, whether it is a spike and its confidence", async () => {
    const rules = await warehouseRows(
      home,
      `select event_id, stddev_used, meets_min_history_days as history, meets_min_spike_mentions as mentions, meets_z_threshold as z, is_spike, confidence_level
       from "intermediate"."int_mention_baselines" where day = date '2024-01-08' order by event_id`,
    );
    expect(rules).toEqual([
      // sd = sqrt(26/21) = 1.113 > the floor 1; z = 8.286 / 1.113 = 7.447 >= high_z 3
      { event_id: 100, stddev_used: expect.closeTo(Math.sqrt(26 / 21), 12), history: true, mentions: true, z: true, is_spike: true, confidence_level: "HIGH" },
      // sd = 0: the floor 1 is used
      { event_id: 200, stddev_used: 1, history: true, mentions: true, z: true, is_spike: true, confidence_level: "HIGH" },
      { event_id: 300, stddev_used: 1, history: true, mentions: true, z: true, is_spike: true, confidence_level: "LOW" },
      // 2 mentions < 3, and z = (2 - 1) / 1 = 1 < 2: no confidence
      { event_id: 301, stddev_used: 1, history: true, mentions: false, z: false, is_spike: false, confidence_level: null },
      // n = 0: no sd (the floor is used) and z is NULL, which fails the z rule
      { event_id: 500, stddev_used: 1, history: false, mentions: true, z: false, is_spike: false, confidence_level: null },
      // n = 5 < 7; z = (9 - 1) / 1 = 8 would be HIGH, but it is no spike
      { event_id: 600, stddev_used: 1, history: false, mentions: true, z: true, is_spike: false, confidence_level: null },
      { event_id: 800, stddev_used: 1, history: true, mentions: true, z: true, is_spike: true, confidence_level: "HIGH" },
    ]);
    // Jan 2, event 100: window [1], n = 1 < 7 and sd NULL (n < 2): the floor; z = (3 - 1) / 1 = 2.
    const [jan2] = await warehouseRows(home, `select baseline_stddev, stddev_used, z_score, meets_min_history_days, is_spike from "intermediate"."int_mention_baselines" where event_id = 100 and day = date '2024-01-02'`);
    expect(jan2).toEqual({ baseline_stddev: null, stddev_used: 1, z_score: 2, meets_min_history_days: false, is_spike: false });
  });

  it("explain prints each rule with whether it held, as the model computed it", async () => {
    const text = async (id: number) => {
      const r = await runCli(["--home", home, "--project-dir", project, "explain", String(id), "2024-01-08"]);
      expect(r.code).toBe(0);
      return r.out;
    };
    const spike = await text(100);
    expect(spike).toContain("n = 7, mean = 1.714, sd = 1.113 (floor 1)\nz = (10 - 1.714) / 1.113 = 7.447\n");
    expect(spike).toContain("  yes  baseline days n = 7 >= min_history_days 7\n  yes  mentions 10 >= min_spike_mentions 3\n  yes  z 7.447 >= z_threshold 2\n");
    expect(spike).toMatch(/\nSPIKE, confidence HIGH \(HIGH when z >= 3, MEDIUM when z >= 2.5, else LOW\) \(recorded in mention_spikes, detected .+\)\n$/);
    const none = await text(500);
    expect(none).toContain("n = 0, mean = n/a, sd = n/a (floor 1)\nz = (5 - n/a) / 1.000 = n/a\n");
    expect(none).toContain("  NO   baseline days n = 0 >= min_history_days 7\n  yes  mentions 5 >= min_spike_mentions 3\n  NO   z n/a >= z_threshold 2\n");
    expect(none).toContain("\nnot a spike: baseline days n = 0 is below min_history_days 7; z n/a is below z_threshold 2\n");
    // explain reads the outcome from int_mention_baselines instead of applying the rules again:
    // a copy whose model says otherwise is explained as its model says.
    const h = tempHome();
    fs.copyFileSync(path.join(home, "warehouse.duckdb"), path.join(h, "warehouse.duckdb"));
    fs.copyFileSync(path.join(home, "run_results.json"), path.join(h, "run_results.json"));
    const wh = await openDuckdb(path.join(h, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
    await wh.execute(`update "intermediate"."int_mention_baselines" set meets_z_threshold = false, is_spike = false, confidence_level = null where event_id = 300 and day = date '2024-01-08'`);
    await wh.close();
    const r = await runCli(["--home", h, "--project-dir", project, "explain", "300", "2024-01-08"]);
    expect(r.out).toContain("  NO   z 2.000 >= z_threshold 2\n");
    expect(r.out).toContain("\nnot a spike: z 2.000 is below z_threshold 2 (recorded in mention_spikes, detected ");
    // A table an earlier vwatch built, without the rule columns, is named with the run that rebuilds it.
    const old = await openDuckdb(path.join(h, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
    await old.execute(`alter table "intermediate"."int_mention_baselines" drop column is_spike`);
    await old.close();
    const before = await runCli(["--home", h, "--project-dir", project, "explain", "300", "2024-01-08"]);
    expect(before.code).toBe(2);
    expect(before.err).toBe(
      "error: venezuelawatch.intermediate.int_mention_baselines was built by an earlier vwatch, without the spike rule columns: run `vwatch run --tags mentions --include-deps` first\n",
    );
  });

  it("start's top spikes: strongest first, rounded to 2 places, with the event's place, at most the limit", async () => {
    const config = loadConfig({ home, projectDir: project });
    const top = await withSession(config, productHooks, (session) => topSpikes(session, 3));
    const place = EVENTS[0].split("\t")[52]; // ActionGeo_FullName of the template row
    expect(top.map(({ source_url, ...r }) => r)).toEqual([
      { event_id: 800, spike_date: "2024-01-08", mentions: 9, baseline: 1, z: 8, confidence: "HIGH", place },
      // 12/7 = 1.714…, z = 7.447…
      { event_id: 100, spike_date: "2024-01-08", mentions: 10, baseline: 1.71, z: 7.45, confidence: "HIGH", place },
      { event_id: 200, spike_date: "2024-01-08", mentions: 5, baseline: 2, z: 3, confidence: "HIGH", place },
    ]);
  });

  it("explain shows the window, n, mean, sd, z and which rule failed", async () => {
    const explain = async (id: number) => {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
      try {
        expect(await main(["--home", home, "--project-dir", project, "explain", String(id), "2024-01-08", "--json"])).toBe(0);
      } finally {
        spy.mockRestore();
      }
      return JSON.parse(out.join(""));
    };
    const spike = await explain(100);
    expect(spike.isSpike).toBe(true);
    expect(spike.confidence).toBe("HIGH");
    expect(spike.recordedSpike.confidence_level).toBe("HIGH");
    expect(spike.series.map((r: { mention_count: number }) => r.mention_count)).toEqual([1, 3, 0, 2, 1, 3, 2, 10]);
    const short = await explain(600);
    expect(short.isSpike).toBe(false);
    expect(short.checks.map((c: { passed: boolean }) => c.passed)).toEqual([false, true, true]);
    expect(short.verdict).toMatch(/baseline days n = 5 is below min_history_days 7/);
  });

  it("takes every threshold from the vars, with the MEDIUM boundary included", async () => {
    const h = tempHome();
    await loadGdeltFiles(path.join(h, "warehouse.duckdb"), writeFixtures(path.join(h, "in"), [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(await pipeline(h, "2024-01-08", ",min_stddev=2,z_threshold=1.5,medium_z=1.5")).toBe(0);
    const spikes = await warehouseRows(h, `select event_id, z_score, confidence_level from "analytics"."mention_spikes" order by event_id`);
    expect(spikes).toEqual([
      { event_id: 100, z_score: expect.closeTo((10 - 12 / 7) / 2, 10), confidence_level: "HIGH" },
      { event_id: 200, z_score: 1.5, confidence_level: "MEDIUM" },
      { event_id: 800, z_score: 4, confidence_level: "HIGH" },
    ]);
    // The rule columns follow the vars too: sd 0 floored to min_stddev 2; z = 1.5 = medium_z.
    const [flat] = await warehouseRows(h, `select stddev_used, meets_z_threshold, confidence_level from "intermediate"."int_mention_baselines" where event_id = 200 and day = date '2024-01-08'`);
    expect(flat).toEqual({ stddev_used: 2, meets_z_threshold: true, confidence_level: "MEDIUM" });
  });

  it("counts a mention on its UTC day: the last second of as_of is in, the next second out, and an incremental run recounts from the first second of its window", async () => {
    const h = tempHome();
    const dir = path.join(h, "in");
    fs.mkdirSync(dir, { recursive: true });
    const events = path.join(dir, "20240101000000.export.CSV");
    fs.writeFileSync(events, eventLine(100, { actor1: "VEN" }) + "\n");
    const at = (stamp: string) => {
      const file = path.join(dir, `${stamp}.mentions.CSV`);
      fs.writeFileSync(file, mentionAt(100, stamp) + "\n");
      return file;
    };
    const db = path.join(h, "warehouse.duckdb");
    const counts = () => warehouseRows(h, `select cast(mention_date as varchar) as d, mention_count from "intermediate"."int_mentions_counted_daily" order by d`);
    await loadGdeltFiles(db, [events, at("20240101120000"), at("20240102235959"), at("20240105235959"), at("20240106000000")]);
    expect(await pipeline(h, "2024-01-05", ",lookback_days=3")).toBe(0);
    expect(await counts()).toEqual([
      { d: "2024-01-01", mention_count: 1 },
      { d: "2024-01-02", mention_count: 1 },
      { d: "2024-01-05", mention_count: 1 },
    ]);
    // Late files: one second before the next run's window (as_of 2024-01-06 - 3 days = Jan 3), and its first second.
    await loadGdeltFiles(db, [at("20240102235958"), at("20240103000000")]);
    expect(await pipeline(h, "2024-01-06", ",lookback_days=3")).toBe(0);
    expect(await counts()).toEqual([
      { d: "2024-01-01", mention_count: 1 },
      { d: "2024-01-02", mention_count: 1 },
      { d: "2024-01-03", mention_count: 1 },
      { d: "2024-01-05", mention_count: 1 },
      { d: "2024-01-06", mention_count: 1 },
    ]);
  });

  it("the incremental path (yesterday's tables + a new day) gives the same spikes and baselines as a full refresh", async () => {
    const h = tempHome();
    const files = writeFixtures(path.join(h, "in"), [0, 1, 2, 3, 4, 5, 6, 7]);
    const db = path.join(h, "warehouse.duckdb");
    await loadGdeltFiles(db, files.slice(0, 8)); // events + Jan 1..7
    expect(await pipeline(h, "2024-01-07")).toBe(0);
    await loadGdeltFiles(db, files.slice(8)); // Jan 8 arrives
    expect(await pipeline(h, "2024-01-08")).toBe(0);
    const incremental = await warehouseRows(h, SPIKES);
    const baselines = `select event_id, cast(day as varchar) as day, mention_count, baseline_days, baseline_avg, baseline_stddev, z_score from "intermediate"."int_mention_baselines" order by event_id, day`;
    const incrementalBaselines = await warehouseRows(h, baselines);
    expect(await runCliCode(["--home", h, "--project-dir", project, "-q", "run", "--tags", "mentions", "--full-refresh", "--no-sync", "--vars", "as_of=2024-01-08"])).toBe(0);
    expect(await warehouseRows(h, SPIKES)).toEqual(incremental);
    expect(await warehouseRows(h, baselines)).toEqual(incrementalBaselines);
    expect(incremental.map((r) => r.event_id)).toEqual([100, 200, 300, 800]);
  });

  it("vwatch run writes the spikes to PostgreSQL after mention_spikes succeeds, idempotently, and not after a failed run", async () => {
    const database = await freshDatabase("vwatch_models");
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = database.url;
    const pg = new Client({ connectionString: process.env.DATABASE_URL });
    try {
      const h = tempHome();
      await loadGdeltFiles(path.join(h, "warehouse.duckdb"), writeFixtures(path.join(h, "in"), [0, 1, 2, 3, 4, 5, 6, 7]));
      const first = await runCli(["--home", h, "--project-dir", project, "-q", "run", "--tags", "mentions", "--vars", "as_of=2024-01-08"]);
      expect(first.code).toBe(0);
      expect(first.err).toContain("spikes written to PostgreSQL: 4 inserted, 0 already present (4 read from the 1 of 1 spike day(s) that differed)\n");
      await pg.connect();
      const synced = async () =>
        (await pg.query(`select event_id::int as event_id, spike_date::text as spike_date, mention_count, confidence_level from data_pipeline_mentionspike order by event_id`)).rows;
      expect(await synced()).toEqual([
        { event_id: 100, spike_date: "2024-01-08", mention_count: 10, confidence_level: "HIGH" },
        { event_id: 200, spike_date: "2024-01-08", mention_count: 5, confidence_level: "HIGH" },
        { event_id: 300, spike_date: "2024-01-08", mention_count: 3, confidence_level: "LOW" },
        { event_id: 800, spike_date: "2024-01-08", mention_count: 9, confidence_level: "HIGH" },
      ]);
      const second = await runCli(["--home", h, "--project-dir", project, "-q", "run", "--tags", "mentions", "--vars", "as_of=2024-01-08"]);
      expect(second.code).toBe(0);
      expect(second.err).toContain("spikes written to PostgreSQL: none new (it already has the spikes of all 1 spike day(s) in the warehouse)\n");
      expect((await synced()).length).toBe(4);
      const ledger = (await pg.query(`select inserted::int as inserted, already_present::int as already_present, status from vwatch_sync_ledger order by started_at`)).rows;
      expect(ledger).toEqual([
        { inserted: 4, already_present: 0, status: "succeeded" },
        { inserted: 0, already_present: 0, status: "succeeded" }, // its day is in PostgreSQL in full: nothing read
      ]);
      // mention_spikes fails (its input table is gone): nothing is synced.
      await pg.query(`delete from data_pipeline_mentionspike`);
      const wh = await openDuckdb(path.join(h, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
      await wh.execute(`drop table "intermediate"."int_mention_baselines"`);
      await wh.close();
      expect(await runCliCode(["--home", h, "--project-dir", project, "-q", "run", "--actions", "mention_spikes", "--vars", "as_of=2024-01-08"])).toBe(1);
      expect(await synced()).toEqual([]);
    } finally {
      await pg.end().catch(() => undefined);
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
      await database.drop();
    }
  });
});
