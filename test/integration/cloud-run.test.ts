import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { actionsFromGraph, errors, startFakeDataform, type FakeDataform, type RecordedRequest } from "../fakes/dataform-server";
import { startFakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { freshDatabase } from "../helpers/pg";
import { repoRoot, tempHome } from "../helpers/project";
import { REPO, productionYaml } from "../helpers/deploy-settings";

// `vwatch cloud run` against the fake Dataform v1 API with the project's own compiled graph: what
// it prints, what it writes, its exit codes and exactly which calls it makes; and the write-back
// after it, which reads mention_spikes from BigQuery (a fake that answers the queries it is given)
// where the service built it, the release's overrides applied.

const RELEASE = `${REPO}/releaseConfigs/production`;
const SETTINGS = `${productionYaml()}  release:
    overrides:
      defaultProject: vw-project
      vars:
        app_connection: vw-project.us.app-postgres
  workflows:
    - id: daily
      serviceAccount: runner@vw-project.iam.gserviceaccount.com
`;

let fake: FakeDataform;
// The jobs the service runs, for `cloud run`'s bytes-processed lookups (jobs.get): every query of
// the project answers the fake's default bytes.
let jobsBigquery: Awaited<ReturnType<typeof startFakeBigQuery>>;
const home = tempHome();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-cloud-"));
const settings = path.join(dir, "vwatch.yaml");
const saved = { ...process.env };
const graph = compileProject({ projectDir: repoRoot, projectConfigOverride: { defaultDatabase: "vw-project", vars: { app_connection: "vw-project.us.app-postgres" } } });
const runnable = [...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? [])].filter((a) => !a.disabled);

/** Runs `vwatch cloud …` and returns what it printed, with the requests it made. */
async function cloud(...args: string[]) {
  const before = fake.requests.length;
  const r = await runCli(["--home", home, "cloud", ...args, "--settings", settings]);
  const calls = fake.requests.slice(before);
  return { ...r, calls, rpcs: calls.map((c) => c.rpc), lines: r.err.split("\n") };
}

/** The polls after the first three calls: pairs of GetWorkflowInvocation and QueryWorkflowInvocationActions, nothing else. */
function expectPolls(calls: RecordedRequest[], invocation: string) {
  expect(calls.length % 2).toBe(0);
  for (let i = 0; i < calls.length; i += 2) {
    expect(`${calls[i].method} ${calls[i].path}`).toBe(`GET /v1/${invocation}`);
    expect(`${calls[i + 1].method} ${calls[i + 1].path}`).toBe(`GET /v1/${invocation}:query`);
  }
}

