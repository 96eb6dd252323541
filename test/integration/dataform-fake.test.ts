import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDataformClient } from "../../orchestrator/cloud/client";
import { DataformApi } from "../../orchestrator/cloud/dataform-api";
import { compileProject } from "../../orchestrator/compile/compile";
import { CloudError } from "../../orchestrator/errors";
import { actionsFromGraph, startFakeDataform, type FakeAction, type FakeDataform } from "../fakes/dataform-server";
import { repoRoot } from "../helpers/project";

// The Dataform v1 client (REST transport) against the fake: the API's rules as the fake enforces
// them, the invocation life cycle a later `vwatch cloud run` polls, and the client's timeouts,
// retries and errors.

const LOCATION = "projects/vw-project/locations/us-central1";
const REPO = `${LOCATION}/repositories/analytics`;
const REF = { project: "vw-project", region: "us-central1", repository: "analytics" };
const t = (name: string) => ({ database: "vw-project", schema: "analytics", name });
const ACTIONS: FakeAction[] = [
  { target: t("events"), fileName: "definitions/events.sqlx", kind: "table", tags: ["daily"] },
  { target: t("daily_counts"), fileName: "definitions/daily_counts.sqlx", kind: "incremental", tags: ["daily"], dependencies: [t("events")] },
  { target: t("spikes"), fileName: "definitions/spikes.sqlx", kind: "table", tags: ["spikes"], dependencies: [t("daily_counts")] },
  { target: t("raw"), fileName: "definitions/raw.sqlx", kind: "declaration" },
];

let fake: FakeDataform;
let api: DataformApi;

async function failure(p: Promise<unknown>): Promise<CloudError> {
  const e = await p.then(
    () => undefined,
    (err) => err,
  );
  expect(e).toBeInstanceOf(CloudError);
  return e as CloudError;
}

beforeAll(async () => {
  fake = await startFakeDataform({ maxPageSize: 2 });
  api = new DataformApi(await createDataformClient({ DATAFORM_EMULATOR_HOST: fake.url }), { project: "vw-project", timeoutMs: 2000, retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 } });
});
afterAll(async () => {
  await api.close();
  await fake.close();
});

