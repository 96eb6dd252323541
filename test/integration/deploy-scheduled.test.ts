import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeDataform, type FakeDataform } from "../fakes/dataform-server";
import { startFakeDataTransfer, type FakeDataTransfer } from "../fakes/datatransfer-server";
import { runCli } from "../helpers/cli";
import { testDatabaseUrl } from "../helpers/pg";
import { tempHome } from "../helpers/project";
import { productionYaml } from "../helpers/deploy-settings";

// `vwatch deploy` managing BigQuery scheduled queries against the fake Data Transfer v1 API (and
// the fake Dataform API for the rest of the deploy): create, a second deploy writing nothing, an
// edited schedule patching only `schedule`, --dry-run, --prune of its own only, and the errors.

const PARENT = "projects/vw-project/locations/us";

function settingsText(queries: string): string {
  return `${productionYaml()}  release:
    overrides:
      defaultProject: vw-project
      vars:
        app_connection: vw-project.us.app-postgres
  workflows:
    - id: daily
      tags: [mentions]
  scheduledQueries:
${queries}`;
}

const VERTEX = (extra = "") => `    - name: vwatch entity_risk_training_data
      actions: [entity_risk_training_data]
      serviceAccount: runner@vw-project.iam.gserviceaccount.com
      disabled: true
${extra}`;

let dataform: FakeDataform;
let transfer: FakeDataTransfer;
const home = tempHome();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-deploy-sq-"));
const saved = { ...process.env };

async function deploy(text: string, ...args: string[]) {
  const folder = fs.mkdtempSync(path.join(dir, "s-"));
  fs.writeFileSync(path.join(folder, "vwatch.yaml"), text);
  const before = transfer.requests.length;
  const r = await runCli(["--home", home, "deploy", "--settings", path.join(folder, "vwatch.yaml"), ...args]);
  const writes = transfer.requests.slice(before).filter((q) => q.method !== "GET");
  return { ...r, writes, file: path.join(folder, "vwatch.yaml"), lines: scheduledLines(r.out) };
}

/** The plan's lines about scheduled queries (they follow the Dataform resources'). */
function scheduledLines(out: string): string[] {
  const lines = out.split("\n").filter(Boolean);
  const first = lines.findIndex((l) => l.startsWith("scheduled query"));
  return first < 0 ? [] : lines.slice(first).filter((l) => l.startsWith("scheduled query") || l.startsWith("  "));
}