beforeAll(async () => {
  fake = await startFakeDataform({ maxPageSize: 7 });
  jobsBigquery = await startFakeBigQuery({ projectId: "vw-project", defaultBytesProcessed: 3 * 1024 * 1024 });
  process.env.DATAFORM_EMULATOR_HOST = fake.url;
  process.env.BIGQUERY_EMULATOR_HOST = jobsBigquery.url;
  process.env.VWATCH_CLOUD_POLL_MS = "5";
  fs.writeFileSync(settings, SETTINGS);
  fake.store.createRepository("projects/vw-project/locations/us-central1", "analytics", {});
  fake.store.createConfig("releaseConfigs", REPO, "production", { gitCommitish: "main", codeCompilationConfig: { defaultDatabase: "vw-project", vars: { app_connection: "vw-project.us.app-postgres" } } });
  fake.store.createConfig("workflowConfigs", REPO, "daily", { releaseConfig: RELEASE, cronSchedule: "15 2 * * *" });
});
beforeEach(() => {
  fake.setCompiledActions(actionsFromGraph(graph));
  fake.scriptInvocations({});
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
  await jobsBigquery.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe("vwatch cloud run", () => {
  it("a succeeding run prints each action's progress and the summary, writes run_results.json, and makes exactly the documented calls", async () => {
    const r = await cloud("run", "--tags", "mentions", "--include-deps", "--no-sync");
    expect(r.code, r.err).toBe(0);
    const [compile, query] = r.calls;
    expect(`${compile.rpc} ${compile.method} ${compile.path}`).toBe(`CreateCompilationResult POST /v1/${REPO}/compilationResults`);
    expect(compile.body).toEqual({ releaseConfig: RELEASE });
    const result = [...fake.store.resources.compilationResults.keys()].pop()!;
    // Paged: the fake answers at most 7 actions a page.
    expect(`${query.rpc} ${query.method} ${query.path}`).toBe(`QueryCompilationResultActions GET /v1/${result}:query`);
    expect(r.rpcs.filter((x) => x === "QueryCompilationResultActions").length).toBe(Math.ceil(actionsFromGraph(graph).length / 7));
    const rest = r.calls.slice(r.rpcs.lastIndexOf("QueryCompilationResultActions") + 1);
    expect(`${rest[0].rpc} ${rest[0].method} ${rest[0].path}`).toBe(`CreateWorkflowInvocation POST /v1/${REPO}/workflowInvocations`);
    expect(rest[0].body).toEqual({ compilationResult: result, invocationConfig: { includedTags: ["mentions"], transitiveDependenciesIncluded: true, serviceAccount: "runner@vw-project.iam.gserviceaccount.com" } });
    const invocation = [...fake.store.invocations.keys()].pop()!;
    // Each poll: the invocation, then its actions (each page of them).
    const pollCalls = rest.slice(1).filter((c) => !c.query.pageToken);
    expectPolls(pollCalls, invocation);
    expect(r.calls.every((c) => c.method === "GET" || ["CreateCompilationResult", "CreateWorkflowInvocation"].includes(c.rpc))).toBe(true);

    const ran = fake.store.invocation(invocation).runs.map((x) => `vw-project.${x.action.target.schema}.${x.action.target.name}`);
    expect(ran).toContain("vw-project.analytics.mention_spikes");
    expect(r.err).toContain(`invocation ${invocation} started; Ctrl-C cancels it`);
    // A poll sees an action start, or (when it was quick) already ended.
    expect(r.lines.filter((l) => /^\[\d+\/\d+\] running  /.test(l)).length).toBeGreaterThan(0);
    expect(r.lines.filter((l) => /^\[\d+\/\d+\] running  /.test(l)).length).toBeLessThanOrEqual(ran.length);
    expect(r.lines.filter((l) => /^\[\d+\/\d+\] success  /.test(l)).length).toBe(ran.length);
    expect(r.lines.find((l) => l.includes("success  vw-project.analytics.mention_spikes"))).toMatch(/^\[\d+\/\d+\] success  vw-project\.analytics\.mention_spikes \(incremental, \d+\.\d\ds\)$/);
    expect(r.lines.filter((l) => l.startsWith(`[${ran.length}/${ran.length}] success`)).length).toBe(1);
    expect(r.err).toContain(`${ran.length} succeeded, 0 failed, 0 skipped; invocation SUCCEEDED`);
    expect(r.err).toMatch(/action +type +status +rows +seconds\n/);

    const saved = JSON.parse(fs.readFileSync(path.join(home, "run_results.json"), "utf8"));
    expect(Object.keys(saved)).toEqual(["runId", "startedAt", "finishedAt", "warehouse", "project", "options", "dataform", "summary", "actions"]);
    expect(saved.runId).toBe(invocation.split("/").pop());
    expect(saved.warehouse).toBe("bigquery");
    expect(saved.project).toEqual({ defaultDatabase: "vw-project" });
    expect(saved.dataform).toEqual({ invocation, state: "SUCCEEDED", compilationResult: result, releaseConfig: RELEASE, resolvedGitCommitSha: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(saved.summary).toEqual({ success: ran.length, failed: 0, skipped: 0, disabled: 0 });
    const spikes = saved.actions.find((a: any) => a.name === "vw-project.analytics.mention_spikes");
    expect(spikes).toEqual({ name: "vw-project.analytics.mention_spikes", kind: "incremental", fileName: "definitions/outputs/mention_spikes.sqlx", status: "success", seconds: expect.any(Number), jobId: expect.stringMatching(/^dataform_/) });
    expect(saved.actions.map((a: any) => a.name)).toEqual(ran);
    // No write-back (--no-sync) opened PostgreSQL: the run waits for the run ledger in the home folder.
    const pending = fs.readFileSync(path.join(home, "pending_runs.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).pop();
    expect(pending).toMatchObject({ id: saved.runId, ranOn: "dataform", status: "succeeded", selection: { tags: ["mentions"], includeDeps: true } });
  });

  it("a failing action exits 1 with the service's reason; its dependents are skipped", async () => {
    fake.scriptInvocations({ fail: { int_mention_baselines: "Query error: Division by zero: 1 / 0 at [12:3]" } });
    const r = await cloud("run", "--actions", "mention_spikes", "--include-deps", "--no-sync", "--json");
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain("failed   vw-project.intermediate.int_mention_baselines (table, ");
    expect(r.err).toContain("      Query error: Division by zero: 1 / 0 at [12:3]");
    const record = JSON.parse(r.out);
    expect(record.dataform.state).toBe("FAILED");
    expect(record.actions.find((a: any) => a.name.endsWith(".int_mention_baselines")).error).toEqual({ code: "FAILED", message: "Query error: Division by zero: 1 / 0 at [12:3]" });
    expect(record.actions.find((a: any) => a.name.endsWith(".mention_spikes"))).toMatchObject({ status: "skipped", error: { code: "SKIPPED" } });
    // `vwatch retry` does not re-run a service run locally: it names the cloud command.
    const retry = await runCli(["--home", home, "retry"]);
    expect(retry.code).toBe(2);
    expect(retry.err).toBe(`error: the last run was the Dataform service's invocation ${record.dataform.invocation}; retry it there: vwatch cloud run --actions vw-project.intermediate.int_mention_baselines,vw-project.analytics.mention_spikes\n`);
    expect(r.calls.find((c) => c.rpc === "CreateWorkflowInvocation")!.body.invocationConfig).toEqual({
      includedTargets: [{ database: "vw-project", schema: "analytics", name: "mention_spikes" }],
      transitiveDependenciesIncluded: true,
      serviceAccount: "runner@vw-project.iam.gserviceaccount.com",
    });
  });

  it("the service's compilation errors are reported as definitions/file.sqlx: message (exit 2), and nothing is invoked", async () => {
    fake.setCompiledActions([], [
      { path: "definitions/outputs/mention_spikes.sqlx", message: 'ref("int_mention_baseline") could not be resolved' },
      { path: "workflow_settings.yaml", message: "z_threshold: must be a number" },
    ]);
    const r = await cloud("run", "--no-sync");
    expect(r.code).toBe(2);
    expect(r.lines.filter((l) => l.startsWith("error: ") || l.startsWith("  "))).toEqual([
      expect.stringMatching(/^error: the Dataform service could not compile release config production \(projects\/.*\/compilationResults\/.*\):$/),
      '  definitions/outputs/mention_spikes.sqlx: ref("int_mention_baseline") could not be resolved',
      "  workflow_settings.yaml: z_threshold: must be a number",
    ]);
    expect(r.rpcs).toEqual(["CreateCompilationResult"]);
  });

  it("--no-wait prints the invocation's name and exits 0 without polling", async () => {
    const r = await cloud("run", "--no-wait", "--full-refresh");
    expect(r.code, r.err).toBe(0);
    const invocation = [...fake.store.invocations.keys()].pop()!;
    expect(r.out).toBe(`${invocation}\n`);
    expect(r.rpcs.filter((x) => x !== "QueryCompilationResultActions")).toEqual(["CreateCompilationResult", "CreateWorkflowInvocation"]);
    expect(r.calls.at(-1)!.body.invocationConfig).toEqual({ fullyRefreshIncrementalTablesEnabled: true, serviceAccount: "runner@vw-project.iam.gserviceaccount.com" });
  });

  it("--commitish and --vars compile a Git commitish with the release's overrides and the vars merged", async () => {
    const r = await cloud("run", "--commitish", "feature/x", "--vars", "z_threshold=2.5", "--no-wait");
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0].body).toEqual({ gitCommitish: "feature/x", codeCompilationConfig: { defaultDatabase: "vw-project", vars: { app_connection: "vw-project.us.app-postgres", z_threshold: "2.5" } } });
    const varsOnly = await cloud("run", "--vars", "as_of=2024-03-01", "--no-wait");
    expect(varsOnly.calls[0].body.gitCommitish).toBe("main");
  });

  it("a bad or unknown var, or a bad poll interval, is refused (exit 2) before any call", async () => {
    for (const [vars, message] of [
      ["z_threshold=high", /^error: --vars: .*z_threshold/],
      ["z_treshold=2", /^error: --vars: unknown var "z_treshold"; did you mean z_threshold\?/],
    ] as const) {
      const r = await cloud("run", "--vars", vars);
      expect(r.code).toBe(2);
      expect(r.lines.find((l) => l.startsWith("error: "))).toMatch(message);
      expect(r.calls).toEqual([]);
    }
    process.env.VWATCH_CLOUD_POLL_MS = "soon";
    try {
      const r = await cloud("run");
      expect([r.code, r.lines.find((l) => l.startsWith("error: "))]).toEqual([2, 'error: VWATCH_CLOUD_POLL_MS must be a whole number of milliseconds (1 or more), got "soon"']);
      expect(r.calls).toEqual([]);
    } finally {
      process.env.VWATCH_CLOUD_POLL_MS = "5";
    }
  });

  it("an unknown tag or action is one line per name (exit 2), checked against the service's compilation before any invocation", async () => {
    const r = await cloud("run", "--tags", "mention", "--actions", "mention_spike,stg_gdelt__events_partitioned");
    expect(r.code).toBe(2);
    const errs = r.lines.filter((l) => l.startsWith("error: ") || /^--/.test(l));
    expect(errs[0]).toMatch(/^error: --tags: no action has the tag "mention"; did you mean mentions\? \(tags: .*\)$/);
    expect(errs[1]).toBe('--actions: no action "mention_spike" in the compiled project; did you mean mention_spikes?');
    expect(r.rpcs).not.toContain("CreateWorkflowInvocation");
  });

  it("errors: the API disabled, a missing permission with its role (exit 2); a transient error is retried", async () => {
    fake.setServiceDisabled(true);
    try {
      const r = await cloud("run");
      expect([r.code, r.lines.find((l) => l.startsWith("error: "))]).toEqual([2, "error: the Dataform API is not enabled: enable dataform.googleapis.com in project vw-project (gcloud services enable dataform.googleapis.com --project vw-project), wait a few minutes, then run again"]);
    } finally {
      fake.setServiceDisabled(false);
    }
    fake.deny("dataform.workflowInvocations.create");
    try {
      const r = await cloud("run");
      expect(r.code).toBe(2);
      expect(r.lines.find((l) => l.startsWith("error: "))).toBe(`error: permission dataform.workflowInvocations.create denied on ${REPO} (CreateWorkflowInvocation): grant the credentials vwatch uses roles/dataform.editor (Dataform Editor) on project vw-project (or on the repository)`);
    } finally {
      fake.allow("dataform.workflowInvocations.create");
    }
    fake.failNext("GetWorkflowInvocation", 503);
    const r = await cloud("run", "--actions", "events", "--no-sync");
    expect(r.code, r.err).toBe(0);
    expect(r.rpcs.filter((x) => x === "GetWorkflowInvocation").length).toBeGreaterThan(1);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
  });

  it("after mention_spikes succeeded, the spikes are synced from BigQuery (the release's project and dataset) to PostgreSQL; --no-sync skips it", async () => {
    const bigquery = await startFakeBigQuery({ projectId: "vw-project" });
    const db = await freshDatabase("vwatch_cloud_sync");
    process.env.BIGQUERY_EMULATOR_HOST = bigquery.url;
    process.env.DATABASE_URL = db.url;
    try {
      const skipped = await cloud("run", "--actions", "mention_spikes", "--no-sync");
      expect(skipped.code, skipped.err).toBe(0);
      expect(bigquery.queries()).toEqual([]);

      const r = await cloud("run", "--actions", "mention_spikes");
      expect(r.code, r.err).toBe(0);
      const sql = bigquery.queries().map((q) => q.sql).join("\n");
      expect(sql).toContain("`vw-project.analytics.mention_spikes`");
      expect(sql).not.toContain("venezuelawatch.analytics");
      expect(r.err).toContain("spikes written to PostgreSQL: none (the warehouse holds no spikes)");

      // Not when mention_spikes did not run.
      const before = bigquery.queries().length;
      expect((await cloud("run", "--actions", "events")).code).toBe(0);
      expect(bigquery.queries().length).toBe(before);
    } finally {
      process.env.BIGQUERY_EMULATOR_HOST = jobsBigquery.url;
      delete process.env.DATABASE_URL;
      await bigquery.close();
      await db.drop();
    }
  });

  it("reads each action's bytes processed from its BigQuery job; jobs BigQuery does not know leave them unknown without failing the run", async () => {
    fake.scriptInvocations({ onJobStart: (jobId, sql) => void jobsBigquery.runJob(jobId, sql) });
    const r = await cloud("run", "--actions", "events", "--no-sync");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/action +type +status +rows +seconds +bytes processed\n/);
    expect(r.err).toMatch(/analytics\.events +table +success +\d+\.\d\d +3\.0 MB/);
    const saved = JSON.parse(fs.readFileSync(path.join(home, "run_results.json"), "utf8"));
    const events = saved.actions.find((a: any) => a.name === "vw-project.analytics.events");
    expect(events.bytesProcessed).toBe(3 * 1024 * 1024);
    const gets = jobsBigquery.requests.filter((q) => q.method === "GET" && q.path.includes(`/jobs/${events.jobId}`));
    expect(gets.length).toBe(1);

    // Jobs BigQuery does not know (another project, no permission to see them) leave the bytes unknown, without failing the run.
    fake.scriptInvocations({});
    const unknown = await cloud("run", "--actions", "events", "--no-sync");
    expect(unknown.code, unknown.err).toBe(0);
    expect(unknown.err).not.toContain("bytes processed");
    expect(JSON.parse(fs.readFileSync(path.join(home, "run_results.json"), "utf8")).actions.find((a: any) => a.name === "vw-project.analytics.events").bytesProcessed).toBeUndefined();
  });
});
