import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareAppData } from "../../orchestrator/cli/seed";
import { loadSamples } from "../../orchestrator/cli/start";
import { loadConfig } from "../../orchestrator/config";
import { localBus, startRun } from "../../orchestrator/events/chain";
import { productHooks } from "../../orchestrator/product";
import { readResults } from "../../orchestrator/run/results";
import { Session } from "../../orchestrator/run/session";
import { warehouseFile } from "../../orchestrator/warehouse/open";
import { rowsOf } from "../helpers/events";
import { freshDatabase } from "../helpers/pg";
import { repoRoot, tempHome } from "../helpers/project";

/**
 * The real phases chained through the in-process bus: the bundled sample loaded into a DuckDB
 * warehouse, transform (every SQLX action), sync (the spikes to the real PostgreSQL test server)
 * and check (the Vertex AI requirements), each delivered as Pub/Sub push would, duplicates included.
 */
let db: { url: string; drop: () => Promise<void> };
let session: Session;

beforeAll(async () => {
  db = await freshDatabase("vwatch_events_chain");
  session = new Session(loadConfig({ home: tempHome(), projectDir: repoRoot }, { DATABASE_URL: db.url }), productHooks);
  await loadSamples(warehouseFile(session.config));
  expect((await prepareAppData(session)).seeded).toBeDefined();
}, 300_000);
afterAll(async () => {
  await session?.close();
  await db?.drop();
});

describe("the daily chain on the local warehouse", () => {
  it("transform, sync and check each run once, with one correlation id and the as_of transform pinned; a repeated start does nothing", async () => {
    const bus = localBus(session, { backoffMs: { min: 50, max: 1_000 }, duplicateRate: 0.5 });
    const started = await startRun(session, bus, { runId: "daily-1", correlationId: "corr-daily-1" });
    expect(started.kind).toBe("ran");
    await bus.idle();

    const asOf = (readResults(session.config.home)?.options.vars as Record<string, string>).as_of;
    expect(asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const rows = await rowsOf(db.url, "select phase, status, attempts, correlation_id, to_char(as_of, 'YYYY-MM-DD') as as_of, counts from vwatch_phase_executions where run_id = 'daily-1' order by started_at");
    expect(rows.map((r) => [r.phase, r.status, r.attempts, r.correlation_id, r.as_of])).toEqual([
      ["transform", "succeeded", 1, "corr-daily-1", asOf],
      ["sync", "succeeded", 1, "corr-daily-1", asOf],
      ["check", "succeeded", 1, "corr-daily-1", asOf],
    ]);
    const [transform, sync, check] = rows.map((r) => r.counts as Record<string, number>);
    expect(transform.failed).toBe(0);
    expect(transform.success).toBeGreaterThan(10);
    const [spikes] = await rowsOf(db.url, "select count(*)::int as n from data_pipeline_mentionspike");
    expect(sync).toEqual({ read: spikes.n, inserted: spikes.n, alreadyPresent: 0 });
    expect(spikes.n).toBeGreaterThan(0);
    expect(check.failed).toBe(0);
    expect(check.requirements).toBe(check.passed + check.warned);
    expect(bus.deadLetters).toEqual([]);
    expect(bus.published.map((p) => p.event.phase)).toEqual(["transform", "sync", "check"]);

    const again = await startRun(session, bus, { runId: "daily-1", correlationId: "corr-daily-1" });
    expect(again.kind).toBe("taken");
    await bus.idle();
    expect(bus.published).toHaveLength(3);
  }, 300_000);
});
