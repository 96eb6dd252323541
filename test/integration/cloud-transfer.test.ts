import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { markerLine } from "../../orchestrator/cloud/transfer-plan";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { startFakeDataTransfer, type FakeDataTransfer } from "../fakes/datatransfer-server";
import { runCli } from "../helpers/cli";
import { freshDatabase } from "../helpers/pg";
import { tempHome } from "../helpers/project";
import { productionYaml } from "../helpers/deploy-settings";

// `vwatch cloud run --via transfer NAME` and `vwatch cloud runs --transfers` against the fake Data
// Transfer v1 API: the config found as deploy matches it, the manual run started and followed
// (states and log messages), exit codes, the write-back only when the selection has the spikes,
// the options refused, the errors, Ctrl-C, and the list of recent runs.

const PARENT = "projects/vw-project/locations/us";
const VERTEX = "vwatch entity_risk_training_data";
const SPIKES = "vwatch spikes";
const SETTINGS = `${productionYaml()}  release:
    overrides:
      defaultProject: vw-project
      vars:
        app_connection: vw-project.us.app-postgres
  scheduledQueries:
    - name: ${VERTEX}
      actions: [entity_risk_training_data]
      disabled: true
    - name: ${SPIKES}
      actions: [mention_spikes]
    - name: vwatch not deployed
      tags: [mentions]
`;

let transfer: FakeDataTransfer;
let bigquery: FakeBigQuery;
const home = tempHome();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-cloud-transfer-"));
const settings = path.join(dir, "vwatch.yaml");
const saved = { ...process.env };

/** A scheduled query as vwatch deploy leaves it (its query's first line is vwatch's marker). */
function deployed(name: string, extra: Record<string, unknown> = {}): string {
  const body = { displayName: name, dataSourceId: "scheduled_query", params: { query: `${markerLine(name)}\nselect 1;` }, schedule: "every day 02:15", ...extra };
  return transfer.store.create("vw-project", "us", body, "runner@vw-project.iam.gserviceaccount.com").name;
}

async function cloud(...args: string[]) {
  const before = transfer.requests.length;
  const r = await runCli(["--home", home, "cloud", ...args, "--settings", settings]);
  const calls = transfer.requests.slice(before);
  return { ...r, calls, rpcs: calls.map((c) => c.rpc) };
}

