import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { loadSamples } from "../../orchestrator/cli/start";
import { PgSink } from "../../orchestrator/postgres/connect";
import { readResults, type RunRecord } from "../../orchestrator/run/results";
import type { SyncSpikesResult } from "../../orchestrator/sink/sync-spikes";
import { openBigQuery, type BigQueryWarehouse } from "../../orchestrator/warehouse/bigquery/adapter";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { officialCli } from "../conformance/official";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { freshDatabase } from "../helpers/pg";
import { repoRoot, tempHome } from "../helpers/project";

// The whole project on BigQuery, end to end with real rows: the bundled sample is loaded into the
// executing fake (the loaders fill its DuckDB file, served as BigQuery tables), `vwatch run
// --warehouse bigquery` builds every model through the REST API, EXTERNAL_QUERY reads the real
// PostgreSQL, and the spikes are written back. Every table and view must equal the local run's
// on the same input, and the spikes written must equal the local run's.

const PROJECT = "venezuelawatch";
/** Columns whose value is the time a run made the row. */
const RUN_TIME_COLUMNS = new Set(["detected_at"]);
const SPIKES_SQL = `select event_id::text, spike_date::text, mention_count, baseline_avg, baseline_stddev, z_score, confidence_level
  from data_pipeline_mentionspike order by event_id, spike_date`;

let db: { url: string; drop: () => Promise<void> };
let fake: FakeBigQuery;
/** A second fake, loaded alike, on which the official `dataform run` builds the project. */
let official: FakeBigQuery;
let officialOut: string;
let sink: PgSink | undefined;
let work: string;
/** The runs: a first one (everything created), then a second (incremental tables merged), on each warehouse. */
let localFirst: RunRecord;
let local: RunRecord;
let cloudFirst: RunRecord;
let cloud: RunRecord;
let localSpikes: unknown[];
let seconds: { local: number; load: number; bigquery: number; official: number };
const env = { ...process.env };

const pg = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  db = await freshDatabase("vw_bq_e2e");
  work = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-bq-e2e-"));
  process.env.DATABASE_URL = db.url;
  // The local run on DuckDB: loads the sample, seeds the application's tables from it, runs, writes the spikes.
  let t = Date.now();
  const localHome = tempHome();
  const start = await runCli(["--home", localHome, "--project-dir", repoRoot, "-q", "start"]);
  seconds = { local: (Date.now() - t) / 1000, load: 0, bigquery: 0, official: 0 };
  localFirst = readResults(localHome)!;
  expect(localFirst.summary.failed, start.err).toBe(0);
  localSpikes = await pg((c) => c.query(SPIKES_SQL).then((r) => r.rows));
  const again = await runCli(["--home", localHome, "--project-dir", repoRoot, "-q", "run", "--no-sync"]);
  local = readResults(localHome)!;
  expect(local.summary.failed, again.err).toBe(0);
  // PostgreSQL keeps the application's data (what EXTERNAL_QUERY reads); the spikes go, to be written again from BigQuery.
  await pg((c) => c.query("truncate data_pipeline_mentionspike"));
  fs.renameSync(path.join(localHome, "warehouse.duckdb"), path.join(work, "local.duckdb"));

  t = Date.now();
  const served = path.join(work, "bigquery.duckdb");
  await loadSamples(served);
  fs.copyFileSync(served, path.join(work, "official.duckdb"));
  seconds.load = (Date.now() - t) / 1000;
  const postgres = async () => (sink ??= await PgSink.connect({ connectionString: db.url }));
  // Pages of two rows, so every read of the run and the sync goes through getQueryResults' pagination.
  fake = await startFakeBigQuery({
    projectId: PROJECT,
    location: "US",
    pageRows: 2,
    execute: { file: served, postgres },
  });
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  process.env.GOOGLE_CLOUD_PROJECT = PROJECT;
  t = Date.now();
  const runs: RunRecord[] = [];
  for (let i = 0; i < 2; i++) {
    const run = await runCli(["--home", path.join(work, "home"), "--project-dir", repoRoot, "run", "--warehouse", "bigquery", "--json"]);
    expect(run.code, run.err).toBe(0);
    runs.push(JSON.parse(run.out) as RunRecord);
  }
  seconds.bigquery = (Date.now() - t) / 1000 / 2;
  [cloudFirst, cloud] = runs;
  // The tests' own reads of whole tables need no small pages.
  fake.setPageRows(10_000);

  // The official CLI on the same input, scoring the day the local run scored.
  official = await startFakeBigQuery({ projectId: PROJECT, location: "US", execute: { file: path.join(work, "official.duckdb"), postgres } });
  t = Date.now();
  const asOf = (local.asOf as { day: string }).day;
  // Successes go to stdout, failures to stderr.
  const officialRun = () =>
    officialCli(repoRoot, official.url, PROJECT, ["run", "--vars", `as_of=${asOf}`]).then(
      (r) => `${r.stdout}\n${r.stderr}`,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}\n${e.stderr ?? String(e)}`,
    );
  await officialRun();
  officialOut = await officialRun();
  seconds.official = (Date.now() - t) / 1000 / 2;
}, 180_000);

afterAll(async () => {
  process.env = env;
  await fake?.close();
  await official?.close();
  await sink?.close();
  await db?.drop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Rows as sorted JSON lines, run-time columns left out. */
const lines = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.entries(r).filter(([k]) => !RUN_TIME_COLUMNS.has(k)))).sort();

/** A relation's rows read through the BigQuery API. */
const rowsOf = async (w: BigQueryWarehouse, name: string) => lines(await w.query(`select * from \`${name}\``));

