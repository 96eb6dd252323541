import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import type { RunRecord } from "../../orchestrator/run/results";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome } from "../helpers/project";

// vwatch run --warehouse bigquery, end to end against the local fake of the BigQuery API.
let fake: FakeBigQuery;
const env = { ...process.env };

beforeAll(async () => {
  fake = await startFakeBigQuery({ projectId: "venezuelawatch", location: "US" });
  for (const name of ["events_partitioned", "eventmentions_partitioned"]) {
    fake.tables.register({ target: { database: "gdelt-bq", schema: "gdeltv2", name }, schema: [{ name: "GLOBALEVENTID", type: "INTEGER" }] });
  }
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  process.env.GOOGLE_CLOUD_PROJECT = "venezuelawatch";
});
afterAll(async () => {
  process.env = env;
  await fake.close();
});

describe("vwatch run on BigQuery", () => {
  it("--dry-run sends every statement as a dry-run job and reports the bytes each action would scan", async () => {
    fake.setQueryResult(/stg_gdelt__mentions/, { bytesProcessed: 5_000_000 });
    const home = tempHome();
    const { code, out } = await runCli(["--home", home, "--project-dir", repoRoot, "-q", "run", "--warehouse", "bigquery", "--dry-run", "--tags", "mentions", "--vars", "as_of=2015-03-20", "--json"]);
    expect(code).toBe(0);
    const record = JSON.parse(out) as RunRecord;
    // A dry run leaves no run results behind.
    expect(fs.existsSync(path.join(home, "run_results.json"))).toBe(false);
    expect(record.warehouse).toBe("bigquery");
    const jobs = fake.queries();
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.dryRun)).toBe(true);
    expect(jobs.every((j) => j.location === "US")).toBe(true);
    const spikes = record.actions.find((a) => a.name === "venezuelawatch.analytics.mention_spikes")!;
    expect(spikes.statements?.[0]).toMatch(/^create or replace table `venezuelawatch\.analytics\.mention_spikes` partition by spike_date cluster by event_id/);
    const mentions = record.actions.find((a) => a.name.endsWith("stg_gdelt__mentions"))!;
    expect(mentions.bytesProcessed).toBe(5_000_000);
    // No dataset was created and nothing ran for real.
    expect(fake.datasets().filter((d) => d.startsWith("venezuelawatch"))).toEqual([]);
  });
});
