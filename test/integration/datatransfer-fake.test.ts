import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransferApi } from "../../orchestrator/cloud/transfer-api";
import { createDataTransferClient } from "../../orchestrator/cloud/transfer-client";
import { startFakeDataTransfer, type FakeDataTransfer } from "../fakes/datatransfer-server";

// The fake Data Transfer API through the real client (REST) and vwatch's TransferApi: the rules it
// enforces, Google's error format, and manual runs moving PENDING → RUNNING → SUCCEEDED | FAILED.

let fake: FakeDataTransfer;
let api: TransferApi;
const PARENT = "projects/vw-project/locations/us";
const config = (extra: Record<string, unknown> = {}) => ({ displayName: "q", dataSourceId: "scheduled_query", params: { query: "create or replace table d.t as select 1 as x;\nselect 1" }, schedule: "every day 02:15", ...extra });

beforeAll(async () => {
  fake = await startFakeDataTransfer();
  api = new TransferApi(await createDataTransferClient({ BIGQUERY_DATATRANSFER_EMULATOR_HOST: fake.url } as NodeJS.ProcessEnv), { project: "vw-project", retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 } });
});
afterAll(async () => {
  await api.close();
  await fake.close();
});

describe("fake Data Transfer API", () => {
  it("creates a scheduled query named projects/P/locations/L/transferConfigs/UUID, lists it with its params as a plain object, and its owner", async () => {
    const created = await api.createTransferConfig(PARENT, config(), "runner@vw-project.iam.gserviceaccount.com");
    expect(created.name).toMatch(/^projects\/vw-project\/locations\/us\/transferConfigs\/[0-9a-f-]{36}$/);
    const [listed] = (await api.listScheduledQueries(PARENT)).filter((c) => c.name === created.name);
    expect(listed.params).toEqual({ query: "create or replace table d.t as select 1 as x;\nselect 1" });
    expect(listed.ownerInfo?.email).toBe("runner@vw-project.iam.gserviceaccount.com");
    const request = fake.requests.find((r) => r.rpc === "CreateTransferConfig")!;
    expect(request.path).toBe(`/v1/${PARENT}/transferConfigs`);
    expect(request.body.params).toEqual({ query: "create or replace table d.t as select 1 as x;\nselect 1" });
  });

  it("refuses what the API refuses, in Google's error format: a script with a destination, a missing display name, a bad schedule, an unknown location, a PATCH without a mask", async () => {
    const bad = async (fn: () => Promise<unknown>) => (fn().then(() => "accepted", (e: Error) => e.message));
    expect(await bad(() => api.createTransferConfig(PARENT, config({ destinationDatasetId: "analytics" })))).toContain("transfer_config.destination_dataset_id: Destination dataset cannot be set for a script or a DDL/DML query.");
    expect(await bad(() => api.createTransferConfig(PARENT, config({ displayName: "" })))).toContain("transfer_config.display_name: Display name is required.");
    expect(await bad(() => api.createTransferConfig(PARENT, config({ schedule: "daily at 2" })))).toContain("Invalid schedule 'daily at 2'");
    expect(await bad(() => api.createTransferConfig("projects/vw-project/locations/mars", config()))).toContain("wrong location for projects/vw-project/locations/mars (CreateTransferConfig): Location 'mars' is not supported");
    const created = await api.createTransferConfig(PARENT, config());
    expect(await bad(() => api.updateTransferConfig({ name: created.name, schedule: "every day 03:00" }, []))).toContain("update_mask is required");
    const response = await fetch(`${fake.url}/v1/${created.name}`, { method: "PATCH", body: JSON.stringify({ schedule: "x" }) });
    expect(await response.json()).toEqual({ error: { code: 400, status: "INVALID_ARGUMENT", message: "update_mask is required", details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "update_mask", description: "update_mask is required" }] }] } });
  });

  it("a patch changes only the masked fields", async () => {
    const created = await api.createTransferConfig(PARENT, config({ disabled: true }));
    const patched = await api.updateTransferConfig({ name: created.name, schedule: "every mon 04:30", disabled: false }, ["schedule"]);
    expect([patched.schedule, patched.disabled]).toEqual(["every mon 04:30", true]);
  });

  it("a manual run moves PENDING → RUNNING → SUCCEEDED, one state per read, with its messages; a scripted failure ends FAILED with the error", async () => {
    const created = await api.createTransferConfig(PARENT, config());
    const [run] = await api.startManualRun(created.name!, new Date("2026-11-27T02:15:00Z"));
    expect(run.name).toMatch(new RegExp(`^${created.name}/runs/[0-9a-f-]{36}$`));
    expect(run.state).toBe("PENDING");
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await api.getTransferRun(run.name!)).state);
    expect(states).toEqual(["RUNNING", "SUCCEEDED", "SUCCEEDED"]);
    expect((await api.listTransferLogs(run.name!)).map((m) => [m.severity, m.messageText])).toEqual([
      ["INFO", `Dispatched run to data source with id ${created.name!.split("/").pop()}`],
      ["INFO", "Query completed."],
    ]);

    fake.scriptRuns({ outcome: "FAILED", error: "Query error: Assertion failed: assertion x failed at [12:1]" });
    const [failing] = await api.startManualRun(created.name!);
    await api.getTransferRun(failing.name!);
    const failed = await api.getTransferRun(failing.name!);
    expect([failed.state, failed.errorStatus?.message]).toEqual(["FAILED", "Query error: Assertion failed: assertion x failed at [12:1]"]);
    const { runs } = await api.listTransferRuns(created.name!);
    expect(runs.map((r) => r.name)).toEqual([failing.name, run.name]);
    fake.scriptRuns({ outcome: "SUCCEEDED" });
  });
});
