import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errors, startFakeDataform, type FakeDataform } from "../fakes/dataform-server";
import { runCli } from "../helpers/cli";
import { testDatabaseUrl } from "../helpers/pg";
import { copyOwnProject, tempHome } from "../helpers/project";
import { REPO, productionYaml } from "../helpers/deploy-settings";

// `vwatch deploy` against the fake Dataform v1 API, with the project's own definitions: what it
// plans, the exact calls it makes, idempotence, --dry-run, --prune, and each error's one line and
// exit code. Validation describes EXTERNAL_QUERY on the local PostgreSQL (database test).


function settingsText(options: { repository?: string; workflows?: string } = {}): string {
  return `${productionYaml(options.repository)}  release:
    overrides:
      defaultProject: vw-project
      vars:
        app_connection: vw-project.us.app-postgres
  workflows:
${options.workflows ?? "    - id: daily\n      tags: [mentions]\n      includeDependencies: true\n"}`;
}

let fake: FakeDataform;
const home = tempHome();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-deploy-"));
const saved = { ...process.env };

/** Writes vwatch.yaml (in a folder of its own) and runs `vwatch deploy` with it. */
async function deploy(text: string, ...args: string[]) {
  const folder = fs.mkdtempSync(path.join(dir, "s-"));
  fs.writeFileSync(path.join(folder, "vwatch.yaml"), text);
  const r = await runCli(["--home", home, ...(args.includes("--project-dir") ? args.splice(args.indexOf("--project-dir"), 2) : []), "deploy", "--settings", path.join(folder, "vwatch.yaml"), ...args]);
  return { ...r, lines: r.out.split("\n").filter(Boolean), errors: r.err.split("\n").filter((l) => l.startsWith("error: ")) };
}

/** The write calls a function caused, as "RPC path?query". */
async function writesDuring<T>(fn: () => Promise<T>): Promise<{ result: T; writes: { rpc: string; path: string; query: Record<string, string>; body: any }[] }> {
  const before = fake.requests.length;
  const result = await fn();
  return { result, writes: fake.requests.slice(before).filter((r) => r.method !== "GET") };
}

