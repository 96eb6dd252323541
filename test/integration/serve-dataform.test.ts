import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { loadConfig } from "../../orchestrator/config";
import { MemoryBus } from "../../orchestrator/events/memory-bus";
import { DEFAULT_WORK, type PhaseWork } from "../../orchestrator/events/phases";
import { serveChain } from "../../orchestrator/events/serve-chain";
import { productHooks } from "../../orchestrator/product";
import { Session } from "../../orchestrator/run/session";
import { startServer, type RunningServer } from "../../orchestrator/serve/server";
import { startFakeBigQuery } from "../fakes/bigquery-server";
import { actionsFromGraph, startFakeDataform, type FakeDataform } from "../fakes/dataform-server";
import { rowsOf } from "../helpers/events";
import { freshDatabase } from "../helpers/pg";
import { copyOwnProject, repoRoot, tempHome } from "../helpers/project";
import { postJson, waitForRun } from "../helpers/serve";

/**
 * `POST /runs` with `where: "dataform"` on a server whose own warehouse is DuckDB: the Dataform
 * service (its fake) compiles the release config, an invocation runs the body's selection and is
 * followed in the background into the run ledger (ran on dataform); at its end sync and check
 * follow, reading the release's tables on BigQuery (its fake). A cancel cancels the invocation.
 */
const REPO = "projects/venezuelawatch/locations/us-central1/repositories/venezuelawatch-analytics";
const settingsText = fs.readFileSync(path.join(repoRoot, "vwatch.yaml"), "utf8").replace(/defaultProject: venezuelawatch\n/, "defaultProject: vw-release\n");
const project = copyOwnProject({ "vwatch.yaml": settingsText });
const graph = compileProject({ projectDir: repoRoot, projectConfigOverride: { defaultDatabase: "vw-release", vars: { app_connection: "venezuelawatch.us.app-postgres" } } });
const saved = { ...process.env };
let db: { url: string; drop: () => Promise<void> };
let bigquery: Awaited<ReturnType<typeof startFakeBigQuery>>;
let fake: FakeDataform;
let session: Session;
let server: RunningServer;
let bus: MemoryBus;
const checked: string[] = [];
const check: PhaseWork = async (s, { runId }) => {
  checked.push(`${runId} on ${s.config.warehouse}`);
  return { status: "succeeded", counts: {} };
};

beforeAll(async () => {
  db = await freshDatabase("vwatch_serve_dataform");
  bigquery = await startFakeBigQuery({ projectId: "vw-release" });
  fake = await startFakeDataform();
  Object.assign(process.env, { BIGQUERY_EMULATOR_HOST: bigquery.url, DATAFORM_EMULATOR_HOST: fake.url, VWATCH_CLOUD_POLL_MS: "5" });
  fake.store.createRepository("projects/venezuelawatch/locations/us-central1", "venezuelawatch-analytics", {});
  fake.store.createConfig("releaseConfigs", REPO, "production", { gitCommitish: "main", codeCompilationConfig: { defaultDatabase: "vw-release" } });
  fake.setCompiledActions(actionsFromGraph(graph));
  session = new Session(loadConfig({ home: tempHome(), projectDir: project }, { ...process.env, DATABASE_URL: db.url }), productHooks);
  bus = new MemoryBus({ backoffMs: { min: 20, max: 500 } });
  const chain = serveChain(session, { bus, work: { sync: DEFAULT_WORK.sync, check } });
  bus.setEndpoint((body) => chain.handlePush(body));
  server = await startServer(session, { port: 0, host: "127.0.0.1", auth: false, staleAfterHours: 26 }, { handlePush: chain.handlePush, onRunEnd: chain.onRunEnd });
});
afterAll(async () => {
  await server?.shutdown();
  await session?.close();
  await fake?.close();
  await bigquery?.close();
  await db?.drop();
  process.env = saved;
  fs.rmSync(project, { recursive: true, force: true });
});