beforeAll(async () => {
  dataform = await startFakeDataform();
  transfer = await startFakeDataTransfer();
  process.env.DATAFORM_EMULATOR_HOST = dataform.url;
  process.env.BIGQUERY_DATATRANSFER_EMULATOR_HOST = transfer.url;
  process.env.DATABASE_URL = testDatabaseUrl("test");
});
// Each test starts from a service without scheduled queries.
beforeEach(() => {
  transfer.store.configs.clear();
  transfer.store.runs.clear();
});
afterAll(async () => {
  process.env = saved;
  await dataform.close();
  await transfer.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe("vwatch deploy: scheduled queries", () => {
  it("creates the Vertex AI scheduled query (a script, no destination, disabled, its service account); a second deploy writes nothing; an edited schedule patches only schedule", async () => {
    const first = await deploy(settingsText(VERTEX()));
    expect(first.code, first.err).toBe(0);
    expect(first.writes.map((w) => `${w.rpc} ${w.path} ${w.query.serviceAccountName}`)).toEqual([`CreateTransferConfig /v1/${PARENT}/transferConfigs runner@vw-project.iam.gserviceaccount.com`]);
    const body = first.writes[0].body;
    expect(Object.keys(body).sort()).toEqual(["dataSourceId", "disabled", "displayName", "params", "schedule"]);
    expect(body).toMatchObject({ displayName: "vwatch entity_risk_training_data", dataSourceId: "scheduled_query", schedule: "every day 02:15", disabled: true });
    expect(Object.keys(body.params)).toEqual(["query"]);
    const query: string = body.params.query;
    expect(query.split("\n")[0]).toBe('-- vwatch deploy: scheduled query "vwatch entity_risk_training_data" (managed by vwatch deploy; edit vwatch.yaml and the SQLX, not this text)');
    expect(query).toContain("DECLARE vwatch_as_of DATE DEFAULT @run_date;");
    expect(query).toContain("create or replace table `vw-project.analytics.entity_risk_training_data`");
    expect(query).toContain('IF NOT EXISTS (SELECT 1 FROM `intermediate`.INFORMATION_SCHEMA.COLUMNS WHERE table_name = "int_gdelt_events") THEN');
    expect(first.lines[0]).toBe('scheduled query "vwatch entity_risk_training_data": create');
    expect(first.err).toContain("scheduled queries deployed: 1 created, 0 updated, 0 unchanged");
    const stored = [...transfer.store.configs.values()][0].config;
    expect(stored.ownerInfo).toEqual({ email: "runner@vw-project.iam.gserviceaccount.com" });

    const second = await deploy(settingsText(VERTEX()));
    expect(second.code, second.err).toBe(0);
    expect(second.writes).toEqual([]);
    expect(second.lines).toEqual(['scheduled query "vwatch entity_risk_training_data": unchanged']);
    expect(second.err).toContain("scheduled queries: nothing to deploy: 1 unchanged");

    const edited = await deploy(settingsText(VERTEX().replace("disabled: true", "disabled: true\n      schedule: every day 03:40")));
    expect(edited.code, edited.err).toBe(0);
    expect(edited.lines).toEqual(['scheduled query "vwatch entity_risk_training_data": update', '  schedule: "every day 02:15" → "every day 03:40"']);
    expect(edited.writes.map((w) => [w.rpc, w.query.updateMask, Object.keys(w.body).sort().join(",")])).toEqual([["UpdateTransferConfig", "schedule", "schedule"]]);
    expect([...transfer.store.configs.values()][0].config.schedule).toBe("every day 03:40");
  }, 240_000);

  it("--dry-run prints the plan and writes nothing; --prune deletes only the scheduled queries vwatch created, never one made by hand", async () => {
    const hand = transfer.store.create("vw-project", "us", { displayName: "hand made", dataSourceId: "scheduled_query", params: { query: "select 1" }, schedule: "every day 05:05" }, undefined);
    const extra = `    - name: vwatch mentions
      tags: [mentions]
`;
    expect((await deploy(settingsText(VERTEX()))).code).toBe(0);
    const dry = await deploy(settingsText(VERTEX(extra)), "--dry-run");
    expect(dry.code, dry.err).toBe(0);
    expect(dry.writes).toEqual([]);
    expect(dry.out).toContain('scheduled query "vwatch mentions": create');
    expect(dry.err).toContain("scheduled queries, dry run: 1 to create, 0 to update, 1 unchanged; nothing written");

    expect((await deploy(settingsText(VERTEX(extra)))).code).toBe(0);
    const kept = await deploy(settingsText(VERTEX()));
    expect(kept.writes).toEqual([]);
    expect(kept.lines).toContain('scheduled query "vwatch mentions": kept (created by vwatch, no longer in vwatch.yaml; vwatch deploy --prune deletes it)');
    const pruned = await deploy(settingsText(VERTEX()), "--prune");
    expect(pruned.code, pruned.err).toBe(0);
    expect(pruned.writes.map((w) => w.rpc)).toEqual(["DeleteTransferConfig"]);
    expect([...transfer.store.configs.values()].map((c) => c.config.displayName).sort()).toEqual(["hand made", "vwatch entity_risk_training_data"]);
    expect(hand.name).toMatch(/^projects\/vw-project\/locations\/us\/transferConfigs\/[0-9a-f-]{36}$/);
  }, 240_000);

  it("without a scheduledQueries key deploy never calls the Data Transfer API; `scheduledQueries: []` with --prune deletes vwatch's", async () => {
    expect((await deploy(settingsText(VERTEX()))).code).toBe(0);
    const before = transfer.requests.length;
    const absent = await deploy(settingsText("").replace("  scheduledQueries:\n", ""));
    expect(absent.code, absent.err).toBe(0);
    expect(transfer.requests.length).toBe(before);
    const none = await deploy(settingsText("").replace("  scheduledQueries:\n", "  scheduledQueries: []\n"), "--prune");
    expect(none.code, none.err).toBe(0);
    expect(none.writes.map((w) => w.rpc)).toEqual(["DeleteTransferConfig"]);
    expect(transfer.store.configs.size).toBe(0);
  }, 240_000);

  it("names answered without their location (projects/P/transferConfigs/ID) are matched, and patched under that name", async () => {
    expect((await deploy(settingsText(VERTEX()))).code).toBe(0);
    transfer.setNamesWithoutLocation(true);
    try {
      const r = await deploy(settingsText(VERTEX().replace("disabled: true", "disabled: false")));
      expect(r.code, r.err).toBe(0);
      expect(r.writes.map((w) => [w.rpc, w.path.replace(/[0-9a-f-]{36}$/, "ID"), w.query.updateMask])).toEqual([["UpdateTransferConfig", "/v1/projects/vw-project/transferConfigs/ID", "disabled"]]);
    } finally {
      transfer.setNamesWithoutLocation(false);
    }
  }, 240_000);
});

describe("vwatch deploy: scheduled query errors", () => {
  it("a bad schedule is refused at its vwatch.yaml line before any call, exit 2", async () => {
    const r = await deploy(settingsText(VERTEX("      schedule: every day 2:15\n")));
    expect(r.code).toBe(2);
    expect(r.err).toContain(':22: production.scheduledQueries[0].schedule: "every day 2:15" is not a Data Transfer schedule: it must end with a UTC time HH:MM (00:00-23:59)');
    expect(r.writes).toEqual([]);
  });

  it("a location other than the datasets' and the connection's is refused at its line, naming both, exit 2", async () => {
    const r = await deploy(settingsText(VERTEX("      location: eu\n")));
    expect(r.code).toBe(2);
    expect(r.err).toContain('production.scheduledQueries[0].location: "eu" but the project\'s datasets are in US (defaultLocation): a scheduled query runs where its datasets are; write location: us');
    expect(r.err).toContain('production.scheduledQueries[0].location: "eu" but EXTERNAL_QUERY reads through the connection vw-project.us.app-postgres, in us');
    expect(r.writes).toEqual([]);
  }, 120_000);

  it("the Data Transfer API disabled: enable bigquerydatatransfer.googleapis.com in the project, exit 2 (a setup problem)", async () => {
    transfer.setServiceDisabled(true);
    try {
      const r = await deploy(settingsText(VERTEX()));
      expect(r.err).toContain("error: the BigQuery Data Transfer API is not enabled: enable bigquerydatatransfer.googleapis.com in project vw-project (gcloud services enable bigquerydatatransfer.googleapis.com --project vw-project)");
      expect(r.code).toBe(2);
    } finally {
      transfer.setServiceDisabled(false);
    }
  }, 120_000);

  it("the service account may not use the EXTERNAL_QUERY connection: names the connection and the role, exit 2", async () => {
    transfer.denyConnection("vw-project.us.app-postgres");
    const r = await deploy(settingsText(VERTEX().replace("actions: [entity_risk_training_data]", "actions: [stg_app__events]").replace("vwatch entity_risk_training_data", "vwatch app events")));
    expect(r.err).toContain("error: the scheduled query's service account may not use the BigQuery connection projects/vw-project/locations/us/connections/app-postgres that EXTERNAL_QUERY reads through (bigquery.connections.use denied, CreateTransferConfig of projects/vw-project/locations/us): grant it roles/bigquery.connectionUser on that connection");
    expect(r.code).toBe(2);
    expect(r.writes.map((w) => w.rpc)).toEqual(["CreateTransferConfig"]);
    transfer.store.deniedConnections.clear();
  }, 120_000);
});