beforeAll(async () => {
  transfer = await startFakeDataTransfer();
  bigquery = await startFakeBigQuery({ projectId: "vw-project" });
  process.env.BIGQUERY_DATATRANSFER_EMULATOR_HOST = transfer.url;
  process.env.BIGQUERY_EMULATOR_HOST = bigquery.url;
  process.env.VWATCH_CLOUD_POLL_MS = "5";
  fs.writeFileSync(settings, SETTINGS);
});
beforeEach(() => {
  transfer.store.configs.clear();
  transfer.store.runs.clear();
  transfer.scriptRuns({ outcome: "SUCCEEDED" });
  transfer.setServiceDisabled(false);
});
afterAll(async () => {
  process.env = saved;
  await transfer.close();
  await bigquery.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe("vwatch cloud run --via transfer", () => {
  it("starts a manual run of the scheduled query now, prints its states and log messages until it succeeds (exit 0), and writes nothing back when its selection has no spikes", async () => {
    const config = deployed(VERTEX, { disabled: true });
    deployed("hand made"); // another config: never run
    const queriesBefore = bigquery.queries().length;
    const started = Date.now();
    const r = await cloud("run", "--via", "transfer", VERTEX);
    expect(r.code, r.err).toBe(0);
    expect(r.rpcs.slice(0, 2)).toEqual(["ListTransferConfigs", "StartManualTransferRuns"]);
    expect(r.calls[0].path).toBe(`/v1/${PARENT}/transferConfigs`);
    expect(r.calls[0].all.dataSourceIds).toEqual(["scheduled_query"]);
    const start = r.calls[1];
    expect(start.path).toBe(`/v1/${config}:startManualRuns`);
    expect(Object.keys(start.body)).toEqual(["requestedRunTime"]);
    const requested = Date.parse(start.body.requestedRunTime);
    expect(requested).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(requested).toBeLessThanOrEqual(Date.now());
    const run = [...transfer.store.runs.values()][0].run.name as string;
    // Then only polls: the run and its log, in pairs.
    const polls = r.calls.slice(2);
    expect(polls.length).toBe(4);
    expect(polls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET /v1/${run}`, `GET /v1/${run}/transferLogs`, `GET /v1/${run}`, `GET /v1/${run}/transferLogs`]);

    const lines = r.err.split("\n").filter(Boolean);
    expect(lines).toContain(`the scheduled query "${VERTEX}" is disabled (its schedule does not run); this manual run does`);
    expect(lines).toContain(`transfer run ${run} started for the scheduled query "${VERTEX}"; Ctrl-C stops waiting (the Data Transfer API cannot cancel a run)`);
    const followed = lines.filter((l) => /^transfer run [A-Z]+$/.test(l) || /^ {2}\S+ (INFO|WARNING|ERROR)/.test(l)).map((l) => l.replace(/^ {2}\S+ /, "  "));
    expect(followed).toEqual([`  INFO    Dispatched run to data source with id ${config.split("/").pop()}`, "transfer run RUNNING", "  INFO    Query completed.", "transfer run SUCCEEDED"]);
    expect(r.err).toMatch(new RegExp(`the scheduled query "${VERTEX}" SUCCEEDED in \\d+\\.\\d s`));
    expect(r.err).not.toContain("spikes written");
    expect(bigquery.queries().length).toBe(queriesBefore);
  });

  it("a failed run exits 1 with the run's error status message; --json prints the final run with its messages", async () => {
    deployed(VERTEX);
    transfer.scriptRuns({ outcome: "FAILED", error: "Query error: Not found: Table vw-project:intermediate.int_gdelt_events was not found in location US at [12:3]" });
    const r = await cloud("run", "--via", "transfer", VERTEX, "--json");
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain(`the scheduled query "${VERTEX}" FAILED in 1.0 s: Query error: Not found: Table vw-project:intermediate.int_gdelt_events was not found in location US at [12:3]`);
    const out = JSON.parse(r.out);
    expect(out).toMatchObject({ query: VERTEX, state: "FAILED", error: "Query error: Not found: Table vw-project:intermediate.int_gdelt_events was not found in location US at [12:3]", seconds: 1 });
    expect(out.name).toMatch(new RegExp(`^${PARENT}/transferConfigs/[^/]+/runs/[^/]+$`));
    expect(out.messages.map((m: { severity: string; text: string }) => `${m.severity} ${m.text}`)).toEqual([expect.stringMatching(/^INFO Dispatched run/), "ERROR Query error: Not found: Table vw-project:intermediate.int_gdelt_events was not found in location US at [12:3]"]);
  });

  it("after a successful run whose selection includes mention_spikes, the spikes are synced from BigQuery (the release's project) to PostgreSQL; --no-sync skips it", async () => {
    deployed(SPIKES);
    const db = await freshDatabase("vwatch_transfer_sync");
    process.env.DATABASE_URL = db.url;
    try {
      const before = bigquery.queries().length;
      const skipped = await cloud("run", "--via", "transfer", SPIKES, "--no-sync");
      expect(skipped.code, skipped.err).toBe(0);
      expect(bigquery.queries().length).toBe(before);

      const r = await cloud("run", "--via", "transfer", SPIKES);
      expect(r.code, r.err).toBe(0);
      const sql = bigquery.queries().slice(before).map((q) => q.sql).join("\n");
      expect(sql).toContain("`vw-project.analytics.mention_spikes`");
      expect(sql).not.toContain("venezuelawatch.analytics");
      expect(r.err).toContain("spikes written to PostgreSQL: none (the warehouse holds no spikes)");
    } finally {
      delete process.env.DATABASE_URL;
      await db.drop();
    }
  });

  it("refuses the options of a Dataform run (exit 2, one line, no call), a missing name and an unknown --via", async () => {
    for (const args of [["--tags", "mentions"], ["--actions", "events", "--full-refresh"], ["--vars", "z_threshold=3"], ["--commitish", "main"], ["--include-deps"]]) {
      const r = await cloud("run", "--via", "transfer", VERTEX, ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toContain(`cloud run --via transfer: ${args.filter((a) => a.startsWith("--")).join(", ")} cannot be used: a scheduled query runs the selection and vars its entry in vwatch.yaml gives it`);
      expect(r.calls).toEqual([]);
    }
    const noName = await cloud("run", "--via", "transfer");
    expect(noName.code).toBe(2);
    expect(noName.err).toContain("name the scheduled query to run");
    const via = await cloud("run", "--via", "cron");
    expect(via.code).toBe(2);
    expect(via.err).toContain('--via must be dataform or transfer, got "cron"');
    const named = await cloud("run", VERTEX);
    expect(named.code).toBe(2);
    expect(named.err).toContain("a name is for --via transfer");
  });

  it("errors: a name vwatch.yaml does not declare, a query not deployed, one made by hand, a missing permission, the API disabled (exit 2, one line)", async () => {
    const unknown = await cloud("run", "--via", "transfer", "vwatch nope");
    expect(unknown.code).toBe(2);
    expect(unknown.err.trim()).toMatch(/^error: no scheduled query "vwatch nope" in \S*vwatch\.yaml: /);
    expect(unknown.err.trim()).toContain(`: it declares "${VERTEX}", "${SPIKES}", "vwatch not deployed"`);
    expect(unknown.calls).toEqual([]);

    const missing = await cloud("run", "--via", "transfer", VERTEX);
    expect(missing.code).toBe(2);
    expect(missing.err.trim()).toBe(`error: no scheduled query "${VERTEX}" in ${PARENT}; run \`vwatch deploy\` to create it`);
    expect(missing.rpcs).toEqual(["ListTransferConfigs"]);

    const hand = transfer.store.create("vw-project", "us", { displayName: VERTEX, dataSourceId: "scheduled_query", params: { query: "select 1" }, schedule: "every day 05:05" }, undefined).name;
    const refused = await cloud("run", "--via", "transfer", VERTEX);
    expect(refused.code).toBe(2);
    expect(refused.err.trim()).toBe(`error: the scheduled query "${VERTEX}" in ${PARENT} (${hand}) was not created by vwatch deploy; vwatch runs only its own: rename one of them, then run \`vwatch deploy\``);
    expect(refused.rpcs).toEqual(["ListTransferConfigs"]);

    transfer.store.configs.clear();
    deployed(VERTEX);
    const denied = await startFakeDataTransfer();
    denied.deny("bigquery.transfers.update");
    process.env.BIGQUERY_DATATRANSFER_EMULATOR_HOST = denied.url;
    try {
      denied.store.create("vw-project", "us", { displayName: VERTEX, dataSourceId: "scheduled_query", params: { query: `${markerLine(VERTEX)}\nselect 1;` }, schedule: "every day 02:15" }, undefined);
      const r = await runCli(["--home", home, "cloud", "run", "--via", "transfer", VERTEX, "--settings", settings]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error: permission bigquery\.transfers\.update denied on projects\/vw-project\/locations\/us\/transferConfigs\/[^ ]+ \(StartManualTransferRuns\): grant the credentials vwatch uses roles\/bigquery\.admin/);
      expect(denied.requests.map((q) => q.rpc)).toEqual(["ListTransferConfigs", "StartManualTransferRuns"]);
      expect(denied.store.runs.size).toBe(0);
    } finally {
      process.env.BIGQUERY_DATATRANSFER_EMULATOR_HOST = transfer.url;
      await denied.close();
    }

    transfer.setServiceDisabled(true);
    const disabled = await cloud("run", "--via", "transfer", VERTEX);
    expect(disabled.code).toBe(2);
    expect(disabled.err).toContain("enable bigquerydatatransfer.googleapis.com in project vw-project");
    expect(disabled.err.trim().split("\n")).toHaveLength(1);
  });

  it("Ctrl-C stops waiting: the run cannot be cancelled, vwatch says so and exits 1", async () => {
    deployed(VERTEX);
    process.env.VWATCH_CLOUD_POLL_MS = "20";
    // The run stays RUNNING; once vwatch has polled it, Ctrl-C.
    const timer = setInterval(() => {
      const r = [...transfer.store.runs.values()][0];
      if (!r) return;
      if (r.steps.length < 10) r.steps = Array(1000).fill("RUNNING");
      // Once vwatch polls the run and listens for Ctrl-C (earlier tests' polls are in requests too).
      if (transfer.requests.some((q) => q.rpc === "GetTransferRun") && process.listenerCount("SIGINT") > 0) {
        clearInterval(timer);
        process.emit("SIGINT");
      }
    }, 5);
    try {
      const r = await cloud("run", "--via", "transfer", VERTEX);
      expect(r.code, r.err).toBe(1);
      const run = [...transfer.store.runs.values()][0].run.name;
      expect(r.err).toContain(`stopped waiting; the Data Transfer API cannot cancel a run, so ${run} goes on: \`vwatch cloud runs --transfers\` shows how it ends`);
      expect(r.rpcs.every((x) => ["ListTransferConfigs", "StartManualTransferRuns", "GetTransferRun", "ListTransferLogs"].includes(x))).toBe(true);
      expect(process.listenerCount("SIGINT")).toBe(0);
    } finally {
      clearInterval(timer);
      process.env.VWATCH_CLOUD_POLL_MS = "5";
    }
  });
});

describe("vwatch cloud runs --transfers", () => {
  it("lists the runs of vwatch's deployed scheduled queries newest first (name, state, run time, start, end, error); --limit; --json; a declared query not deployed is said", async () => {
    deployed(VERTEX);
    deployed(SPIKES);
    deployed("hand made");
    expect((await cloud("run", "--via", "transfer", VERTEX, "--no-sync")).code).toBe(0);
    transfer.scriptRuns({ outcome: "FAILED", error: "Query error: division by zero" });
    expect((await cloud("run", "--via", "transfer", SPIKES)).code).toBe(1);

    const r = await cloud("runs", "--transfers");
    expect(r.code, r.err).toBe(0);
    const rows = r.out.trim().split("\n");
    expect(rows[0]).toMatch(/^scheduled query +run +state +run time +started +ended +error$/);
    expect(rows).toHaveLength(4);
    expect(rows[2]).toMatch(new RegExp(`^${SPIKES} +[0-9a-f-]{36} +FAILED +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +\\S+Z +\\S+Z +Query error: division by zero$`));
    expect(rows[3]).toMatch(new RegExp(`^${VERTEX} +[0-9a-f-]{36} +SUCCEEDED +\\S+Z +\\S+Z +\\S+Z$`));
    expect(r.err).toContain('the scheduled query "vwatch not deployed" is not deployed yet (`vwatch deploy` creates it)');
    // One list of configs per location, then one list of runs per deployed query of vwatch.yaml.
    expect(r.rpcs).toEqual(["ListTransferConfigs", "ListTransferRuns", "ListTransferRuns"]);

    const json = await cloud("runs", "--transfers", "--limit", "1", "--json");
    expect(json.code).toBe(0);
    const runs = JSON.parse(json.out);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ query: SPIKES, state: "FAILED", error: "Query error: division by zero" });
  });
});
