import { describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../orchestrator/events/envelope";
import type { PhaseEvent } from "../../orchestrator/events/event";
import { MemoryBus } from "../../orchestrator/events/memory-bus";

/** The in-process bus's delivery semantics, with a push endpoint that answers as told. */
const event: PhaseEvent = { phase: "transform", runId: "r1", correlationId: "c1", asOf: "2026-11-26", status: "succeeded", counts: {} };

describe("the in-process bus", () => {
  it("delivers a push envelope as Pub/Sub does: base64 JSON data, the event's attributes, deliveryAttempt 1", async () => {
    const bodies: unknown[] = [];
    const bus = new MemoryBus({ subscription: "projects/p/subscriptions/s" });
    bus.setEndpoint(async (body) => (bodies.push(body), { status: 204 }));
    const id = await bus.publish(event);
    await bus.idle();
    expect(bodies).toHaveLength(1);
    const decoded = decodeEnvelope(bodies[0]);
    expect(decoded).toEqual({
      delivery: { messageId: id, subscription: "projects/p/subscriptions/s", deliveryAttempt: 1, attributes: { phase: "transform", status: "succeeded", runId: "r1", correlationId: "c1" }, data: JSON.stringify(event) },
    });
  });

  it("redelivers a message answered 5xx (or throwing) with exponential backoff, then dead-letters it after the 5th attempt", async () => {
    const at: { attempt: number; t: number }[] = [];
    const bus = new MemoryBus({ backoffMs: { min: 20, max: 1_000 } });
    bus.setEndpoint(async (body) => {
      const { delivery } = decodeEnvelope(body) as { delivery: { deliveryAttempt: number } };
      at.push({ attempt: delivery.deliveryAttempt, t: performance.now() });
      if (delivery.deliveryAttempt === 3) throw new Error("the endpoint broke");
      return { status: 503 };
    });
    const id = await bus.publish(event);
    await bus.idle();
    expect(at.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5]);
    const gaps = at.slice(1).map((d, i) => d.t - at[i].t);
    [20, 40, 80, 160].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 2));
    expect(bus.deadLetters).toEqual([{ messageId: id, event, attempts: 5, lastStatus: 503 }]);
    expect(bus.deliveries.map((d) => d.status)).toEqual([503, 503, 500, 503, 503]);
  });

  it("a message acknowledged on its 2nd attempt is not redelivered; with duplicateRate an acknowledged message may come again (same id, same attempt)", async () => {
    let calls = 0;
    const bus = new MemoryBus({ backoffMs: { min: 5, max: 50 } });
    bus.setEndpoint(async () => ({ status: ++calls === 1 ? 503 : 200 }));
    await bus.publish(event);
    await bus.idle();
    expect(bus.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 503],
      [2, 200],
    ]);
    expect(bus.deadLetters).toEqual([]);

    // The draws in order: publish's jitter and republish, the first ack's duplicate (yes) and its jitter, the duplicate's (no).
    const draws = [0.5, 0.9, 0, 0.5, 0.9];
    const dup = new MemoryBus({ duplicateRate: 0.5, random: () => draws.shift() ?? 0.9 });
    dup.setEndpoint(async () => ({ status: 204 }));
    const id = await dup.publish(event);
    await dup.idle();
    expect(dup.deliveries).toEqual([
      { messageId: id, attempt: 1, status: 204 },
      { messageId: id, attempt: 1, status: 204 },
    ]);
  });
});
