import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handlePush } from "../../orchestrator/events/handler";
import { log } from "../../orchestrator/log";
import { eventsHealth, phasesOfRuns } from "../../orchestrator/events/health";
import type { Session } from "../../orchestrator/run/session";
import { completion, dataformCompletionEntry, eventSession, fakeWork, invocationName, push, recordingBus, rowsOf } from "../helpers/events";
import { freshDatabase } from "../helpers/pg";

/**
 * The Pub/Sub push handler against the real PostgreSQL test server (a database of its own), with
 * phase work that records its calls. Each case uses its own run ids.
 */
let db: { url: string; drop: () => Promise<void> };
let session: Session;

beforeAll(async () => {
  db = await freshDatabase("vwatch_events_push");
  session = eventSession(db.url);
});
afterAll(async () => {
  await session?.close();
  await db?.drop();
});

const executions = (runId: string) =>
  rowsOf(db.url, `select phase, status, attempts, correlation_id, to_char(as_of, 'YYYY-MM-DD') as as_of, counts, error from vwatch_phase_executions where run_id = '${runId}' order by array_position(array['transform','sync','check'], phase)`);
const deadLetters = (where: string) => rowsOf(db.url, `select message_id, run_id, phase, reason, error, delivery_attempt from vwatch_dead_letters where ${where} order by id`);

