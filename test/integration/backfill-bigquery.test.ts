import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackfillResult } from "../../orchestrator/backfill/backfill";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { openBigQuery } from "../../orchestrator/warehouse/bigquery/adapter";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { FIXTURE_VARS, writeBackfillFixture } from "../helpers/backfill-fixture";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome } from "../helpers/project";

// `vwatch backfill --warehouse bigquery` through the REST API, against the executing fake (the
// fixture loaded into the DuckDB file it serves as BigQuery tables).

const PROJECT = "venezuelawatch";
let fake: FakeBigQuery;
const env = { ...process.env };

beforeAll(async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-backfill-bq-"));
  const served = path.join(work, "bigquery.duckdb");
  await loadGdeltFiles(served, writeBackfillFixture(path.join(work, "in")));
  fake = await startFakeBigQuery({ projectId: PROJECT, location: "US", execute: { file: served } });
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  process.env.GOOGLE_CLOUD_PROJECT = PROJECT;
});
afterAll(async () => {
  process.env = env;
  await fake?.close();
});

describe("vwatch backfill on BigQuery", () => {
  it("runs each day of a 3-day range through the API and keeps the spike of the middle day; a rerun runs nothing", async () => {
    const home = tempHome();
    const args = ["--home", home, "--project-dir", repoRoot, "-q", "backfill", "--warehouse", "bigquery", "--tags", "mentions", "--no-sync", "--vars", FIXTURE_VARS, "--from", "2024-01-07", "--to", "2024-01-09", "--json"];
    const r = await runCli(args);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as BackfillResult;
    expect(result.ran).toEqual(["2024-01-07", "2024-01-08", "2024-01-09"]);
    expect(result.spikes).toBe(1);
    // Each day's merge ran with its own as_of.
    const merges = fake.queries().filter((q) => !q.dryRun && /^merge `venezuelawatch\.analytics\.mention_spikes`/i.test(q.sql.trim()));
    expect(merges.map((q) => q.sql.match(/date '(\d{4}-\d{2}-\d{2})'/)?.[1])).toEqual(["2024-01-08", "2024-01-09"]);

    const bq = openBigQuery({ projectId: PROJECT, location: "US", apiEndpoint: fake.url, defaultDatabase: PROJECT, pollIntervalMs: 1 });
    try {
      const spikes = await bq.query<{ event_id: number; spike_date: unknown; z_score: number; confidence_level: string }>(
        "select event_id, cast(spike_date as string) as spike_date, z_score, confidence_level from `venezuelawatch.analytics.mention_spikes`",
      );
      expect(spikes.map((s) => [Number(s.event_id), s.spike_date, Number(s.z_score), s.confidence_level])).toEqual([[100, "2024-01-08", 4, "HIGH"]]);
    } finally {
      await bq.close();
    }

    const again = await runCli(args);
    expect(again.code, again.err).toBe(0);
    expect((JSON.parse(again.out) as BackfillResult).skipped).toEqual(["2024-01-07", "2024-01-08", "2024-01-09"]);
  }, 120_000);
});
