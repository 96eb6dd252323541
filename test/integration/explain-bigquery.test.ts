import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome } from "../helpers/project";

// `vwatch explain --warehouse bigquery` against the local fake of BigQuery's API: the queries of
// queries/explain-*.sql go out as BigQuery SQL with the compiled project's table names and the
// user's input as parameters, and explain tells what the model's rule columns say.

const BASELINE_COLUMNS = [
  ["day", "STRING"],
  ["mention_count", "INT64"],
  ["baseline_days", "INT64"],
  ["baseline_avg", "FLOAT64"],
  ["baseline_stddev", "FLOAT64"],
  ["z_score", "FLOAT64"],
  ["stddev_used", "FLOAT64"],
  ["meets_min_history_days", "BOOL"],
  ["meets_min_spike_mentions", "BOOL"],
  ["meets_z_threshold", "BOOL"],
  ["is_spike", "BOOL"],
  ["confidence_level", "STRING"],
].map(([name, type]) => ({ name, type }));

describe("vwatch explain on BigQuery (the local fake API)", () => {
  let fake: FakeBigQuery;
  const env = { ...process.env };
  beforeAll(async () => {
    fake = await startFakeBigQuery({ projectId: "venezuelawatch", location: "US" });
    fake.tables.register({ target: { database: "venezuelawatch", schema: "intermediate", name: "int_mention_baselines" }, schema: [{ name: "event_id", type: "INT64" }, ...BASELINE_COLUMNS] });
    fake.tables.register({ target: { database: "venezuelawatch", schema: "analytics", name: "mention_spikes" }, schema: [{ name: "event_id", type: "INT64" }] });
    process.env.BIGQUERY_EMULATOR_HOST = fake.url;
    process.env.GOOGLE_CLOUD_PROJECT = "venezuelawatch";
  });
  afterAll(async () => {
    process.env = env;
    await fake.close();
  });

  it("sends its queries with @parameters and prints the rule outcome the model gives", async () => {
    // The model's row says z held and n did not: explain repeats it, whatever the numbers.
    fake.setQueryResult("`venezuelawatch.intermediate.int_mention_baselines`", {
      schema: BASELINE_COLUMNS,
      rows: [
        ["2024-01-07", 1, 5, 1, 0, 0, 1, false, false, false, false, null],
        ["2024-01-08", 9, 6, 1, 0, 8, 1, false, true, true, false, null],
      ],
    });
    fake.setQueryResult("`venezuelawatch.analytics.mention_spikes`", { schema: [{ name: "confidence_level", type: "STRING" }, { name: "detected_at", type: "STRING" }], rows: [] });
    const r = await runCli(["--home", tempHome(), "--project-dir", repoRoot, "explain", "600", "2024-01-08", "--warehouse", "bigquery", "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.series).toEqual([
      { day: "2024-01-07", mention_count: 1, baseline_days: 5, baseline_avg: 1, baseline_stddev: 0, z_score: 0 },
      { day: "2024-01-08", mention_count: 9, baseline_days: 6, baseline_avg: 1, baseline_stddev: 0, z_score: 8 },
    ]);
    expect(out.checks.map((c: { passed: boolean }) => c.passed)).toEqual([false, true, true]);
    expect(out).toMatchObject({ isSpike: false, confidence: null, sdUsed: 1, verdict: "not a spike: baseline days n = 6 is below min_history_days 7", recordedSpike: null });

    const [series, spike] = fake.queries().slice(-2);
    expect(series.sql).toContain("from `venezuelawatch.intermediate.int_mention_baselines`");
    expect(series.sql).toContain("where event_id = @event_id\n    and day between cast(@from_day as date) and cast(@to_day as date)");
    const params = (q: typeof series) => Object.fromEntries(q.queryParameters!.map((p: any) => [p.name, [p.parameterType.type, p.parameterValue.value]]));
    expect(params(series)).toEqual({ event_id: ["INT64", 600], from_day: ["STRING", "2023-12-09"], to_day: ["STRING", "2024-01-11"] });
    expect(spike.sql).toContain("from `venezuelawatch.analytics.mention_spikes`");
    expect(params(spike)).toEqual({ event_id: ["INT64", 600], day: ["STRING", "2024-01-08"] });
  });
});
