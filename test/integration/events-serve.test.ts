import * as fs from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../orchestrator/config";
import { MemoryBus } from "../../orchestrator/events/memory-bus";
import { serveChain } from "../../orchestrator/events/serve-chain";
import { productHooks } from "../../orchestrator/product";
import { Session } from "../../orchestrator/run/session";
import { startServer, type RunningServer } from "../../orchestrator/serve/server";
import { completion, fakeWork, push, rowsOf } from "../helpers/events";
import { freshDatabase } from "../helpers/pg";
import { tempHome } from "../helpers/project";
import { postJson, servedProject, waitForRun } from "../helpers/serve";

/**
 * Phase chaining in `vwatch serve` (in this process, loopback, no auth): a served run's end is
 * transform's completion, published on the in-process bus; sync and check follow once; and
 * POST /events/pubsub is the push handler.
 */
let db: { url: string; drop: () => Promise<void> };
let session: Session;
let server: RunningServer;
let bus: MemoryBus;
const project = servedProject(1);
const { work, calls } = fakeWork();

beforeAll(async () => {
  db = await freshDatabase("vwatch_events_serve");
  session = new Session(loadConfig({ home: tempHome(), projectDir: project }, { ...process.env, DATABASE_URL: db.url }), productHooks);
  bus = new MemoryBus({ backoffMs: { min: 20, max: 500 } });
  const chain = serveChain(session, { bus, work });
  bus.setEndpoint((body) => chain.handlePush(body));
  server = await startServer(session, { port: 0, host: "127.0.0.1", auth: false, staleAfterHours: 26 }, { handlePush: chain.handlePush, onRunEnd: chain.onRunEnd });
});
afterAll(async () => {
  await server?.shutdown();
  await session?.close();
  await db?.drop();
  fs.rmSync(project, { recursive: true, force: true });
});

describe("phase chaining in vwatch serve", () => {
  it("POST /runs: the run's end starts sync then check, once, under the request's correlation id", async () => {
    const r = await postJson(`${server.url}/runs`, { selection: { actions: ["step_1"], includeDeps: true } }, { "x-correlation-id": "corr-served" });
    expect(r.status).toBe(202);
    const { id } = (await r.json()) as { id: string };
    expect(await waitForRun(server.url, id)).toMatchObject({ status: "succeeded" });
    for (let i = 0; i < 100 && bus.published.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.idle();
    expect(bus.published.map((p) => [p.event.phase, p.event.runId, p.event.correlationId, p.event.status])).toEqual([
      ["transform", id, "corr-served", "succeeded"],
      ["sync", id, "corr-served", "succeeded"],
      ["check", id, "corr-served", "succeeded"],
    ]);
    expect(Object.fromEntries(calls)).toEqual({ [`${id}/sync`]: 1, [`${id}/check`]: 1 });
    expect(await rowsOf(db.url, `select phase, status from vwatch_phase_executions where run_id = '${id}' order by started_at`)).toEqual([
      { phase: "transform", status: "succeeded" },
      { phase: "sync", status: "succeeded" },
      { phase: "check", status: "succeeded" },
    ]);
  });

  it("POST /events/pubsub runs the handler: 204 for a delivery, 204 with no work for its repeat, 204 dead letter for garbage", async () => {
    const body = push(completion({ runId: "pushed-1", phase: "transform" }), "srv-1", 1);
    const first = await postJson(`${server.url}/events/pubsub`, body);
    expect(first.status).toBe(204);
    const again = await postJson(`${server.url}/events/pubsub`, body);
    expect(again.status).toBe(204);
    expect(calls.get("pushed-1/sync")).toBe(1);
    expect((await postJson(`${server.url}/events/pubsub`, { hello: "world" })).status).toBe(204);
    const [{ n }] = await rowsOf(db.url, "select count(*)::int as n from vwatch_dead_letters where reason = 'malformed'");
    expect(n).toBe(1);
    // /health/detailed counts it (serve/health.ts reads vwatch_dead_letters).
    expect(await (await fetch(`${server.url}/health/detailed`)).json()).toMatchObject({ deadLetters: 1 });
  });

  it("a served run that wrote its spikes itself: sync is recorded from its write-back, not run again, and check follows", async () => {
    const chain = serveChain(session, { bus, work });
    await chain.onRunEnd({ runId: "self-synced", correlationId: "corr-self", asOf: "2026-11-26", status: "succeeded", synced: { read: 4, inserted: 3, alreadyPresent: 1 } });
    for (let i = 0; i < 100 && !calls.has("self-synced/check"); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.idle();
    expect(bus.published.filter((p) => p.event.runId === "self-synced").map((p) => [p.event.phase, p.event.status, p.event.correlationId])).toEqual([
      ["sync", "succeeded", "corr-self"],
      ["check", "succeeded", "corr-self"],
    ]);
    expect(calls.has("self-synced/sync")).toBe(false);
    expect(calls.get("self-synced/check")).toBe(1);
    expect(await rowsOf(db.url, "select phase, status, counts from vwatch_phase_executions where run_id = 'self-synced' order by array_position(array['transform','sync','check'], phase)")).toEqual([
      { phase: "transform", status: "succeeded", counts: {} },
      { phase: "sync", status: "succeeded", counts: { read: 4, inserted: 3, alreadyPresent: 1 } },
      { phase: "check", status: "succeeded", counts: { calls: 1 } },
    ]);
  });

  it("POST /runs with sync: false runs the transform only: sync and check are recorded skipped, saying why, and nothing is published", async () => {
    const r = await postJson(`${server.url}/runs`, { selection: { actions: ["step_1"] }, sync: false }, { "x-correlation-id": "corr-nosync" });
    expect(r.status).toBe(202);
    const { id } = (await r.json()) as { id: string };
    expect(await waitForRun(server.url, id)).toMatchObject({ status: "succeeded" });
    for (let i = 0; i < 100 && (await rowsOf(db.url, `select 1 from vwatch_phase_executions where run_id = '${id}' and phase = 'check'`)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.idle();
    expect(await rowsOf(db.url, `select phase, status, error from vwatch_phase_executions where run_id = '${id}' order by array_position(array['transform','sync','check'], phase)`)).toEqual([
      { phase: "transform", status: "succeeded", error: null },
      { phase: "sync", status: "skipped", error: "the run was asked for no write-back (sync: false)" },
      { phase: "check", status: "skipped", error: "the run was asked for no write-back (sync: false)" },
    ]);
    expect(bus.published.filter((p) => p.event.runId === id)).toEqual([]);
    expect(calls.has(`${id}/sync`) || calls.has(`${id}/check`)).toBe(false);
  });

  it("a served run whose write-back refused its experiment's vars: sync and check are recorded skipped, so the chain does not write them either", async () => {
    const chain = serveChain(session, { bus, work });
    await chain.onRunEnd({ runId: "experiment", correlationId: "corr-exp", asOf: "2026-11-26", status: "succeeded", syncRefused: true });
    await bus.idle();
    expect(bus.published.filter((p) => p.event.runId === "experiment")).toEqual([]);
    const rows = await rowsOf(db.url, "select phase, status, error from vwatch_phase_executions where run_id = 'experiment' order by array_position(array['transform','sync','check'], phase)");
    expect(rows.map((r) => [r.phase, r.status])).toEqual([["transform", "succeeded"], ["sync", "skipped"], ["check", "skipped"]]);
    expect(rows[1].error).toMatch(/^the run's vars differ from workflow_settings.yaml \(an experiment\)/);
    expect(calls.has("experiment/sync")).toBe(false);
  });
});
