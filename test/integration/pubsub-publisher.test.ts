import * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CloudError } from "../../orchestrator/errors";
import { chooseBus } from "../../orchestrator/events/choose-bus";
import { handlePush } from "../../orchestrator/events/handler";
import { MemoryBus } from "../../orchestrator/events/memory-bus";
import { PubsubBus } from "../../orchestrator/events/pubsub-publisher";
import { isTransient } from "../../orchestrator/events/transient";
import type { Session } from "../../orchestrator/run/session";
import { FakePubsub } from "../fakes/pubsub-server";
import { completion, eventSession, fakeWork, push, rowsOf } from "../helpers/events";
import { freshDatabase } from "../helpers/pg";

/**
 * The production publisher (@google-cloud/pubsub) against a local fake of the Pub/Sub gRPC API,
 * reached through PUBSUB_EMULATOR_HOST as the library supports.
 */
const PROJECT = "venezuelawatch";
let fake: FakePubsub;
let saved: string | undefined;
const buses: PubsubBus[] = [];
const bus = (settings: ConstructorParameters<typeof PubsubBus>[1]) => {
  const b = new PubsubBus(PROJECT, settings, 2_000);
  buses.push(b);
  return b;
};

beforeAll(async () => {
  fake = new FakePubsub();
  await fake.start();
  saved = process.env.PUBSUB_EMULATOR_HOST;
  process.env.PUBSUB_EMULATOR_HOST = fake.host;
});
afterEach(async () => {
  for (const b of buses.splice(0)) await b.close();
});
afterAll(async () => {
  if (saved === undefined) delete process.env.PUBSUB_EMULATOR_HOST;
  else process.env.PUBSUB_EMULATOR_HOST = saved;
  await fake?.stop();
});

const topic = (id: string) => `projects/${PROJECT}/topics/${id}`;

describe("the Pub/Sub publisher", () => {
  it("creates the missing topics once (GetTopic, then CreateTopic on NOT_FOUND); a second call creates nothing", async () => {
    const b = bus({ topic: "vwatch-phases" });
    fake.calls.length = 0;
    expect(await b.ensureTopics("vwatch-phases-dead")).toEqual([topic("vwatch-phases"), topic("vwatch-phases-dead")]);
    expect(fake.calls.map((c) => `${c.method} ${c.request.topic ?? c.request.name}`)).toEqual([
      `GetTopic ${topic("vwatch-phases")}`,
      `CreateTopic ${topic("vwatch-phases")}`,
      `GetTopic ${topic("vwatch-phases-dead")}`,
      `CreateTopic ${topic("vwatch-phases-dead")}`,
    ]);
    expect(fake.calls[1].request.labels).toEqual({ "managed-by": "vwatch" });
    expect(await b.ensureTopics("vwatch-phases-dead")).toEqual([]);
  });

  it("publishes a completion event as JSON data with its phase, status, run and correlation id as attributes", async () => {
    const b = bus({ topic: "vwatch-phases" });
    const event = completion({ runId: "run-1", phase: "sync", counts: { inserted: 3 } });
    const id = await b.publish(event);
    const [message] = fake.messages.get(topic("vwatch-phases"))!.slice(-1);
    expect(message.messageId).toBe(id);
    expect(JSON.parse(message.data.toString("utf8"))).toEqual(event);
    expect(message.attributes).toEqual({ phase: "sync", status: "succeeded", runId: "run-1", correlationId: "corr-run-1" });
  });

  it("with a topic per phase, each completion goes to its phase's topic", async () => {
    const topics = { transform: "vwatch-transform-done", sync: "vwatch-sync-done", check: "vwatch-check-done" };
    const b = bus({ topics });
    await b.ensureTopics("vwatch-dead");
    for (const phase of ["transform", "sync", "check"] as const) await b.publish(completion({ runId: "run-2", phase }));
    for (const [phase, id] of Object.entries(topics)) {
      expect((fake.messages.get(topic(id)) ?? []).map((m) => m.attributes.phase)).toEqual([phase]);
    }
  });

  it("a missing topic is a one-line NOT_FOUND naming it; an unavailable service is retried, then transient", async () => {
    const missing = bus({ topic: "vwatch-nowhere" });
    const error = await missing.publish(completion({ runId: "run-3", phase: "sync" })).catch((e) => e);
    expect(error).toBeInstanceOf(CloudError);
    expect(error.reason).toBe("NOT_FOUND");
    expect(error.message).toBe(
      `Pub/Sub Publish of ${topic("vwatch-nowhere")} failed (NOT_FOUND: Topic not found); create it (docs/phase-chaining.md) or fix production.pubsub in vwatch.yaml`,
    );
    expect(isTransient(error)).toBe(false);

    const b = bus({ topic: "vwatch-phases" });
    const before = fake.messages.get(topic("vwatch-phases"))!.length;
    fake.failNext("Publish", grpc.status.UNAVAILABLE, 2);
    await b.publish(completion({ runId: "run-4", phase: "sync" }));
    expect(fake.messages.get(topic("vwatch-phases"))!.length).toBe(before + 1);
    expect(fake.calls.filter((c) => c.method === "Publish" && c.request.messages[0].attributes.runId === "run-4")).toHaveLength(3);

    fake.failNext("Publish", grpc.status.UNAVAILABLE, 1000);
    const down = await b.publish(completion({ runId: "run-5", phase: "sync" })).catch((e) => e);
    fake.clearFailures("Publish");
    expect(down).toBeInstanceOf(CloudError);
    expect(down.reason).toBe("UNAVAILABLE");
    expect(down.message).toMatch(/^Pub\/Sub Publish of projects\/venezuelawatch\/topics\/vwatch-phases failed \(DEADLINE_EXCEEDED: Total timeout of API google\.pubsub\.v1\.Publisher exceeded 2000 milliseconds .*UNAVAILABLE.*\); try again later$/);
    expect(down.message.length).toBeLessThan(450);
    expect(isTransient(down)).toBe(true);
  });
});

