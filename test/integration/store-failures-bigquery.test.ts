import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../orchestrator/run/results";
import { openBigQuery, type BigQueryWarehouse } from "../../orchestrator/warehouse/bigquery/adapter";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { makeProject, tempHome } from "../helpers/project";
import { FAILURES_FILES, FAILURES_SETTINGS } from "../helpers/store-failures";

// Keep failing rows (issue 16) on BigQuery, against the executing fake of the BigQuery API: the
// failures table is made by a `create or replace table … as` job with the run id bound as @vwatch_run_id.
let fake: FakeBigQuery;
let bq: BigQueryWarehouse;
let project: string;
const env = { ...process.env };

beforeAll(async () => {
  fake = await startFakeBigQuery({ projectId: "testproj", location: "US", execute: true });
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  process.env.GOOGLE_CLOUD_PROJECT = "testproj";
  bq = openBigQuery({ projectId: "testproj", location: "US", apiEndpoint: fake.url, defaultDatabase: "testproj", pollIntervalMs: 1 });
  project = makeProject(FAILURES_FILES, FAILURES_SETTINGS);
});
afterAll(async () => {
  process.env = env;
  await bq?.close();
  await fake.close();
});

async function run(home: string, ...args: string[]): Promise<{ code: number; record: RunRecord; err: string }> {
  const { code, out, err } = await runCli(["--home", home, "--project-dir", project, "run", "--warehouse", "bigquery", "--actions", "base", "assert_no_forbidden", "--json", ...args]);
  return { code, record: JSON.parse(out) as RunRecord, err };
}

const FAILURES = "testproj.ds_assertions.assert_no_forbidden_failures";

describe("vwatch run --warehouse bigquery keeps assertions' failing rows", () => {
  it("keeps the failing rows with the run id (a bound parameter) and the time; a rerun after the fix leaves the table empty", async () => {
    const home = tempHome();
    const before = fake.queries().length;
    const failing = await run(home);
    expect(failing.code).toBe(1);
    const assertion = failing.record.actions.find((a) => a.name === "testproj.ds_assertions.assert_no_forbidden")!;
    expect(assertion.failures).toEqual({ table: FAILURES, rows: 1 });
    expect(assertion).toMatchObject({ status: "failed", rows: 1 });

    const store = fake.queries().slice(before).find((q) => q.sql.startsWith("create or replace table `testproj.ds_assertions.assert_no_forbidden_failures`"))!;
    expect(store.sql).toBe(
      "create or replace table `testproj.ds_assertions.assert_no_forbidden_failures` as\n" +
        "select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at\n" +
        "from `testproj.ds_assertions.assert_no_forbidden`",
    );
    expect(store.queryParameters).toEqual([{ name: "vwatch_run_id", parameterType: { type: "STRING" }, parameterValue: { value: failing.record.runId } }]);

    const rows = await bq.query<{ id: number; name: string; _vwatch_run_id: string; _vwatch_stored_at: unknown }>(`select * from \`${FAILURES}\``);
    expect(rows.map(({ id, name, _vwatch_run_id }) => ({ id, name, _vwatch_run_id }))).toEqual([{ id: 2, name: "b", _vwatch_run_id: failing.record.runId }]);
    const storedAt = Date.parse(String(rows[0]._vwatch_stored_at));
    expect(storedAt).toBeGreaterThanOrEqual(Date.parse(failing.record.startedAt) - 1000);
    expect(storedAt).toBeLessThanOrEqual(Date.parse(failing.record.finishedAt) + 1000);
    const meta = await bq.tableMetadata({ database: "testproj", schema: "ds_assertions", name: "assert_no_forbidden_failures" });
    expect(meta?.columns).toEqual([
      { name: "id", type: "INT64" },
      { name: "name", type: "STRING" },
      { name: "_vwatch_run_id", type: "STRING" },
      { name: "_vwatch_stored_at", type: "TIMESTAMP" },
    ]);

    const fixed = await run(home, "--vars", "forbidden=z");
    expect(fixed.code).toBe(0);
    expect(fixed.record.actions.find((a) => a.kind === "assertion")).toMatchObject({ status: "success", failures: { table: FAILURES, rows: 0 } });
    expect(await bq.query(`select count(*) as n from \`${FAILURES}\``)).toEqual([{ n: 0 }]);
  });

  it("--no-store-failures sends no statement for the failures table", async () => {
    const home = tempHome();
    const before = fake.queries().length;
    const { code, record } = await run(home, "--no-store-failures");
    expect(code).toBe(1);
    expect(record.actions.find((a) => a.kind === "assertion")!.failures).toBeUndefined();
    expect(fake.queries().slice(before).filter((q) => q.sql.includes("_failures"))).toEqual([]);
  });
});