beforeAll(async () => {
  fake = await startFakeDataform();
  process.env.DATAFORM_EMULATOR_HOST = fake.url;
  process.env.DATABASE_URL = testDatabaseUrl("test");
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe("vwatch deploy", () => {
  it("a first deploy creates the repository, the release config and the workflow config", async () => {
    const { result, writes } = await writesDuring(() => deploy(settingsText()));
    expect(result.code, result.err).toBe(0);
    expect(writes.map((w) => `${w.rpc} ${w.path} ${w.query.repositoryId ?? w.query.releaseConfigId ?? w.query.workflowConfigId}`)).toEqual([
      "CreateRepository /v1/projects/vw-project/locations/us-central1/repositories analytics",
      `CreateReleaseConfig /v1/${REPO}/releaseConfigs production`,
      `CreateWorkflowConfig /v1/${REPO}/workflowConfigs daily`,
    ]);
    expect(writes[2].body).toEqual({
      releaseConfig: `${REPO}/releaseConfigs/production`,
      invocationConfig: { includedTags: ["mentions"], transitiveDependenciesIncluded: true },
      cronSchedule: "15 2 * * *",
      timeZone: "Etc/UTC",
    });
    expect(writes[1].body.codeCompilationConfig).toEqual({ defaultDatabase: "vw-project", vars: { app_connection: "vw-project.us.app-postgres" } });
    expect(result.lines.filter((l) => !l.startsWith("  "))).toEqual(["repository analytics: create", "release config production: create", "workflow config daily: create"]);
    expect(result.lines).toContain('  cronSchedule: "15 2 * * *"');
    expect(result.err).toContain("deployed: 3 created, 0 updated, 0 unchanged");
    expect(fake.store.resources.repositories.get(REPO)?.labels).toEqual({ "vwatch-rc-production": "managed", "vwatch-wc-daily": "managed" });
  });

  it("a second deploy reports everything unchanged and makes no write call", async () => {
    const { result, writes } = await writesDuring(() => deploy(settingsText()));
    expect(result.code, result.err).toBe(0);
    expect(writes).toEqual([]);
    expect(result.lines).toEqual(["repository analytics: unchanged", "release config production: unchanged", "workflow config daily: unchanged"]);
    expect(result.err).toContain("nothing to deploy: 3 unchanged");
  });

  it("an edited cron patches only cron_schedule", async () => {
    const edited = settingsText({ workflows: '    - id: daily\n      cron: "30 2 * * *"\n      tags: [mentions]\n      includeDependencies: true\n' });
    const { result, writes } = await writesDuring(() => deploy(edited));
    expect(result.code, result.err).toBe(0);
    expect(writes.map((w) => [w.rpc, w.path, w.query.updateMask, w.body])).toEqual([["UpdateWorkflowConfig", `/v1/${REPO}/workflowConfigs/daily`, "cron_schedule", { cronSchedule: "30 2 * * *" }]]);
    expect(result.lines).toEqual(["repository analytics: unchanged", "release config production: unchanged", "workflow config daily: update", '  cronSchedule: "15 2 * * *" → "30 2 * * *"']);
    expect(fake.store.resources.workflowConfigs.get(`${REPO}/workflowConfigs/daily`)?.invocationConfig).toEqual({ includedTags: ["mentions"], transitiveDependenciesIncluded: true });
    expect((await writesDuring(() => deploy(edited))).writes).toEqual([]);
  });

  it("--dry-run prints the plan and writes nothing", async () => {
    const { result, writes } = await writesDuring(() => deploy(settingsText({ repository: "analytics-staging" }), "--dry-run"));
    expect(result.code, result.err).toBe(0);
    expect(writes).toEqual([]);
    expect(result.lines.filter((l) => !l.startsWith("  "))).toEqual(["repository analytics-staging: create", "release config production: create", "workflow config daily: create"]);
    expect(result.err).toContain("dry run: 3 to create, 0 to update, 0 unchanged; nothing written");
    expect(fake.store.resources.repositories.has("projects/vw-project/locations/us-central1/repositories/analytics-staging")).toBe(false);
    const change = await writesDuring(() => deploy(settingsText(), "--dry-run"));
    expect(change.writes).toEqual([]);
    expect(change.result.lines).toContain('  cronSchedule: "30 2 * * *" → "15 2 * * *"');
  });

  it("--json prints the plan and what was applied", async () => {
    const r = await deploy(settingsText(), "--json");
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.dryRun).toBe(false);
    expect(json.plan.map((i: any) => [i.kind, i.id, i.action, i.updateMask])).toEqual([
      ["repository", "analytics", "unchanged", []],
      ["release config", "production", "unchanged", []],
      ["workflow config", "daily", "update", ["cron_schedule"]],
    ]);
    expect(json.plan[2].changes).toEqual([{ field: "cronSchedule", old: "30 2 * * *", new: "15 2 * * *" }]);
    expect(json.applied).toEqual([{ kind: "workflow config", id: "daily", action: "update", updateMask: ["cron_schedule"] }]);
  });

  it("--prune deletes only the configs vwatch created that the file no longer names", async () => {
    const two = settingsText({ workflows: "    - id: daily\n      tags: [mentions]\n      includeDependencies: true\n    - id: hourly\n      cron: \"5 * * * *\"\n      actions: [mention_spikes]\n" });
    const first = await deploy(two);
    expect(first.code, first.err).toBe(0);
    expect(fake.store.resources.workflowConfigs.get(`${REPO}/workflowConfigs/hourly`)?.invocationConfig).toEqual({ includedTargets: [{ database: "vw-project", schema: "analytics", name: "mention_spikes" }] });
    // A workflow config someone made by hand, without vwatch.
    fake.store.createConfig("workflowConfigs", REPO, "by-hand", { releaseConfig: `${REPO}/releaseConfigs/production` });

    const kept = await writesDuring(() => deploy(settingsText()));
    expect(kept.writes).toEqual([]);
    expect(kept.result.lines).toContain("workflow config hourly: kept (created by vwatch, no longer in vwatch.yaml; vwatch deploy --prune deletes it)");

    const pruned = await writesDuring(() => deploy(settingsText(), "--prune"));
    expect(pruned.result.code, pruned.result.err).toBe(0);
    expect(pruned.writes.map((w) => `${w.rpc} ${w.path} ${w.query.updateMask ?? ""}`.trim())).toEqual([`DeleteWorkflowConfig /v1/${REPO}/workflowConfigs/hourly`, `UpdateRepository /v1/${REPO} labels`]);
    expect([...fake.store.resources.workflowConfigs.keys()].sort()).toEqual([`${REPO}/workflowConfigs/by-hand`, `${REPO}/workflowConfigs/daily`]);
    expect(fake.store.resources.repositories.get(REPO)?.labels).toEqual({ "vwatch-rc-production": "managed", "vwatch-wc-daily": "managed" });
    expect((await writesDuring(() => deploy(settingsText(), "--prune"))).writes).toEqual([]);
  });
});

describe("vwatch deploy refusing", () => {
  const noCalls = async (fn: () => Promise<{ code: number; errors: string[] }>) => {
    const before = fake.requests.length;
    const r = await fn();
    expect(fake.requests.length - before).toBe(0);
    return r;
  };

  it("settings errors name the key and the line (exit 2), before any call", async () => {
    const r = await noCalls(() => deploy(settingsText().replace("region: us-central1", "region: Iowa")));
    expect([r.code, r.errors]).toEqual([2, ["error: vwatch.yaml:3: production.region: must be a Google Cloud region where Dataform runs, e.g. us-central1"]]);
  });

  it("an unknown tag or action in a workflow config names its vwatch.yaml line (exit 2), before any call", async () => {
    const r = await noCalls(() => deploy(settingsText({ workflows: "    - id: daily\n      tags: [mention]\n      actions: [mention_spike, stg_gdelt__events]\n" })));
    expect(r.code).toBe(2);
    expect(r.errors[0]).toMatch(/^error: vwatch\.yaml:16: production\.workflows\[0\]\.tags: no action has the tag "mention"; did you mean mentions\? \(tags: .*mentions.*\)$/);
    expect(r.errors.length).toBe(1);
    const all = (await deploy(settingsText({ workflows: "    - id: daily\n      actions: [mention_spike, raw_gdelt_events]\n" }))).err;
    expect(all).toContain('vwatch.yaml:16: production.workflows[0].actions: no action "mention_spike" in the compiled project; did you mean mention_spikes?');
  });

  it("a project that does not compile or validate is not deployed (exit 2), before any call", async () => {
    const broken = copyOwnProject({ "definitions/outputs/broken.sqlx": 'config { type: "table" }\nselect * from ${ref("no_such_table")}\n' });
    const invalid = copyOwnProject({ "definitions/outputs/invalid.sqlx": 'config { type: "table" }\nselect no_such_column from ${ref("mention_spikes")}\n' });
    try {
      const c = await noCalls(() => deploy(settingsText(), "--project-dir", broken));
      expect(c.code).toBe(2);
      expect(c.errors[0]).toMatch(/^error: compilation failed:/);
      const v = await noCalls(() => deploy(settingsText(), "--project-dir", invalid));
      expect(v.code).toBe(2);
      expect(v.errors).toEqual(["error: the project does not validate: nothing deployed (fix the errors above, or run `vwatch validate`)"]);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
      fs.rmSync(invalid, { recursive: true, force: true });
    }
  });

  it("a bad var in the release overrides is refused naming it (exit 2)", async () => {
    const r = await noCalls(() => deploy(settingsText().replace("app_connection: vw-project.us.app-postgres", 'z_threshold: "high"')));
    expect(r.code).toBe(2);
    expect(r.errors[0]).toMatch(/^error: vwatch\.yaml:12: production\.release\.overrides\.vars.*z_threshold/);
  });

  it("the API not enabled: enable dataform.googleapis.com in project P (exit 2)", async () => {
    fake.setServiceDisabled(true);
    try {
      const r = await deploy(settingsText());
      expect([r.code, r.errors]).toEqual([2, ["error: the Dataform API is not enabled: enable dataform.googleapis.com in project vw-project (gcloud services enable dataform.googleapis.com --project vw-project), wait a few minutes, then run again"]]);
    } finally {
      fake.setServiceDisabled(false);
    }
  });

  it("a permission denied names the permission and the role that grants it (exit 2)", async () => {
    fake.deny("dataform.releaseConfigs.update");
    try {
      const r = await deploy(settingsText().replace("defaultProject: vw-project", "defaultProject: vw-project-2"));
      expect([r.code, r.errors]).toEqual([2, [`error: permission dataform.releaseConfigs.update denied on ${REPO}/releaseConfigs/production (UpdateReleaseConfig): grant the credentials vwatch uses roles/dataform.admin (Dataform Admin) on project vw-project (or on the repository)`]]);
    } finally {
      fake.allow("dataform.releaseConfigs.update");
    }
  });

  it("NOT_FOUND and INVALID_ARGUMENT from the service exit 2 with the resource or the field; ALREADY_EXISTS exits 1", async () => {
    fake.failNext("ListWorkflowConfigs", errors.notFound(REPO));
    const nf = await deploy(settingsText());
    expect([nf.code, nf.errors]).toEqual([2, [`error: not found: ${REPO} (ListWorkflowConfigs): Resource '${REPO}' was not found`]]);

    const added = settingsText({ workflows: "    - id: daily\n      tags: [mentions]\n      includeDependencies: true\n    - id: weekly\n      cron: \"15 3 * * 1\"\n      timeZone: America/Caracas\n" });
    fake.failNext("CreateWorkflowConfig", errors.badRequest('workflow_config.time_zone "America/Caracas" is not a valid time zone', "workflow_config.time_zone"));
    const bad = await deploy(added);
    expect([bad.code, bad.errors]).toEqual([2, [`error: the Dataform API refused CreateWorkflowConfig of ${REPO}/workflowConfigs/weekly: workflow_config.time_zone "America/Caracas" is not a valid time zone`]]);

    fake.failNext("CreateWorkflowConfig", errors.alreadyExists(`${REPO}/workflowConfigs/weekly`));
    const exists = await deploy(added);
    expect([exists.code, exists.errors]).toEqual([1, [`error: ${REPO}/workflowConfigs/weekly already exists (CreateWorkflowConfig); another deploy may be running: run vwatch deploy again`]]);
  });

  it("a transient failure is retried and the deploy goes through", async () => {
    fake.failNext("GetRepository", 503, 1);
    const r = await deploy(settingsText());
    expect(r.code, r.err).toBe(0);
  });

  it("without credentials (no emulator, no ADC) says how to get Application Default Credentials, fast (exit 2)", async () => {
    const env = { ...process.env };
    const empty = fs.mkdtempSync(path.join(dir, "gcloud-"));
    delete process.env.DATAFORM_EMULATOR_HOST;
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    Object.assign(process.env, { CLOUDSDK_CONFIG: empty, METADATA_SERVER_DETECTION: "none" });
    try {
      const started = Date.now();
      const r = await deploy(settingsText());
      expect(r.code).toBe(2);
      expect(r.errors).toEqual([
        "error: no Google Cloud credentials found for the Dataform API (Application Default Credentials): run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or run on Google Cloud (Cloud Run, GCE), whose metadata server provides them",
      ]);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      process.env = env;
    }
  });
});
