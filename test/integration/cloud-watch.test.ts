import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { actionsFromGraph, startFakeDataform, type FakeDataform } from "../fakes/dataform-server";
import { startFakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome } from "../helpers/project";
import { REPO, productionYaml } from "../helpers/deploy-settings";

// Ctrl-C during `vwatch cloud run` (a real child process and a real SIGINT), and `vwatch cloud
// status | runs | cancel` against the fake Dataform v1 API, with exactly the calls each makes.

const RELEASE = `${REPO}/releaseConfigs/production`;
const SETTINGS = `${productionYaml()}  release:
    overrides:
      defaultProject: vw-project
`;

let fake: FakeDataform;
const home = tempHome();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-cloud-watch-"));
const settings = path.join(dir, "vwatch.yaml");
const saved = { ...process.env };
const graph = compileProject({ projectDir: repoRoot, projectConfigOverride: { defaultDatabase: "vw-project" } });

async function cloud(...args: string[]) {
  const before = fake.requests.length;
  const r = await runCli(["--home", home, "cloud", ...args, "--settings", settings]);
  const calls = fake.requests.slice(before);
  return { ...r, calls, rpcs: calls.map((c) => c.rpc), error: r.err.split("\n").find((l) => l.startsWith("error: ")) };
}

/** `vwatch cloud run` as a child process; resolves each stderr line to `onLine`, and the exit code. */
function child(args: string[], onLine: (line: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<{ code: number | null; err: string }> {
  const env = { ...process.env, DATAFORM_EMULATOR_HOST: fake.url, VWATCH_CLOUD_POLL_MS: "20" };
  const p = spawn(process.execPath, [path.join(repoRoot, "bin", "vwatch.js"), "--home", home, "cloud", "run", "--no-sync", "--settings", settings, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  let partial = "";
  p.stderr.on("data", (chunk) => {
    err += chunk;
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) onLine(line, (signal) => p.kill(signal));
  });
  return new Promise((resolve) => p.on("exit", (code) => resolve({ code, err })));
}

// Where `cloud run` looks up its jobs' bytes processed (jobs.get): unknown jobs, answered at once.
let jobsBigquery: Awaited<ReturnType<typeof startFakeBigQuery>>;

beforeAll(async () => {
  fake = await startFakeDataform();
  jobsBigquery = await startFakeBigQuery({ projectId: "vw-project" });
  process.env.DATAFORM_EMULATOR_HOST = fake.url;
  process.env.BIGQUERY_EMULATOR_HOST = jobsBigquery.url;
  process.env.VWATCH_CLOUD_POLL_MS = "5";
  fs.writeFileSync(settings, SETTINGS);
  fake.store.createRepository("projects/vw-project/locations/us-central1", "analytics", {});
  fake.store.createConfig("releaseConfigs", REPO, "production", { gitCommitish: "main", codeCompilationConfig: { defaultDatabase: "vw-project" } });
  fake.setCompiledActions(actionsFromGraph(graph));
});
beforeEach(() => {
  fake.scriptInvocations({});
  fake.delayNext("CancelWorkflowInvocation", 0, 0);
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
  await jobsBigquery.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe("Ctrl-C during vwatch cloud run", () => {
  it("the first Ctrl-C asks the service to cancel, waits for CANCELLED, then exits 1", async () => {
    fake.scriptInvocations({ pollsPerStep: 40 });
    const before = fake.requests.length;
    let sent = false;
    const r = await child(["--tags", "mentions", "--include-deps"], (line, kill) => {
      if (!sent && / running  /.test(line)) {
        sent = true;
        kill("SIGINT");
      }
    });
    expect(sent).toBe(true);
    expect(r.code, r.err).toBe(1);
    const invocation = [...fake.store.invocations.keys()].pop()!;
    const calls = fake.requests.slice(before);
    expect(calls.filter((c) => c.rpc === "CancelWorkflowInvocation").map((c) => `${c.method} ${c.path}`)).toEqual([`POST /v1/${invocation}:cancel`]);
    expect(fake.store.invocation(invocation).state).toBe("CANCELLED");
    expect(r.err).toContain(`warning: cancelling ${invocation}; waiting for the service to stop it (Ctrl-C again to stop waiting)`);
    expect(r.err).toMatch(/\d+ succeeded, 0 failed, 0 skipped, \d+ cancelled; invocation CANCELLED\n/);
    expect(r.err).toMatch(/^\[\d+\/\d+\] cancelled vw-project\.\w+\.\w+ \(\w+, \d+\.\d\ds\)$/m);
    const saved = JSON.parse(fs.readFileSync(path.join(home, "run_results.json"), "utf8"));
    expect(saved.dataform.state).toBe("CANCELLED");
    expect(saved.summary.cancelled).toBeGreaterThan(0);
  });

  it("a Ctrl-C while the invocation is being created cancels it as soon as it exists (exit 1)", async () => {
    const before = fake.requests.length;
    // The service takes a while to create the invocation; the Ctrl-C arrives meanwhile.
    fake.delayNext("CreateWorkflowInvocation", 1500);
    const watching = setInterval(() => {
      if (fake.requests.slice(before).some((c) => c.rpc === "CreateWorkflowInvocation")) {
        clearInterval(watching);
        running?.kill("SIGINT");
      }
    }, 10);
    let running: { kill(signal: NodeJS.Signals): void } | undefined;
    const r = await child([], (_line, kill) => (running ??= { kill }));
    clearInterval(watching);
    expect(r.code, r.err).toBe(1);
    const invocation = [...fake.store.invocations.keys()].pop()!;
    expect(fake.requests.slice(before).filter((c) => c.rpc === "CancelWorkflowInvocation").map((c) => c.path)).toEqual([`/v1/${invocation}:cancel`]);
    expect(fake.store.invocation(invocation).state).toBe("CANCELLED");
    expect(r.err).toContain("warning: cancelling the invocation as soon as it is created; waiting for the service to stop it");
  }, 30_000);

  it("a second Ctrl-C stops waiting at once (exit 1), naming how to follow the invocation", async () => {
    fake.scriptInvocations({ pollsPerStep: 1000 });
    // The service is slow to answer the cancel: only a second Ctrl-C ends the wait.
    fake.delayNext("CancelWorkflowInvocation", 20_000);
    let signals = 0;
    const started = Date.now();
    const r = await child([], (line, kill) => {
      if ((signals === 0 && /started; Ctrl-C cancels it/.test(line)) || (signals === 1 && /^warning: cancelling/.test(line))) {
        signals += 1;
        kill("SIGINT");
      }
    });
    expect(signals).toBe(2);
    expect(r.code, r.err).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    const id = [...fake.store.invocations.keys()].pop()!.split("/").pop();
    expect(r.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([`error: stopped waiting; the invocation may still be cancelling: \`vwatch cloud status ${id}\` shows it`]);
  }, 30_000);
});

describe("vwatch cloud status | runs | cancel", () => {
  let succeeded: string;
  let failed: string;

  beforeAll(async () => {
    fake.scriptInvocations({});
    expect((await cloud("run", "--actions", "events", "--include-deps", "--no-sync")).code).toBe(0);
    succeeded = [...fake.store.invocations.keys()].pop()!;
    fake.scriptInvocations({ fail: { int_gdelt_events: "Access Denied: Table gdelt-bq:gdeltv2.events_partitioned" } });
    expect((await cloud("run", "--actions", "events", "--include-deps", "--no-sync")).code).toBe(1);
    failed = [...fake.store.invocations.keys()].pop()!;
  });

  it("status ID prints the state, timing and actions (exit 0), with exactly the invocation, its actions and its compiled actions read", async () => {
    const id = succeeded.split("/").pop()!;
    const r = await cloud("status", id);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split("\n");
    expect(lines.slice(0, 2)).toEqual([`invocation ${succeeded}`, "  state     SUCCEEDED"]);
    expect(lines[2]).toMatch(/^  started   \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(lines[3]).toMatch(/^  finished  \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s\)$/);
    expect(lines[4]).toBe("  trigger   manual");
    expect(r.out).toMatch(/\nanalytics\.events +table +success /);
    const inv = fake.store.invocation(succeeded);
    // The compiled actions come in pages of 50 (the fake's largest page; the project has more).
    const pages = Math.ceil(actionsFromGraph(graph).length / 50);
    expect(r.calls.map((c) => `${c.rpc} ${c.method} ${c.path}${c.query.pageToken ? " (next page)" : ""}`)).toEqual([
      `GetWorkflowInvocation GET /v1/${succeeded}`,
      `QueryWorkflowInvocationActions GET /v1/${succeeded}:query`,
      `QueryCompilationResultActions GET /v1/${inv.resolvedCompilationResult}:query`,
      ...Array.from({ length: pages - 1 }, () => `QueryCompilationResultActions GET /v1/${inv.resolvedCompilationResult}:query (next page)`),
    ]);
  });

  it("status --last shows the newest invocation; a failed one exits 1 with the reason; --json is the run_results shape", async () => {
    const r = await cloud("status", "--last", "--json");
    expect(r.code).toBe(1);
    const record = JSON.parse(r.out);
    expect(record.dataform.invocation).toBe(failed);
    expect(record.dataform.state).toBe("FAILED");
    expect(record.actions.find((a: any) => a.status === "failed")).toMatchObject({ name: "vw-project.intermediate.int_gdelt_events", error: { message: "Access Denied: Table gdelt-bq:gdeltv2.events_partitioned" } });
    expect(r.rpcs[0]).toBe("ListWorkflowInvocations");
    const text = await cloud("status", failed);
    expect(text.out).toContain("failed: intermediate.int_gdelt_events: Access Denied: Table gdelt-bq:gdeltv2.events_partitioned");
  });

  it("status refuses a bad invocation (exit 2); a missing one is NOT_FOUND (exit 2)", async () => {
    expect((await cloud("status")).error).toBe("error: cloud status: give an invocation (its id or full name) or --last, not both");
    const bad = await cloud("status", "a/b");
    expect([bad.code, bad.calls]).toEqual([2, []]);
    expect(bad.error).toMatch(/^error: "a\/b" is not a workflow invocation: give its id/);
    const missing = await cloud("status", "1700000000-ffffff");
    expect(missing.code).toBe(2);
    expect(missing.error).toBe(`error: not found: ${REPO}/workflowInvocations/1700000000-ffffff (GetWorkflowInvocation): Resource '${REPO}/workflowInvocations/1700000000-ffffff' was not found`);
  });

  it("runs lists the invocations newest first, the scheduled ones and the scheduler's failed attempts included", async () => {
    fake.store.createConfig("workflowConfigs", REPO, "daily", { releaseConfig: RELEASE, cronSchedule: "15 2 * * *" });
    // The scheduler fires before any release compilation: an attempt that started nothing.
    fake.store.triggerSchedule(`${REPO}/workflowConfigs/daily`);
    await new Promise((r) => setTimeout(r, 5));
    fake.store.triggerRelease(RELEASE);
    const scheduled = fake.store.triggerSchedule(`${REPO}/workflowConfigs/daily`)!;
    const r = await cloud("runs", "--limit", "3");
    expect(r.code, r.err).toBe(0);
    const rows = r.out.trim().split("\n");
    expect(rows[0]).toMatch(/^invocation +state +trigger +started +took$/);
    expect(rows.slice(2).map((l) => l.split(/ {2,}/).slice(0, 3))).toEqual([
      [scheduled.name.split("/").pop(), "RUNNING", "schedule daily"],
      ["-", "NOT STARTED", "schedule daily"],
      [failed.split("/").pop(), "FAILED", "manual"],
    ]);
    expect(r.rpcs.sort()).toEqual(["ListWorkflowConfigs", "ListWorkflowInvocations"]);
    const json = JSON.parse((await cloud("runs", "--json", "--limit", "2")).out);
    expect(json[1]).toMatchObject({ id: "-", state: "NOT STARTED", trigger: "schedule daily", error: expect.stringContaining("has no release compilation result") });
    expect((await cloud("runs", "--limit", "0")).error).toBe('error: --limit must be a whole number from 1 to 9999, got "0"');
  });

  it("cancel takes an id or a full name; cancelling a finished invocation is refused (exit 2)", async () => {
    fake.scriptInvocations({ pollsPerStep: 1000 });
    const started = await cloud("run", "--no-wait");
    const name = started.out.trim();
    const r = await cloud("cancel", name.split("/").pop()!);
    expect(r.code, r.err).toBe(0);
    expect(r.calls.map((c) => `${c.rpc} ${c.method} ${c.path}`)).toEqual([`CancelWorkflowInvocation POST /v1/${name}:cancel`]);
    expect(r.err).toContain(`cancelling ${name}`);
    expect(fake.store.invocation(name).state).toBe("CANCELLED");
    const again = await cloud("cancel", name);
    expect(again.code).toBe(2);
    expect(again.error).toMatch(/^error: the Dataform API refused CancelWorkflowInvocation of .*: workflow invocation .* is not running \(CANCELLED\)$/);
  });
});