describe("handlePush", () => {
  it("a transform completion runs sync once and publishes its completion with the run's correlation id and as_of", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    const r = await handlePush(session, push(completion({ runId: "r1", phase: "transform", correlationId: "c-r1", asOf: "2026-11-20" }), "a1"), {}, { bus, work });
    expect(r).toEqual({ status: 204, body: { outcome: "ran", runId: "r1", phase: "sync", correlationId: "c-r1" } });
    expect(Object.fromEntries(calls)).toEqual({ "r1/sync": 1 });
    expect(bus.published).toEqual([{ phase: "sync", runId: "r1", correlationId: "c-r1", asOf: "2026-11-20", status: "succeeded", counts: { calls: 1 } }]);
    expect(await executions("r1")).toEqual([
      { phase: "transform", status: "succeeded", attempts: 1, correlation_id: "c-r1", as_of: "2026-11-20", counts: {}, error: null },
      { phase: "sync", status: "succeeded", attempts: 1, correlation_id: "c-r1", as_of: "2026-11-20", counts: { calls: 1 }, error: null },
    ]);
  });

  it("the same messageId again is acknowledged without work; another message with the same event does no work either", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    const event = completion({ runId: "r2", phase: "transform" });
    expect((await handlePush(session, push(event, "b1"), {}, { bus, work })).body.outcome).toBe("ran");
    expect(await handlePush(session, push(event, "b1"), {}, { bus, work })).toEqual({ status: 204, body: { outcome: "duplicate" } });
    expect(await handlePush(session, push(event, "b2"), {}, { bus, work })).toEqual({
      status: 204,
      body: { outcome: "already-handled", runId: "r2", phase: "sync", correlationId: "corr-r2" },
    });
    expect(Object.fromEntries(calls)).toEqual({ "r2/sync": 1 });
    expect(bus.published).toHaveLength(1);
  });

  it("a sync completion delivered before sync finished here is held (503), and dead-lettered on the 5th attempt", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    const early = completion({ runId: "r3", phase: "sync" });
    const held = await handlePush(session, push(early, "c1", 1), {}, { bus, work });
    expect(held).toEqual({ status: 503, body: { outcome: "held", message: "sync of run r3 has not finished here yet", runId: "r3", phase: "sync", correlationId: "corr-r3" } });
    expect((await handlePush(session, push(early, "c1", 5), {}, { bus, work })).status).toBe(204);
    expect(calls.size).toBe(0);
    expect(await deadLetters("message_id = 'c1'")).toEqual([
      { message_id: "c1", run_id: "r3", phase: "sync", reason: "attempts_exhausted", error: "held 5 times: sync of run r3 has not finished here yet", delivery_attempt: 5 },
    ]);
    expect(await executions("r3")).toEqual([]);
  });

  it("a sync completion that arrives first waits for transform's, then starts check once", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    const syncDone = completion({ runId: "r4", phase: "sync" });
    expect((await handlePush(session, push(syncDone, "d1", 1), {}, { bus, work })).status).toBe(503);
    expect((await handlePush(session, push(completion({ runId: "r4", phase: "transform" }), "d2", 1), {}, { bus, work })).body.outcome).toBe("ran");
    // Pub/Sub redelivers d1; the handler's own publication of sync's completion comes too.
    expect((await handlePush(session, push(syncDone, "d1", 2), {}, { bus, work })).body.outcome).toBe("ran");
    expect((await handlePush(session, push(bus.published[0], "d3", 1), {}, { bus, work })).body.outcome).toBe("already-handled");
    expect(Object.fromEntries(calls)).toEqual({ "r4/sync": 1, "r4/check": 1 });
    expect((await executions("r4")).map((x) => `${x.phase}:${x.status}`)).toEqual(["transform:succeeded", "sync:succeeded", "check:succeeded"]);
  });

  it("a transient failure answers 503 and the redelivery runs the phase; the 5th failed attempt is a dead letter and check is skipped", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork({ failures: { "r5/sync": 1, "r6/sync": 99 } });
    const r5 = completion({ runId: "r5", phase: "transform" });
    const first = await handlePush(session, push(r5, "e1", 1), {}, { bus, work });
    expect(first).toEqual({ status: 503, body: { outcome: "retry", message: "injected: r5/sync unreachable (call 1)", runId: "r5", phase: "sync", correlationId: "corr-r5" } });
    expect((await executions("r5"))[1]).toMatchObject({ phase: "sync", status: "retrying", attempts: 1, error: "injected: r5/sync unreachable (call 1)" });
    expect((await handlePush(session, push(r5, "e1", 2), {}, { bus, work })).body.outcome).toBe("ran");
    expect((await executions("r5"))[1]).toMatchObject({ phase: "sync", status: "succeeded", attempts: 2, error: null });

    const r6 = completion({ runId: "r6", phase: "transform" });
    for (let attempt = 1; attempt <= 4; attempt++) expect((await handlePush(session, push(r6, "f1", attempt), {}, { bus, work })).status).toBe(503);
    const last = await handlePush(session, push(r6, "f1", 5), {}, { bus, work });
    expect(last).toEqual({ status: 204, body: { outcome: "dead-letter", message: "sync failed 5 times: injected: r6/sync unreachable (call 5)", runId: "r6", phase: "sync", correlationId: "corr-r6" } });
    expect(calls.get("r6/sync")).toBe(5);
    expect((await executions("r6")).map((x) => `${x.phase}:${x.status}:${x.attempts}`)).toEqual(["transform:succeeded:1", "sync:failed:5", "check:skipped:0"]);
    expect(await deadLetters("run_id = 'r6'")).toEqual([
      { message_id: "f1", run_id: "r6", phase: "transform", reason: "attempts_exhausted", error: "sync failed 5 times: injected: r6/sync unreachable (call 5)", delivery_attempt: 5 },
    ]);
    expect(bus.published.map((e) => `${e.runId}:${e.phase}`)).toEqual(["r5:sync"]);
  });

  it("a phase that fails for real is recorded failed at once (no retry), its failed completion published, and check skipped on it", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork({ broken: { "r7/sync": "the project has no model mention_spikes" } });
    const r = await handlePush(session, push(completion({ runId: "r7", phase: "transform" }), "g1", 1), {}, { bus, work });
    expect(r.status).toBe(204);
    expect(bus.published).toEqual([{ phase: "sync", runId: "r7", correlationId: "corr-r7", asOf: "2026-11-26", status: "failed", counts: {} }]);
    expect((await handlePush(session, push(bus.published[0], "g2", 1), {}, { bus, work })).body.outcome).toBe("downstream-skipped");
    expect(Object.fromEntries(calls)).toEqual({ "r7/sync": 1 });
    expect((await executions("r7")).map((x) => `${x.phase}:${x.status}:${x.error}`)).toEqual([
      "transform:succeeded:null",
      "sync:failed:the project has no model mention_spikes",
      "check:skipped:sync failed",
    ]);
  });

  it("a failed transform records sync and check as skipped and runs nothing; a check completion ends the run", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    expect((await handlePush(session, push(completion({ runId: "r8", phase: "transform", status: "failed" }), "h1"), {}, { bus, work })).body.outcome).toBe("downstream-skipped");
    expect((await executions("r8")).map((x) => `${x.phase}:${x.status}`)).toEqual(["transform:failed", "sync:skipped", "check:skipped"]);
    await handlePush(session, push(completion({ runId: "r9", phase: "transform" }), "h2"), {}, { bus, work });
    await handlePush(session, push(bus.published[0], "h3"), {}, { bus, work });
    expect((await handlePush(session, push(bus.published[1], "h4"), {}, { bus, work })).body.outcome).toBe("run-complete");
    expect(Object.fromEntries(calls)).toEqual({ "r9/sync": 1, "r9/check": 1 });
  });

  it("a phase another process is running is left to it; one left running by a process that is gone is taken over", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(hashtextextended('vwatch-phase:' || $1 || '/' || $2, 0))`, ["r10", "sync"]);
      const r = await handlePush(session, push(completion({ runId: "r10", phase: "transform" }), "i1"), {}, { bus, work });
      expect(r).toEqual({ status: 204, body: { outcome: "already-handled", runId: "r10", phase: "sync", correlationId: "corr-r10" } });
      expect(calls.size).toBe(0);
      // This very message's earlier delivery still holds the phase (say Pub/Sub redelivered it past
      // the ack deadline): acknowledging it now could lose the run, so it is answered 503.
      await other.query(`select pg_advisory_lock(hashtextextended('vwatch-phase:' || $1 || '/' || $2, 0))`, ["r13", "sync"]);
      await other.query(
        `insert into vwatch_phase_executions (run_id, phase, correlation_id, as_of, status, attempts, claimed_by) values ('r13', 'sync', 'corr-r13', '2026-11-26', 'running', 1, 'i3')`,
      );
      expect(await handlePush(session, push(completion({ runId: "r13", phase: "transform" }), "i3", 2), {}, { bus, work })).toEqual({
        status: 503,
        body: { outcome: "busy", message: "sync of run r13 is still held by an earlier delivery of this message", runId: "r13", phase: "sync", correlationId: "corr-r13" },
      });
      expect(calls.size).toBe(0);
      // A claimer that died mid-phase: its row says running, its lock went with its connection.
      await other.query(
        `insert into vwatch_phase_executions (run_id, phase, correlation_id, as_of, status, attempts, claimed_by) values ('r11', 'sync', 'corr-r11', '2026-11-26', 'running', 1, 'ghost')`,
      );
    } finally {
      await other.end();
    }
    expect((await handlePush(session, push(completion({ runId: "r11", phase: "transform" }), "i2"), {}, { bus, work })).body.outcome).toBe("ran");
    expect(Object.fromEntries(calls)).toEqual({ "r11/sync": 1 });
    expect((await executions("r11"))[1]).toMatchObject({ phase: "sync", status: "succeeded", attempts: 2 });
  });

  it("every line logged while a delivery is handled, the phase's own included, carries the run's correlation id (JSON logs)", async () => {
    const bus = recordingBus();
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    log.setJson(true);
    try {
      const work = { sync: async () => (log.info("syncing spikes into somewhere"), { status: "succeeded" as const, counts: {} }) };
      await handlePush(session, push(completion({ runId: "r12", phase: "transform", correlationId: "corr-twelve" }), "j1"), {}, { bus, work });
    } finally {
      log.setJson(false);
      process.stderr.write = write;
    }
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.find((e) => e.message === "syncing spikes into somewhere")).toMatchObject({ severity: "INFO", correlationId: "corr-twelve", runId: "r12", phase: "sync" });
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.filter((e) => e.correlationId !== "corr-twelve")).toEqual([]);
  });

  it("malformed envelopes and payloads are dead letters, acknowledged with 204 (retrying cannot help)", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    const cases: [unknown, string][] = [
      [{ nothing: true }, "not a Pub/Sub push envelope: message: Invalid input: expected object, received undefined"],
      [{ message: { data: "e30=" } }, "not a Pub/Sub push envelope: message.messageId: missing"],
      [{ message: { messageId: "k2", data: "***" } }, "message.data: not base64"],
      [push("not json", "k3"), "message.data: not JSON"],
      [push({ phase: "load", runId: "x", correlationId: "c", asOf: "2026-02-30", status: "succeeded", counts: {} }, "k4"), 'phase event: phase: Invalid option: expected one of "transform"|"sync"|"check"; asOf: must be a real date'],
      [push({ phase: "sync", runId: "x", correlationId: "c", asOf: null, status: "done", extra: 1 }, "k5"), 'phase event: status: Invalid option: expected one of "succeeded"|"failed"|"skipped"; event: Unrecognized key: "extra"'],
    ];
    for (const [body, problem] of cases) {
      expect(await handlePush(session, body, {}, { bus, work }), problem).toEqual({ status: 204, body: { outcome: "dead-letter", message: problem } });
    }
    const rows = await deadLetters("reason = 'malformed'");
    expect(rows.map((r) => [r.message_id, r.error])).toEqual(cases.map(([body, problem], i) => [i < 2 ? null : `k${i}`, problem]));
    // A malformed message delivered again is not dead-lettered twice.
    expect(await handlePush(session, push("not json", "k3"), {}, { bus, work })).toEqual({ status: 204, body: { outcome: "duplicate" } });
    expect(await deadLetters("reason = 'malformed'")).toHaveLength(cases.length);
    expect(calls.size).toBe(0);
  });
});

describe("the Dataform service's completion log entry (Cloud Logging sink → Pub/Sub)", () => {
  it("a SUCCEEDED invocation starts sync, whose completion starts check, correlated by the invocation id", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    const r = await handlePush(session, push(dataformCompletionEntry("1764124200-ab12", "SUCCEEDED"), "l1"), {}, { bus, work });
    expect(r).toEqual({ status: 204, body: { outcome: "ran", runId: invocationName("1764124200-ab12"), phase: "sync", correlationId: "dataform-1764124200-ab12" } });
    await handlePush(session, push(bus.published[0], "l2"), {}, { bus, work });
    expect(Object.fromEntries(calls)).toEqual({ [`${invocationName("1764124200-ab12")}/sync`]: 1, [`${invocationName("1764124200-ab12")}/check`]: 1 });
    expect((await executions(invocationName("1764124200-ab12"))).map((x) => [x.phase, x.status, x.as_of, x.correlation_id])).toEqual([
      ["transform", "succeeded", "2026-11-26", "dataform-1764124200-ab12"],
      ["sync", "succeeded", "2026-11-26", "dataform-1764124200-ab12"],
      ["check", "succeeded", "2026-11-26", "dataform-1764124200-ab12"],
    ]);
  });

  it("a FAILED or CANCELLED invocation runs nothing and records sync and check as skipped; a broken entry is a dead letter", async () => {
    const bus = recordingBus();
    const { work, calls } = fakeWork();
    for (const [id, state] of [["1764124200-f", "FAILED"], ["1764124200-c", "CANCELLED"]]) {
      expect((await handlePush(session, push(dataformCompletionEntry(id, state), `l-${id}`), {}, { bus, work })).body.outcome).toBe("downstream-skipped");
      expect((await executions(invocationName(id))).map((x) => `${x.phase}:${x.status}`)).toEqual(["transform:failed", "sync:skipped", "check:skipped"]);
    }
    const broken = { ...dataformCompletionEntry("x", "RUNNING") };
    expect(await handlePush(session, push(broken, "l-bad"), {}, { bus, work })).toEqual({
      status: 204,
      body: { outcome: "dead-letter", message: 'Dataform completion log entry: jsonPayload.terminalState: Invalid option: expected one of "SUCCEEDED"|"FAILED"|"CANCELLED"' },
    });
    expect(calls.size).toBe(0);
  });
});

describe("the chain's health", () => {
  it("counts the dead letters of the cases above and names the newest; lists runs' phases", async () => {
    const health = await eventsHealth(session);
    const [all] = await rowsOf(db.url, "select count(*)::int as n from vwatch_dead_letters");
    expect(health.deadLetters.count).toBe(all.n);
    expect(health.deadLetters.count).toBeGreaterThanOrEqual(9);
    expect(health.deadLetters.newest).toMatchObject({ reason: "malformed", messageId: "l-bad" });
    // r13's sync, left running by the "busy" case above (its holder never finished).
    expect(health).toMatchObject({ running: 1, retrying: 0 });
    expect((await eventsHealth(session, new Date(Date.now() + 60_000))).deadLetters).toEqual({ count: 0, newest: null });
    expect(await phasesOfRuns(session, ["r6", "r8", "unknown"])).toEqual({
      r6: {
        transform: { status: "succeeded", attempts: 1, error: null },
        sync: { status: "failed", attempts: 5, error: "sync failed 5 times: injected: r6/sync unreachable (call 5)" },
        check: { status: "skipped", attempts: 0, error: "sync failed after 5 attempts" },
      },
      r8: {
        transform: { status: "failed", attempts: 1, error: null },
        sync: { status: "skipped", attempts: 0, error: "transform failed" },
        check: { status: "skipped", attempts: 0, error: "transform failed" },
      },
    });
  });
});