describe("the push handler publishing through Pub/Sub", () => {
  let db: { url: string; drop: () => Promise<void> };
  let session: Session;
  beforeAll(async () => {
    db = await freshDatabase("vwatch_events_pubsub");
    session = eventSession(db.url);
  });
  afterAll(async () => {
    await session?.close();
    await db?.drop();
  });

  it("Pub/Sub down after sync ran: 503 and sync is not run again; the redelivery publishes the recorded completion once", async () => {
    const b = bus({ topic: "vwatch-chain" });
    await b.ensureTopics("vwatch-chain-dead");
    const { work, calls } = fakeWork();
    fake.failNext("Publish", grpc.status.UNAVAILABLE, 1000);
    const event = completion({ runId: "run-6", phase: "transform" });
    const first = await handlePush(session, push(event, "p1", 1), {}, { bus: b, work });
    fake.clearFailures("Publish");
    expect(first.status).toBe(503);
    expect(first.body.outcome).toBe("unavailable");
    expect(fake.messages.get(topic("vwatch-chain"))).toBeUndefined();
    expect(await rowsOf(db.url, "select status, published_at is null as unpublished from vwatch_phase_executions where run_id = 'run-6' and phase = 'sync'")).toEqual([
      { status: "succeeded", unpublished: true },
    ]);

    const again = await handlePush(session, push(event, "p1", 2), {}, { bus: b, work });
    expect(again).toEqual({ status: 204, body: { outcome: "already-handled", runId: "run-6", phase: "sync", correlationId: "corr-run-6" } });
    expect(Object.fromEntries(calls)).toEqual({ "run-6/sync": 1 });
    const published = fake.messages.get(topic("vwatch-chain"))!;
    expect(published.map((m) => JSON.parse(m.data.toString("utf8")))).toEqual([
      { phase: "sync", runId: "run-6", correlationId: "corr-run-6", asOf: "2026-11-26", status: "succeeded", counts: { calls: 1 } },
    ]);
    expect(await rowsOf(db.url, "select published_at is null as unpublished from vwatch_phase_executions where run_id = 'run-6' and phase = 'sync'")).toEqual([{ unpublished: false }]);
  });
});

describe("chooseBus", () => {
  it("is Pub/Sub when the settings have production.pubsub (and it is wanted), else the in-process bus", async () => {
    const session = eventSession("postgres://nobody@127.0.0.1:1/none");
    try {
      const pubsub = chooseBus(session, { project: PROJECT, pubsub: { topic: "vwatch-phases" } as never });
      expect(pubsub).toBeInstanceOf(PubsubBus);
      expect((pubsub as PubsubBus).topicName("check")).toBe(topic("vwatch-phases"));
      expect(chooseBus(session, { project: PROJECT, pubsub: { topic: "vwatch-phases" } as never }, false)).toBeInstanceOf(MemoryBus);
      expect(chooseBus(session, { project: PROJECT })).toBeInstanceOf(MemoryBus);
      await (pubsub as PubsubBus).close();
    } finally {
      await session.close();
    }
  });
});
