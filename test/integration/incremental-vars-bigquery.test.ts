import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { repoRoot, tempHome } from "../helpers/project";

// The vars of incremental tables on BigQuery, against the fake of the BigQuery API (it executes
// no SQL: what is checked is the statements issued and that the recorded state is read).
let fake: FakeBigQuery;
const env = { ...process.env };
const SPIKES = { database: "venezuelawatch", schema: "analytics", name: "mention_spikes" };
const STATE = { database: "venezuelawatch", schema: "vwatch", name: "table_vars" };

beforeEach(async () => {
  fake = await startFakeBigQuery({ projectId: "venezuelawatch", location: "US" });
  fake.tables.register({ target: SPIKES, schema: [{ name: "event_id", type: "INTEGER" }, { name: "spike_date", type: "DATE" }] });
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  process.env.GOOGLE_CLOUD_PROJECT = "venezuelawatch";
});
afterEach(async () => {
  process.env = { ...env };
  await fake.close();
});

const run = (...vars: string[]) =>
  runCli(["--home", tempHome(), "--project-dir", repoRoot, "-q", "run", "--warehouse", "bigquery", "--actions", "mention_spikes", "--no-sync", "--vars", ["as_of=2015-03-20", ...vars].join(",")]);

describe("vars of incremental tables on BigQuery", () => {
  it("records them in the vwatch dataset of the default project and location after the table's merge", async () => {
    const r = await run();
    expect(r.code).toBe(0);
    const sql = fake.queries().filter((q) => !q.dryRun).map((q) => q.sql.trim());
    const merge = sql.findIndex((s) => s.startsWith("merge `venezuelawatch.analytics.mention_spikes`"));
    const dataset = sql.indexOf('create schema if not exists `venezuelawatch.vwatch` options(location="US")');
    const table = sql.findIndex((s) => s.startsWith("create table if not exists `venezuelawatch.vwatch.table_vars` (table_name string not null, vars string not null"));
    const record = fake.queries().findIndex((q) => q.sql.trim().startsWith("merge `venezuelawatch.vwatch.table_vars` as recorded"));
    expect(merge).toBeGreaterThanOrEqual(0);
    expect(dataset).toBeGreaterThan(merge);
    expect(table).toBeGreaterThan(dataset);
    expect(record).toBeGreaterThan(table);
    const params = Object.fromEntries(
      (fake.queries()[record].queryParameters ?? []).map((p: any) => [p.name, p.parameterValue.value]),
    );
    expect(params.table_name).toBe("venezuelawatch.analytics.mention_spikes");
    const vars = JSON.parse(params.vars);
    expect(vars.z_threshold).toBe("2.0");
    expect(vars.app_connection).toBe("venezuelawatch.us.app-postgres");
    expect(vars).not.toHaveProperty("as_of");
    expect(fake.queries()[record].location).toBe("US");
  });

  it("reads the recorded state and refuses a merge with other logic vars before any statement runs", async () => {
    fake.tables.register({ target: STATE, schema: [{ name: "table_name", type: "STRING" }, { name: "vars", type: "STRING" }] });
    fake.setQueryResult(/from `venezuelawatch\.vwatch\.table_vars`/, {
      schema: [{ name: "table_name", type: "STRING" }, { name: "vars", type: "STRING" }],
      rows: [{ table_name: "venezuelawatch.analytics.mention_spikes", vars: JSON.stringify({ z_threshold: "1.0", lookback_days: "30" }) }],
    });
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.err).toContain("venezuelawatch.analytics.mention_spikes was built with z_threshold=1.0 and this run has z_threshold=2.0");
    // The one job was the read of the state; nothing else ran.
    expect(fake.queries().map((q) => q.sql.trim())).toEqual(["select table_name, vars from `venezuelawatch.vwatch.table_vars`"]);

    const same = await run("z_threshold=1.0");
    expect(same.code).toBe(0);
  });
});