describe("the fake Dataform API through the v1 client", () => {
  beforeEach(async () => {
    if (!(await api.getRepository(REPO))) {
      await api.createRepository(REF, { gitRemoteSettings: { url: "https://example.com/a.git", defaultBranch: "main", authenticationTokenSecretVersion: "projects/vw-project/secrets/t/versions/1" } });
      await api.createReleaseConfig(REPO, "production", { gitCommitish: "main", cronSchedule: "45 1 * * *", timeZone: "Etc/UTC" });
    }
  });

  it("sends the documented HTTP requests: ids as query parameters, masks as updateMask", async () => {
    fake.requests.length = 0;
    await api.createWorkflowConfig(REPO, "nightly", { releaseConfig: `${REPO}/releaseConfigs/production`, cronSchedule: "15 2 * * *" });
    await api.updateWorkflowConfig({ name: `${REPO}/workflowConfigs/nightly`, cronSchedule: "30 2 * * *" }, ["cron_schedule"]);
    await api.deleteWorkflowConfig(`${REPO}/workflowConfigs/nightly`);
    expect(fake.requests.map((r) => [r.rpc, r.method, r.path, r.query.workflowConfigId ?? r.query.updateMask ?? ""])).toEqual([
      ["CreateWorkflowConfig", "POST", `/v1/${REPO}/workflowConfigs`, "nightly"],
      ["UpdateWorkflowConfig", "PATCH", `/v1/${REPO}/workflowConfigs/nightly`, "cron_schedule"],
      ["DeleteWorkflowConfig", "DELETE", `/v1/${REPO}/workflowConfigs/nightly`, ""],
    ]);
    // The name travels in the path; the body carries only what was set.
    expect(fake.requests[1].body).toEqual({ cronSchedule: "30 2 * * *" });
  });

  it("a PATCH changes only the masked fields; an unknown mask path is INVALID_ARGUMENT", async () => {
    const name = `${REPO}/releaseConfigs/production`;
    await api.updateReleaseConfig({ name, cronSchedule: "0 3 * * *", gitCommitish: "other-branch" }, ["cron_schedule"]);
    const after = await api.getReleaseConfig(name);
    expect([after?.cronSchedule, after?.gitCommitish, after?.timeZone]).toEqual(["0 3 * * *", "main", "Etc/UTC"]);
    const bad = await failure(api.updateReleaseConfig({ name, cronSchedule: "0 4 * * *" }, ["cron"]));
    expect([bad.reason, bad.message]).toEqual(["INVALID_ARGUMENT", `the Dataform API refused UpdateReleaseConfig of ${name}: update_mask: invalid update mask path "cron"`]);
    expect((await api.getReleaseConfig(name))?.cronSchedule).toBe("0 3 * * *");
  });

  it("a PATCH without a mask replaces every updatable field; an unknown JSON field is refused as Google's parser does", async () => {
    await api.createWorkflowConfig(REPO, "nomask", { releaseConfig: `${REPO}/releaseConfigs/production`, cronSchedule: "15 2 * * *", timeZone: "Etc/UTC" });
    await api.updateWorkflowConfig({ name: `${REPO}/workflowConfigs/nomask`, releaseConfig: `${REPO}/releaseConfigs/production`, cronSchedule: "0 5 * * *" }, []);
    const after = fake.store.resources.workflowConfigs.get(`${REPO}/workflowConfigs/nomask`)!;
    expect([after.cronSchedule, after.timeZone]).toEqual(["0 5 * * *", undefined]);
    const before = fake.requests.length;
    const sent = await fetch(`${fake.url}/v1/${REPO}/workflowConfigs?workflowConfigId=typo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ releaseConfig: `${REPO}/releaseConfigs/production`, cron: "15 2 * * *" }) });
    expect(sent.status).toBe(400);
    expect(await sent.json()).toEqual({ error: { code: 400, status: "INVALID_ARGUMENT", message: `Invalid JSON payload received. Unknown name "cron" at 'workflow_config': Cannot find field.`, details: [] } });
    expect(fake.requests.slice(before).map((r) => r.rpc)).toEqual(["CreateWorkflowConfig"]);
    await api.deleteWorkflowConfig(`${REPO}/workflowConfigs/nomask`);
  });

  it("enforces ids, required fields, cron schedules, time zones and label rules with the field in error", async () => {
    expect((await failure(api.createWorkflowConfig(REPO, "bad id", { releaseConfig: `${REPO}/releaseConfigs/production` }))).message).toContain('workflow_config_id "bad id" must match');
    expect((await failure(api.createWorkflowConfig(REPO, "w1", {}))).message).toContain("workflow_config.release_config is required");
    expect((await failure(api.createWorkflowConfig(REPO, "w1", { releaseConfig: `${REPO}/releaseConfigs/production`, cronSchedule: "60 * * * *" }))).message).toContain('workflow_config.cron_schedule "60 * * * *" is not a valid cron schedule');
    expect((await failure(api.createWorkflowConfig(REPO, "w1", { releaseConfig: `${REPO}/releaseConfigs/production`, timeZone: "Mars/Olympus" }))).message).toContain('workflow_config.time_zone "Mars/Olympus" is not a valid time zone');
    expect((await failure(api.createReleaseConfig(REPO, "r2", {}))).message).toContain("release_config.git_commitish is required");
    expect((await failure(api.updateRepository({ name: REPO, labels: { "Vwatch-X": "managed" } }, ["labels"]))).message).toContain('label key "Vwatch-X"');
    expect(fake.store.resources.workflowConfigs.has(`${REPO}/workflowConfigs/w1`)).toBe(false);
  });

  it("ALREADY_EXISTS for a second create, NOT_FOUND for a missing resource (a get answers undefined)", async () => {
    const exists = await failure(api.createReleaseConfig(REPO, "production", { gitCommitish: "main" }));
    expect(exists.reason).toBe("ALREADY_EXISTS");
    expect(await api.getWorkflowConfig(`${REPO}/workflowConfigs/none`)).toBeUndefined();
    expect((await failure(api.deleteWorkflowConfig(`${REPO}/workflowConfigs/none`))).message).toBe(`not found: ${REPO}/workflowConfigs/none (DeleteWorkflowConfig): Resource '${REPO}/workflowConfigs/none' was not found`);
    expect(await api.getRepository(`${LOCATION}/repositories/other`)).toBeUndefined();
  });

  it("SERVICE_DISABLED and PERMISSION_DENIED, switched per test, in Google's format with ErrorInfo", async () => {
    fake.setServiceDisabled(true);
    try {
      const e = await failure(api.getRepository(REPO));
      expect(e.reason).toBe("SERVICE_DISABLED");
      expect(e.message).toContain("enable dataform.googleapis.com in project vw-project");
    } finally {
      fake.setServiceDisabled(false);
    }
    fake.deny("dataform.workflowInvocations.cancel");
    const denied = await failure(api.cancelWorkflowInvocation(`${REPO}/workflowInvocations/x`)).finally(() => fake.allow("dataform.workflowInvocations.cancel"));
    expect(denied.message).toBe(`permission dataform.workflowInvocations.cancel denied on ${REPO}/workflowInvocations/x (CancelWorkflowInvocation): grant the credentials vwatch uses roles/dataform.editor (Dataform Editor) on project vw-project (or on the repository)`);
  });

  it("compiles the actions a test hands it and pages through them with pageToken", async () => {
    fake.setCompiledActions(ACTIONS);
    const result = await api.createCompilationResult(REPO, { releaseConfig: `${REPO}/releaseConfigs/production` });
    expect(result.name).toMatch(new RegExp(`^${REPO}/compilationResults/[0-9a-f-]{36}$`));
    expect(result.compilationErrors).toEqual([]);
    const actions = await api.queryCompilationResultActions(result.name!);
    expect(actions.map((a) => [a.target?.name, a.filePath, a.relation?.relationType ?? (a.declaration ? "declaration" : "")])).toEqual([
      ["events", "definitions/events.sqlx", "TABLE"],
      ["daily_counts", "definitions/daily_counts.sqlx", "INCREMENTAL_TABLE"],
      ["spikes", "definitions/spikes.sqlx", "TABLE"],
      ["raw", "definitions/raw.sqlx", "declaration"],
    ]);
    expect(fake.requests.filter((r) => r.rpc === "QueryCompilationResultActions").map((r) => Boolean(r.query.pageToken))).toEqual([false, true]);
  });

  it("takes the project's own compiled graph, with compilation errors reported per file", async () => {
    const graph = compileProject({ projectDir: repoRoot });
    fake.setCompiledActions(actionsFromGraph(graph), [{ path: "definitions/outputs/mention_spikes.sqlx", message: "Unexpected token" }]);
    const result = await api.createCompilationResult(REPO, { gitCommitish: "main" });
    expect(result.compilationErrors?.map((e) => [e.path, e.message])).toEqual([["definitions/outputs/mention_spikes.sqlx", "Unexpected token"]]);
    expect((await api.queryCompilationResultActions(result.name!)).length).toBe(actionsFromGraph(graph).length);
    expect((await failure(api.createWorkflowInvocation(REPO, { compilationResult: result.name }))).reason).toBe("FAILED_PRECONDITION");
  });

  it("an invocation runs RUNNING → FAILED with its actions progressing across polls; a scripted failure skips the dependents", async () => {
    fake.setCompiledActions(ACTIONS);
    fake.scriptInvocations({ fail: { daily_counts: "Query error: Division by zero" } });
    const result = await api.createCompilationResult(REPO, { releaseConfig: `${REPO}/releaseConfigs/production` });
    const inv = await api.createWorkflowInvocation(REPO, { compilationResult: result.name, invocationConfig: { includedTags: ["spikes"], transitiveDependenciesIncluded: true } });
    expect(inv.state).toBe("RUNNING");
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const actions = await api.queryWorkflowInvocationActions(inv.name!);
      seen.push(actions.map((a) => `${a.target?.name}=${a.state}`).join(" "));
      if ((await api.getWorkflowInvocation(inv.name!)).state !== "RUNNING") break;
    }
    expect(seen[0]).toBe("events=RUNNING daily_counts=PENDING spikes=PENDING");
    expect(seen.at(-1)).toBe("events=SUCCEEDED daily_counts=FAILED spikes=SKIPPED");
    const final = await api.getWorkflowInvocation(inv.name!);
    expect([final.state, final.resolvedCompilationResult]).toEqual(["FAILED", result.name]);
    const failed = (await api.queryWorkflowInvocationActions(inv.name!)).find((a) => a.target?.name === "daily_counts")!;
    expect([failed.failureReason, failed.bigqueryAction?.jobId]).toEqual(["Query error: Division by zero", expect.stringMatching(/^dataform_/)]);
    fake.scriptInvocations({});
  });

  it("a cancelled invocation goes CANCELING → CANCELLED; cancelling a finished one is FAILED_PRECONDITION", async () => {
    fake.setCompiledActions(ACTIONS);
    const result = await api.createCompilationResult(REPO, { gitCommitish: "main" });
    const inv = await api.createWorkflowInvocation(REPO, { compilationResult: result.name });
    await api.getWorkflowInvocation(inv.name!); // events starts
    await api.cancelWorkflowInvocation(inv.name!);
    expect(fake.store.invocation(inv.name!).state).toBe("CANCELING");
    expect((await api.getWorkflowInvocation(inv.name!)).state).toBe("CANCELLED");
    expect((await api.queryWorkflowInvocationActions(inv.name!)).map((a) => a.state)).toEqual(["CANCELLED", "CANCELLED", "CANCELLED"]);
    expect((await failure(api.cancelWorkflowInvocation(inv.name!))).reason).toBe("FAILED_PRECONDITION");
  });

  it("scheduled runs: the release's compilation result, the workflow config's execution records, all in the invocation list", async () => {
    fake.setCompiledActions(ACTIONS);
    await api.createWorkflowConfig(REPO, "scheduled", { releaseConfig: `${REPO}/releaseConfigs/production`, cronSchedule: "15 2 * * *", invocationConfig: { includedTags: ["daily"] } });
    const wcName = `${REPO}/workflowConfigs/scheduled`;
    fake.store.triggerSchedule(wcName); // no release compilation result yet: an error record
    fake.store.triggerRelease(`${REPO}/releaseConfigs/production`);
    const inv = fake.store.triggerSchedule(wcName)!;
    const wc = await api.getWorkflowConfig(wcName);
    expect(wc?.recentScheduledExecutionRecords?.map((r) => (r.workflowInvocation ? "invocation" : `error ${r.errorStatus?.code}`))).toEqual(["invocation", "error 9"]);
    expect(wc?.recentScheduledExecutionRecords?.[0].workflowInvocation).toBe(inv.name);
    const listed = [];
    let pageToken: string | undefined;
    do {
      const page = await api.listWorkflowInvocations(REPO, { pageSize: 100, pageToken });
      expect(page.invocations.length).toBeLessThanOrEqual(2); // the fake's largest page here
      listed.push(...page.invocations);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(listed.length).toBe(fake.store.invocations.size);
    expect(listed.some((i) => i.name === inv.name && i.workflowConfig === wcName)).toBe(true);
    expect(fake.store.invocation(inv.name).runs.map((r) => r.action.target.name)).toEqual(["events", "daily_counts"]);
  });
});

describe("the client's timeouts and retries", () => {
  it("retries a transient failure (503, 429) and succeeds", async () => {
    fake.failNext("GetRepository", 503, 1);
    fake.failNext("ListReleaseConfigs", 429, 2);
    expect((await api.getRepository(REPO))?.name).toBe(REPO);
    expect((await api.listReleaseConfigs(REPO)).length).toBeGreaterThan(0);
  });

  it("gives up after the attempts with a clear failure", async () => {
    fake.failNext("GetRepository", 503, 3);
    const e = await failure(api.getRepository(REPO));
    expect([e.reason, e.isSetup]).toEqual(["UNAVAILABLE", false]);
    expect(e.message).toMatch(new RegExp(`^the Dataform API failed GetRepository of ${REPO} after 3 attempts over \\d+\\.\\d s \\(UNAVAILABLE: The service is currently unavailable \\(fake: 503\\)\\.\\); try again later$`));
  });

  it("a call that gets no answer times out and is retried", async () => {
    const quick = new DataformApi(await createDataformClient({ DATAFORM_EMULATOR_HOST: fake.url }), { project: "vw-project", timeoutMs: 300, retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 } });
    try {
      fake.delayNext("GetReleaseConfig", 1500, 2);
      expect((await quick.getReleaseConfig(`${REPO}/releaseConfigs/production`))?.gitCommitish).toBe("main");
      fake.delayNext("GetReleaseConfig", 1500, 3);
      const started = Date.now();
      const e = await failure(quick.getReleaseConfig(`${REPO}/releaseConfigs/production`));
      expect(e.message).toMatch(/^the Dataform API failed GetReleaseConfig of .* after 3 attempts over \d\.\d s \(DEADLINE_EXCEEDED: no answer within 0\.3 s\); try again later$/);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await quick.close();
    }
  });

  it("creating an invocation is not retried on UNAVAILABLE (it may have started), only on a quota refusal", async () => {
    fake.setCompiledActions(ACTIONS);
    const result = await api.createCompilationResult(REPO, { gitCommitish: "main" });
    const before = fake.store.invocations.size;
    fake.failNext("CreateWorkflowInvocation", 503, 1);
    expect((await failure(api.createWorkflowInvocation(REPO, { compilationResult: result.name }))).reason).toBe("UNAVAILABLE");
    fake.failNext("CreateWorkflowInvocation", 429, 1);
    await api.createWorkflowInvocation(REPO, { compilationResult: result.name });
    expect(fake.store.invocations.size).toBe(before + 1);
  });
});