describe('POST /runs with where: "dataform"', () => {
  it("202 at once; the release config is compiled, the selection invoked and followed into the ledger; then sync reads the release's mention_spikes", async () => {
    fake.scriptInvocations({});
    const before = fake.requests.length;
    const r = await postJson(`${server.url}/runs`, { where: "dataform", selection: { actions: ["mention_spikes"] } }, { "x-correlation-id": "corr-df" });
    expect(r.status).toBe(202);
    const { id } = (await r.json()) as { id: string };
    const run = await waitForRun(server.url, id);
    expect(run).toMatchObject({ status: "succeeded", ranOn: "dataform", correlationId: "corr-df", progress: { done: 1, total: 1 } });
    expect(run.actions).toEqual([{ name: "vw-release.analytics.mention_spikes", status: "success", seconds: expect.any(Number) }]);
    const calls = fake.requests.slice(before);
    const create = calls.find((c) => c.rpc === "CreateCompilationResult")!;
    expect(create.body).toEqual({ releaseConfig: `${REPO}/releaseConfigs/production` });
    const invoke = calls.find((c) => c.rpc === "CreateWorkflowInvocation")!;
    expect(invoke.body).toMatchObject({ invocationConfig: { includedTargets: [{ database: "vw-release", schema: "analytics", name: "mention_spikes" }], serviceAccount: "dataform-runner@venezuelawatch.iam.gserviceaccount.com" } });

    for (let i = 0; i < 100 && bus.published.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.idle();
    const today = new Date().toISOString().slice(0, 10);
    expect(bus.published.map((p) => [p.event.phase, p.event.runId, p.event.correlationId, p.event.asOf, p.event.status])).toEqual([
      ["transform", id, "corr-df", today, "succeeded"],
      ["sync", id, "corr-df", today, "succeeded"],
      ["check", id, "corr-df", today, "succeeded"],
    ]);
    expect(bigquery.queries().map((q) => q.sql).join("\n")).toContain("`vw-release.analytics.mention_spikes`");
    expect(checked).toEqual([`${id} on bigquery`]);
    expect(await rowsOf(db.url, `select ran_on from vwatch_runs where id = '${id}'`)).toEqual([{ ran_on: "dataform" }]);
  });

  it("POST /runs/{id}/cancel cancels the invocation on the service; the run ends cancelled and nothing follows it", async () => {
    fake.scriptInvocations({ pollsPerStep: 1000 });
    const published = bus.published.length;
    const r = await postJson(`${server.url}/runs`, { where: "dataform", selection: { tags: ["mentions"], includeDeps: true } });
    expect(r.status).toBe(202);
    const { id } = (await r.json()) as { id: string };
    const invocations = fake.store.invocations.size;
    for (let i = 0; i < 200 && fake.store.invocations.size === invocations; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const invocation = [...fake.store.invocations.keys()].pop()!;
    // While it runs, GET /runs/{id} lists every action of the invocation, pending ones too.
    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 200 && !(progress.progress as { total?: number } | undefined)?.total; i++) {
      progress = (await (await fetch(`${server.url}/runs/${id}`)).json()) as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(progress).toMatchObject({ status: "running", progress: { done: 0, total: 14 } });
    const states = (progress.actions as { status: string }[]).map((a) => a.status);
    expect(states).toHaveLength(14);
    expect(states.every((s) => s === "pending" || s === "running")).toBe(true);
    // A second run on the service while this one runs: 409 naming it.
    const busy = await postJson(`${server.url}/runs`, { where: "dataform" });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ error: { runningRun: id } });
    expect((await postJson(`${server.url}/runs/${id}/cancel`, {})).status).toBe(202);
    const run = await waitForRun(server.url, id);
    expect(run).toMatchObject({ status: "cancelled", ranOn: "dataform" });
    expect(fake.requests.filter((c) => c.rpc === "CancelWorkflowInvocation").map((c) => `${c.method} ${c.path}`)).toEqual([`POST /v1/${invocation}:cancel`]);
    await bus.idle();
    expect(bus.published.length).toBe(published);
  });

  it("a selection the service did not compile fails the run with the field and the name, and starts no invocation", async () => {
    const invocations = fake.store.invocations.size;
    const r = await postJson(`${server.url}/runs`, { where: "dataform", selection: { actions: ["mention_spike"] } });
    expect(r.status).toBe(202);
    const run = await waitForRun(server.url, ((await r.json()) as { id: string }).id);
    expect(run).toMatchObject({ status: "failed", ranOn: "dataform", error: 'selection.actions.0: no action "mention_spike" in the compiled project; did you mean mention_spikes?' });
    expect(fake.store.invocations.size).toBe(invocations);
  });

  // Last: it stops the server.
  it("a shutdown (SIGTERM) stops following: the run is marked interrupted naming the invocation, which the service is not asked to cancel", async () => {
    fake.scriptInvocations({ pollsPerStep: 1000 });
    const cancels = fake.requests.filter((c) => c.rpc === "CancelWorkflowInvocation").length;
    const r = await postJson(`${server.url}/runs`, { where: "dataform", selection: { actions: ["mention_spikes"] } });
    const { id } = (await r.json()) as { id: string };
    const invocations = fake.store.invocations.size;
    for (let i = 0; i < 200 && fake.store.invocations.size === invocations; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const invocation = [...fake.store.invocations.keys()].pop()!;
    await server.shutdown();
    expect(await rowsOf(db.url, `select status, error from vwatch_runs where id = '${id}'`)).toEqual([
      { status: "interrupted", error: `interrupted: the server stopped (SIGTERM) following ${invocation}, which goes on on the Dataform service (\`vwatch cloud status\` shows it)` },
    ]);
    expect(fake.requests.filter((c) => c.rpc === "CancelWorkflowInvocation").length).toBe(cancels);
  });
});
