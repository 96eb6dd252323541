import { describe, expect, it } from "vitest";
import { CloudError, SinkError, TransientError, WarehouseError } from "../../orchestrator/errors";
import { decodeEnvelope, decodePayload, pushBody } from "../../orchestrator/events/envelope";
import { laterPhases, nextPhase, previousPhase } from "../../orchestrator/events/event";
import { isTransient } from "../../orchestrator/events/transient";

/** The push envelope and its payloads, decoded without PostgreSQL (the handler's tests cover the rest). */
const event = { phase: "sync", runId: "r1", correlationId: "c1", asOf: "2026-11-26", status: "succeeded", counts: { inserted: 2 } };

describe("the Pub/Sub push envelope", () => {
  it("decodes messageId (or message_id), subscription, deliveryAttempt, attributes and the base64 data", () => {
    expect(decodeEnvelope(pushBody({ data: '{"a":1}', messageId: "42", attributes: { phase: "sync" } }, "projects/p/subscriptions/s", 3))).toEqual({
      delivery: { messageId: "42", subscription: "projects/p/subscriptions/s", deliveryAttempt: 3, attributes: { phase: "sync" }, data: '{"a":1}' },
    });
    // Pub/Sub push sends both spellings; a subscription without a dead-letter policy sends no deliveryAttempt.
    expect(decodeEnvelope({ message: { data: "e30=", message_id: "7" }, subscription: "projects/p/subscriptions/s" })).toEqual({
      delivery: { messageId: "7", subscription: "projects/p/subscriptions/s", deliveryAttempt: undefined, attributes: {}, data: "{}" },
    });
  });

  it("says what is wrong with a body that is not an envelope, keeping the messageId when there is one", () => {
    expect(decodeEnvelope(null)).toEqual({ problem: "not a Pub/Sub push envelope: body: Invalid input: expected object, received null" });
    expect(decodeEnvelope({ message: { messageId: "9" }, deliveryAttempt: 0 })).toEqual({ problem: "not a Pub/Sub push envelope: deliveryAttempt: Too small: expected number to be >0" });
    expect(decodeEnvelope({ message: { messageId: "9" }, subscription: "s" })).toEqual({ problem: "message.data: missing", messageId: "9", subscription: "s" });
  });
});

describe("the payloads", () => {
  it("a phase completion event", () => {
    expect(decodePayload(JSON.stringify(event))).toEqual({ event, source: "phase-event" });
    expect(decodePayload(JSON.stringify({ ...event, counts: undefined }))).toEqual({ event: { ...event, counts: {} }, source: "phase-event" });
  });

  it("the Dataform service's completion log entry, as the transform completion of the invocation", () => {
    const entry = {
      insertId: "14ip1tza5",
      jsonPayload: {
        terminalState: "SUCCEEDED",
        workflowInvocationId: "1678383230-ac4ed48c",
        "@type": "type.googleapis.com/google.cloud.dataform.logging.v1.WorkflowInvocationCompletionLogEntry",
      },
      resource: { type: "dataform.googleapis.com/Repository", labels: { repository_id: "repo", resource_container: "proj", location: "us-central1" } },
      timestamp: "2026-11-26T02:34:06.965981805Z",
      severity: "INFO",
      logName: "projects/proj/logs/dataform.googleapis.com%2Fworkflow_invocation_completion",
    };
    expect(decodePayload(JSON.stringify(entry))).toEqual({
      event: {
        phase: "transform",
        runId: "projects/proj/locations/us-central1/repositories/repo/workflowInvocations/1678383230-ac4ed48c",
        correlationId: "dataform-1678383230-ac4ed48c",
        asOf: "2026-11-26",
        status: "succeeded",
        counts: {},
      },
      source: "dataform-log",
    });
    const cancelled = { ...entry, jsonPayload: { ...entry.jsonPayload, terminalState: "CANCELLED" } };
    expect(decodePayload(JSON.stringify(cancelled))).toMatchObject({ event: { status: "failed" } });
    const wrongResource = { ...entry, resource: { type: "bigquery_dataset", labels: {} } };
    expect(decodePayload(JSON.stringify(wrongResource))).toEqual({
      problem:
        'Dataform completion log entry: resource.type: Invalid input: expected "dataform.googleapis.com/Repository"; resource.labels.repository_id: Invalid input: expected string, received undefined; resource.labels.resource_container: Invalid input: expected string, received undefined; resource.labels.location: Invalid input: expected string, received undefined',
    });
  });
});

describe("phases and transient faults", () => {
  it("orders the phases transform → sync → check", () => {
    expect([nextPhase("transform"), nextPhase("sync"), nextPhase("check")]).toEqual(["sync", "check", undefined]);
    expect([previousPhase("transform"), previousPhase("check")]).toEqual([undefined, "sync"]);
    expect(laterPhases("transform")).toEqual(["sync", "check"]);
  });

  it("PostgreSQL or a service unreachable is transient; bad set-up and real failures are not", () => {
    expect(isTransient(new SinkError("cannot reach PostgreSQL at h:5432/db (ECONNREFUSED): is the server running and listening there?"))).toBe(true);
    expect(isTransient(new SinkError("the connection to PostgreSQL at h:5432/db was lost (ECONNRESET: read ECONNRESET): the server or the network went away"))).toBe(true);
    expect(isTransient(new SinkError("migration 0001 was changed after it was applied to h:5432/db; add a new migration instead"))).toBe(false);
    expect(isTransient(new CloudError("UNAVAILABLE", "the service is unavailable"))).toBe(true);
    expect(isTransient(new CloudError("PERMISSION_DENIED", "denied"))).toBe(false);
    expect(isTransient(new WarehouseError("another vwatch command (pid 12) is using the warehouse file x; wait for it to finish, or use another --home"))).toBe(true);
    expect(isTransient(new WarehouseError("another vwatch command is using the warehouse file x; wait for it to finish, or use another --home"))).toBe(true);
    expect(isTransient(new WarehouseError("Binder Error: column x not found"))).toBe(false);
    expect(isTransient(new TransientError("anything"))).toBe(true);
    expect(isTransient(Object.assign(new Error("14 UNAVAILABLE"), { code: 14 }))).toBe(true);
    expect(isTransient(new Error("a bug"))).toBe(false);
  });
});
