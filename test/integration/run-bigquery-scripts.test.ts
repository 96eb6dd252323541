import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { copyProject, repoRoot, tempHome } from "../helpers/project";
import * as path from "path";

// The conformance project (one action of each kind; an incremental table whose pre-operation
// declares a script variable) run twice with `vwatch run --warehouse bigquery` on the executing
// fake: the first run creates, the second merges, each statement as the plan sends it.
const P = "conformance-proj";
let fake: FakeBigQuery;
const env = { ...process.env };
const project = copyProject(path.join(repoRoot, "test", "fixtures", "conformance"));
const home = tempHome();

beforeAll(async () => {
  fake = await startFakeBigQuery({ projectId: P, location: "US", execute: true });
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  process.env.GOOGLE_CLOUD_PROJECT = P;
});
afterAll(async () => {
  process.env = env;
  await fake.close();
});

const run = () => runCli(["--home", home, "--project-dir", project, "-q", "run", "--warehouse", "bigquery", "--no-sync", "--json"]);
const rows = (sql: string) => fake.engine!.db.run(sql);

describe("the plan's BigQuery scripts on the executing fake", () => {
  it("a first run creates every table, view, operation output and assertion", async () => {
    const { code, err } = await run();
    expect(code, err).toBe(0);
    expect(await rows(`select * from \`${P}.analytics.mentions_merged\``)).toEqual([{ event_date: "2024-01-01", country_code: "VEN", event_count: 3 }]);
    expect(await rows(`select * from \`${P}.analytics.events_by_country\``)).toEqual([{ country_code: "VEN", event_count: 3 }]);
    expect(await rows(`select count(*) as n from \`${P}.analytics.refresh_audit\``)).toEqual([{ n: 1 }]);
    // The pre-operation and the create went as one script, the declared variable used by the query.
    const script = fake.queries().find((q) => q.sql.startsWith("declare cutoff"))!;
    expect(script.sql).toMatch(/;\ncreate or replace table `conformance-proj\.analytics\.mentions_merged` partition by event_date as/);
    const table = (await (await fetch(`${fake.url}/bigquery/v2/projects/${P}/datasets/analytics/tables/events_daily`)).json()) as any;
    expect(table.timePartitioning).toEqual({ type: "DAY", field: "event_date" });
    expect(table.clustering).toEqual({ fields: ["country_code", "source"] });
    expect(table.labels).toEqual({ layer: "outputs", owner: "analytics" });
    expect(table.schema.fields.find((f: { name: string }) => f.name === "event_count").description).toBe("Events that day.");
  });

  it("a second run merges through the declared cutoff and appends to the operation's table", async () => {
    const before = fake.queries().length;
    const { code, out, err } = await run();
    expect(code, err).toBe(0);
    const merged = JSON.parse(out).actions.find((a: { name: string }) => a.name.endsWith("mentions_merged"));
    expect(merged).toMatchObject({ status: "success", mode: "merge" });
    const script = fake.queries().slice(before).find((q) => q.sql.startsWith("declare cutoff"))!;
    expect(script.sql).toMatch(/;\nmerge `conformance-proj\.analytics\.mentions_merged` T/);
    // Nothing after the cutoff: the merge leaves the one row as it was.
    expect(await rows(`select * from \`${P}.analytics.mentions_merged\``)).toEqual([{ event_date: "2024-01-01", country_code: "VEN", event_count: 3 }]);
    expect(await rows(`select count(*) as n from \`${P}.analytics.refresh_audit\``)).toEqual([{ n: 2 }]);
  });
});