/** What the local run built: each relation's metadata and rows, read once (in DuckDB's own SQL). */
const built = new Map<string, { metadata: unknown; rows: string[] }>();
async function localRelation(name: string): Promise<{ metadata: unknown; rows: string[] }> {
  if (!built.has(name)) {
    const duck = await openDuckdb(path.join(work, "local.duckdb"), { defaultDatabase: PROJECT });
    try {
      for (const a of local.actions.filter((x) => x.kind !== "operation")) {
        const [database, schema, table] = a.name.split(".");
        const target = { database, schema, name: table };
        built.set(a.name, { metadata: await duck.tableMetadata(target), rows: lines(await duck.query(`select * from ${duck.relation(target)}`)) });
      }
    } finally {
      await duck.close();
    }
  }
  return built.get(name)!;
}

describe("vwatch run --warehouse bigquery on the executing fake", () => {
  it("runs every action the local runs run, each with the same outcome and write mode, and the same day scored", () => {
    const outcome = (r: RunRecord) => r.actions.map((a) => [a.name, a.status]).sort();
    expect(outcome(cloudFirst)).toEqual(outcome(localFirst));
    // (The local start built int_gdelt_events once before its run, to seed the application's data: compare write modes on the second runs.)
    const modes = (r: RunRecord) => r.actions.map((a) => [a.name, a.status, a.mode ?? ""]).sort();
    expect(modes(cloud)).toEqual(modes(local));
    // The second runs merged into the incremental tables.
    expect(cloud.actions.filter((a) => a.mode === "merge").map((a) => a.name.split(".").pop()).sort()).toEqual(["int_gdelt_events", "int_mentions_counted_daily", "mention_spikes"]);
    expect(cloud.summary).toMatchObject({ failed: 0, skipped: 0 });
    expect(cloud.asOf).toEqual(local.asOf);
    expect(cloud.warehouse).toBe("bigquery");
    // Every statement ran as a BigQuery job with the run's labels; none was a dry run.
    expect(fake.queries().every((q) => !q.dryRun && q.location === "US" && q.labels?.tool === "vwatch")).toBe(true);
  });

  it("builds every table and view with the local runs' rows and column types", async () => {
    const bq = openBigQuery({ projectId: PROJECT, location: "US", apiEndpoint: fake.url, defaultDatabase: PROJECT, pollIntervalMs: 1 });
    const actions = local.actions.filter((a) => a.kind !== "operation");
    expect(actions.length).toBeGreaterThan(40);
    let rows = 0;
    for (const action of actions) {
      const [database, schema, name] = action.name.split(".");
      const expected = await localRelation(action.name);
      expect(await bq.tableMetadata({ database, schema, name }), action.name).toEqual(expected.metadata);
      expect(await rowsOf(bq, action.name), action.name).toEqual(expected.rows);
      rows += expected.rows.length;
    }
    // Not a comparison of empty tables.
    expect(rows).toBeGreaterThan(1000);
    expect((await localRelation(`${PROJECT}.analytics.mention_spikes`)).rows.length).toBeGreaterThan(2);
  });

  it("keeps the models' partitioning and clustering, which tables.get reports", async () => {
    const res = await fetch(`${fake.url}/bigquery/v2/projects/${PROJECT}/datasets/intermediate/tables/int_mentions_counted_daily`);
    const table = (await res.json()) as any;
    expect(table.timePartitioning).toEqual({ type: "DAY", field: "mention_date" });
    expect(table.clustering).toEqual({ fields: ["event_id"] });
    expect(table.description).toMatch(/^Mentions per focus event per UTC day/);
    const source: any = await (await fetch(`${fake.url}/bigquery/v2/projects/gdelt-bq/datasets/gdeltv2/tables/eventmentions_partitioned`)).json();
    // Ingestion-time partitioned, as GDELT's public table: _PARTITIONTIME is no column of the schema.
    expect(source.timePartitioning).toEqual({ type: "DAY" });
    expect(source.schema.fields.some((f: { name: string }) => f.name === "_PARTITIONTIME")).toBe(false);
  });

  it("writes the local run's spikes to PostgreSQL after mention_spikes, reading them with bound parameters, page by page", async () => {
    expect(localSpikes.length).toBeGreaterThan(2);
    expect(await pg((c) => c.query(SPIKES_SQL).then((r) => r.rows))).toEqual(localSpikes);
    const reads = fake.queries().filter((q) => /from `venezuelawatch\.analytics\.mention_spikes`/.test(q.sql) && q.queryParameters?.length);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.flatMap((q) => q.queryParameters!.map((p: { name: string }) => p.name))).toEqual(expect.arrayContaining(["f0", "t0"]));
    // The spike lines came back in more than one page.
    const job = reads.at(-1)!.jobId;
    const pages = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/queries/${job}`));
    expect(pages.map((r) => r.query.pageToken)).toEqual([undefined, ...pages.slice(1).map((_, i) => String(2 * (i + 1)))]);
    expect(pages.length).toBeGreaterThan(1);
  });

  it("a second sync from BigQuery writes nothing: PostgreSQL already has every spike day", async () => {
    const before = fake.queries().length;
    const sync = await runCli(["--home", path.join(work, "home"), "--project-dir", repoRoot, "sync-spikes", "--warehouse", "bigquery", "--json"]);
    expect(sync.code, sync.err).toBe(0);
    const result = JSON.parse(sync.out) as SyncSpikesResult;
    expect(result).toMatchObject({ inserted: 0, read: 0, daysRead: 0 });
    expect(result.daysCompared).toBeGreaterThan(0);
    // Only the per-day key counts were read from BigQuery, not the spikes themselves.
    const sent = fake.queries().slice(before).map((q) => q.sql);
    expect(sent.some((sql) => /string_agg\(line/.test(sql))).toBe(false);
    expect(await pg((c) => c.query(SPIKES_SQL).then((r) => r.rows))).toEqual(localSpikes);
    const status = await runCli(["--home", path.join(work, "home"), "--project-dir", repoRoot, "sync-spikes", "--warehouse", "bigquery", "--status", "--json"]);
    expect(status.code, status.err).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ healthy: true, rowsBehind: 0 });
  });

  it("a sync after PostgreSQL lost a spike reads only that spike's day from BigQuery and writes only it", async () => {
    const [lost] = localSpikes as { event_id: string; spike_date: string }[];
    await pg((c) => c.query("delete from data_pipeline_mentionspike where event_id = $1 and spike_date = $2", [lost.event_id, lost.spike_date]));
    const sync = await runCli(["--home", path.join(work, "home"), "--project-dir", repoRoot, "sync-spikes", "--warehouse", "bigquery", "--json"]);
    expect(sync.code, sync.err).toBe(0);
    const result = JSON.parse(sync.out) as SyncSpikesResult;
    const sameDay = (localSpikes as { spike_date: string }[]).filter((r) => r.spike_date === lost.spike_date).length;
    expect(result).toMatchObject({ inserted: 1, daysRead: 1, read: sameDay, alreadyPresent: sameDay - 1, ranges: [{ from: lost.spike_date, to: lost.spike_date }] });
    const read = fake.queries().at(-1)!;
    expect(read.queryParameters?.map((p: { name: string; parameterValue: { value: string } }) => [p.name, p.parameterValue.value])).toEqual([
      ["f0", lost.spike_date],
      ["t0", lost.spike_date],
    ]);
    expect(await pg((c) => c.query(SPIKES_SQL).then((r) => r.rows))).toEqual(localSpikes);
  });

  it("a dry run then validates every statement on BigQuery and reports the bytes each action would scan, running none", async () => {
    const before = fake.queries().length;
    const dry = await runCli(["--home", path.join(work, "home"), "--project-dir", repoRoot, "-q", "run", "--warehouse", "bigquery", "--dry-run", "--json"]);
    expect(dry.code, dry.err).toBe(0);
    const record = JSON.parse(dry.out) as RunRecord;
    expect(record.summary).toMatchObject({ planned: local.actions.length, failed: 0 });
    const sent = fake.queries().slice(before);
    expect(sent.filter((q) => q.dryRun).length).toBeGreaterThan(40);
    // Only reads ran for real: the day to score and the recorded vars.
    expect(sent.filter((q) => !q.dryRun).map((q) => q.sql.trim().split(/\s+/)[0].toLowerCase())).toEqual(["select", "select"]);
    const spikes = record.actions.find((a) => a.name.endsWith(".mention_spikes"))!;
    expect(spikes.bytesProcessed).toBeGreaterThan(0);
  });

  it("the official `dataform run`, twice, builds the same tables on the fake: every one equals the local runs'", async () => {
    // The CLI fails what vwatch reports as warnings (assertions tagged "warning"), nothing else.
    const plain = officialOut.replace(/\u001b\[[0-9;]*m/g, "");
    const failed = [...plain.matchAll(/^(?:Assertion failed|Dataset creation failed|Operation failed):\s+(\S+)/gm)].map((m) => m[1]).sort();
    const warnings = local.actions.filter((a) => a.status === "warning").map((a) => a.name.split(".").slice(1).join(".")).sort();
    expect(failed, plain.slice(-3000)).toEqual(warnings);
    const bq = openBigQuery({ projectId: PROJECT, location: "US", apiEndpoint: official.url, defaultDatabase: PROJECT, pollIntervalMs: 1 });
    for (const action of local.actions.filter((a) => a.kind !== "operation")) {
      const [database, schema, name] = action.name.split(".");
      const expected = await localRelation(action.name);
      expect(await bq.tableMetadata({ database, schema, name }), action.name).toEqual(expected.metadata);
      expect(await rowsOf(bq, action.name), action.name).toEqual(expected.rows);
    }
  });

  it("takes reasonable time", () => {
    // Printed for the record; the bound keeps CI's budget (2 cores).
    process.stderr.write(`bigquery e2e: local start ${seconds.local}s, loading the fake ${seconds.load}s, a run on the fake ${seconds.bigquery}s, an official dataform run ${seconds.official}s\n`);
    expect(seconds.bigquery).toBeLessThan(60);
  });
});
