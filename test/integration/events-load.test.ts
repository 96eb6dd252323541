import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handlePush } from "../../orchestrator/events/handler";
import { MemoryBus } from "../../orchestrator/events/memory-bus";
import { rng } from "../../orchestrator/generate/random";
import type { Session } from "../../orchestrator/run/session";
import { completion, eventSession, fakeWork, rowsOf } from "../helpers/events";
import { freshDatabase } from "../helpers/pg";

/**
 * A day's phase events through the in-process bus and the real push handler on the real
 * PostgreSQL test server: deliveries duplicated, reordered (jitter, and completions published
 * before their phase ran), and transient failures injected into phase work. Seeded, so a failure
 * replays.
 */
let db: { url: string; drop: () => Promise<void> };
let session: Session;

beforeAll(async () => {
  db = await freshDatabase("vwatch_events_load");
  session = eventSession(db.url);
});
afterAll(async () => {
  await session?.close();
  await db?.drop();
});

describe("phase chaining under load and faults", () => {
  it("100+ deliveries with duplicates, reordering and transient failures: each phase once per run, nothing lost, dead letters only after 5 failed attempts", async () => {
    const random = rng(14);
    const runs = Array.from({ length: 24 }, (_, i) => `day-2026-11-26-r${String(i).padStart(2, "0")}`);
    const r = (i: number) => runs[i];
    const { work, calls, succeeded } = fakeWork({
      // Recover on a later attempt: 2 and 1 transient failures, and 4 (the 5th attempt succeeds).
      failures: { [`${r(3)}/sync`]: 2, [`${r(7)}/check`]: 1, [`${r(19)}/sync`]: 4, [`${r(11)}/sync`]: 5, [`${r(15)}/check`]: 5 },
      delayMs: () => Math.floor(random() * 15),
    });
    // Backoff from 150 ms: a completion published before its phase ran waits ~4.5 s over its 5
    // attempts, long enough on a loaded 2-core machine for the run's earlier phases to finish.
    const bus = new MemoryBus({ backoffMs: { min: 150, max: 3_000 }, jitterMs: 25, duplicateRate: 0.3, republishRate: 0.3, random });
    bus.setEndpoint((body) => handlePush(session, body, {}, { bus, work }));

    // Reordered on purpose: completions of later phases published before their run's transform.
    await bus.publish(completion({ runId: r(1), phase: "sync" }));
    await bus.publish(completion({ runId: r(5), phase: "sync" }));
    await bus.publish(completion({ runId: r(2), phase: "check" }));
    for (const run of runs) await bus.publish(completion({ runId: run, phase: "transform", correlationId: `corr-${run}` }));
    await bus.idle();

    // Each phase's work succeeded exactly once per run, except where all 5 attempts failed.
    const exhausted = [`${r(11)}/sync`, `${r(15)}/check`];
    const expected: Record<string, number> = {};
    for (const run of runs) {
      for (const phase of ["sync", "check"]) {
        const key = `${run}/${phase}`;
        if (exhausted.includes(key) || key === `${r(11)}/check`) continue;
        expected[key] = 1;
      }
    }
    expect(Object.fromEntries([...succeeded].sort())).toEqual(Object.fromEntries(Object.entries(expected).sort()));
    expect(calls.get(`${r(3)}/sync`)).toBe(3);
    expect(calls.get(`${r(7)}/check`)).toBe(2);
    expect(calls.get(`${r(19)}/sync`)).toBe(5);
    expect(calls.get(`${r(11)}/sync`)).toBe(5);
    expect(calls.get(`${r(15)}/check`)).toBe(5);
    expect(calls.has(`${r(11)}/check`)).toBe(false);

    // The ledger: every run's three phases in a final state, with the attempts they took.
    const rows = await rowsOf(db.url, "select run_id, phase, status, attempts, correlation_id from vwatch_phase_executions order by run_id, phase");
    const state = new Map(rows.map((x) => [`${x.run_id}/${x.phase}`, `${x.status}:${x.attempts}`]));
    expect(rows).toHaveLength(runs.length * 3);
    for (const run of runs) {
      expect(state.get(`${run}/transform`)).toBe("succeeded:1");
      const sync = { [r(3)]: "succeeded:3", [r(19)]: "succeeded:5", [r(11)]: "failed:5" }[run] ?? "succeeded:1";
      const check = { [r(7)]: "succeeded:2", [r(15)]: "failed:5", [r(11)]: "skipped:0" }[run] ?? "succeeded:1";
      expect([run, state.get(`${run}/sync`), state.get(`${run}/check`)]).toEqual([run, sync, check]);
    }
    // The correlation id of the run's transform is carried through its phases.
    expect(rows.every((x) => x.correlation_id === `corr-${x.run_id}`)).toBe(true);

    // Dead letters only where 5 attempts failed: recorded by the handler, none left to the bus.
    const dead = await rowsOf(db.url, "select run_id, phase, reason, delivery_attempt from vwatch_dead_letters order by run_id");
    expect(dead).toEqual([
      { run_id: r(11), phase: "transform", reason: "attempts_exhausted", delivery_attempt: 5 },
      { run_id: r(15), phase: "sync", reason: "attempts_exhausted", delivery_attempt: 5 },
    ]);
    expect(bus.deadLetters).toEqual([]);

    // Nothing lost: every published message was acknowledged, and recorded once.
    const acked = new Set(bus.deliveries.filter((d) => d.status >= 200 && d.status < 300).map((d) => d.messageId));
    expect(bus.published.filter((p) => !acked.has(p.messageId))).toEqual([]);
    const recorded = await rowsOf(db.url, "select count(*)::int as n, count(distinct message_id)::int as d from vwatch_event_deliveries");
    expect(recorded).toEqual([{ n: bus.published.length, d: bus.published.length }]);
    // The handler published each completion once per run and phase (3 forged + 24 transforms + 23 syncs + 22 checks).
    const originals = bus.published.filter((p) => !p.copy).map((p) => `${p.event.runId}/${p.event.phase}`);
    expect(originals.length).toBe(3 + 24 + 23 + 22);
    expect(new Set(originals.slice(3 + 24)).size).toBe(23 + 22);
    // Events stored twice under two ids (a publisher's retry) were among them.
    expect(bus.published.filter((p) => p.copy).length).toBeGreaterThan(10);

    // The load: at least 100 deliveries, with duplicates and redeliveries among them.
    const repeats = bus.deliveries.length - bus.published.length;
    expect(bus.deliveries.length).toBeGreaterThanOrEqual(100);
    expect(repeats).toBeGreaterThan(20);
    expect(bus.deliveries.filter((d) => d.status === 503).length).toBeGreaterThanOrEqual(2 + 1 + 4 + 4 + 4 + 3);
  });
});
