import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../orchestrator/config";
import { handlePush, type PushResponse } from "../../orchestrator/events/handler";
import { DEFAULT_WORK } from "../../orchestrator/events/phases";
import { Session } from "../../orchestrator/run/session";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { completion, fakeWork, push, recordingBus } from "../helpers/events";
import { asAdmin, freshDatabase, testServer } from "../helpers/pg";
import { repoRoot, tempHome } from "../helpers/project";
import { TcpProxy } from "../helpers/tcp-proxy";

/**
 * PostgreSQL going away in the middle of the sync phase (the real one: spikes from a DuckDB
 * warehouse written to PostgreSQL), with a TCP proxy in front of the test server that the test
 * cuts and brings back: the delivery is answered 503, nothing is half-written, and a redelivery
 * after PostgreSQL is back completes the run.
 */
const SPIKES = 20_000;
let db: { url: string; drop: () => Promise<void> };
let dbName: string;
let proxy: TcpProxy;
let session: Session;

beforeAll(async () => {
  db = await freshDatabase("vwatch_events_outage");
  dbName = new URL(db.url).pathname.slice(1);
  proxy = new TcpProxy(testServer());
  await proxy.start();
  const home = tempHome();
  const w = await openDuckdb(path.join(home, "warehouse.duckdb"));
  try {
    await w.execute(
      `create schema analytics;
       create table analytics.mention_spikes (event_id bigint, spike_date date, mention_count bigint, baseline_avg double,
         baseline_stddev double, z_score double, confidence_level varchar, baseline_days bigint, detected_at timestamp);
       insert into analytics.mention_spikes
         select 1000 + (i % 500), date '2026-01-01' + cast(i // 500 as integer), 10 + (i % 13), 2.5, 1.25, 3.5, 'HIGH', 30, timestamp '2026-01-01 06:00:00'
         from range(${SPIKES}) t(i)`,
    );
  } finally {
    await w.close();
  }
  const s = testServer();
  const url = `postgres://${s.user}${s.password ? `:${encodeURIComponent(s.password)}` : ""}@127.0.0.1:${proxy.port}/${dbName}`;
  session = new Session(loadConfig({ home, projectDir: repoRoot }, { DATABASE_URL: url, VWATCH_PG_CLIENT_TIMEOUT: "20" }));
});
afterAll(async () => {
  await session?.close();
  proxy?.cut();
  await db?.drop();
});

const direct = <T>(sql: string) => asAdmin(async (c) => (await c.query(sql)).rows as T[], dbName);

describe("PostgreSQL unreachable", () => {
  it("before anything: 503, nothing recorded", async () => {
    proxy.cut();
    const r = await handlePush(session, push(completion({ runId: "early", phase: "transform" }), "z1", 1), {}, { bus: recordingBus() });
    expect(r.status).toBe(503);
    expect(r.body.outcome).toBe("unavailable");
    expect(r.body.message).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/vwatch_events_outage_\w+ \(ECONNREFUSED\)/);
    await proxy.start();
  });

  it("mid-sync: 503 and nothing half-written; the redelivery after it is back writes every spike once and the run completes", async () => {
    const bus = recordingBus();
    const { work: fake, calls } = fakeWork();
    const work = { sync: DEFAULT_WORK.sync, check: fake.check };
    const event = completion({ runId: "outage-1", phase: "transform", correlationId: "corr-outage" });

    // Let the ledger connect and migrate first, then cut once the sync has sent ~300 kB of its COPY.
    expect((await handlePush(session, push(completion({ runId: "warm-up", phase: "check" }), "w1"), {}, { bus })).status).toBe(503);
    proxy.cutAfterBytes(300_000);
    const cut = await handlePush(session, push(event, "o1", 1), {}, { bus, work });
    expect(cut.status).toBe(503);
    await proxy.waitCut();
    expect(await direct("select count(*)::int as n from data_pipeline_mentionspike")).toEqual([{ n: 0 }]);
    expect(await direct("select phase, status, attempts, claimed_by from vwatch_phase_executions where run_id = 'outage-1' order by phase")).toEqual([
      { phase: "sync", status: "running", attempts: 1, claimed_by: "o1" },
      { phase: "transform", status: "succeeded", attempts: 1, claimed_by: "o1" },
    ]);
    expect(await direct("select count(*)::int as n from vwatch_event_deliveries where message_id = 'o1'")).toEqual([{ n: 0 }]);

    // Still down: Pub/Sub's next attempt is answered 503 too.
    expect((await handlePush(session, push(event, "o1", 2), {}, { bus, work })).status).toBe(503);

    await proxy.start();
    // Redelivered as Pub/Sub would, until acknowledged (the cut connections' locks go as the server notices).
    let r: PushResponse | undefined;
    let attempt = 3;
    for (; attempt <= 5; attempt++) {
      r = await handlePush(session, push(event, "o1", attempt), {}, { bus, work });
      if (r.status === 204) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(r).toEqual({ status: 204, body: { outcome: "ran", runId: "outage-1", phase: "sync", correlationId: "corr-outage" } });
    expect(await direct("select count(*)::int as n, count(distinct (event_id, spike_date))::int as d from data_pipeline_mentionspike")).toEqual([{ n: SPIKES, d: SPIKES }]);
    expect(bus.published).toEqual([
      { phase: "sync", runId: "outage-1", correlationId: "corr-outage", asOf: "2026-11-26", status: "succeeded", counts: { read: SPIKES, inserted: SPIKES, alreadyPresent: 0 } },
    ]);
    expect((await handlePush(session, push(bus.published[0], "o2", 1), {}, { bus, work })).body.outcome).toBe("ran");
    expect(Object.fromEntries(calls)).toEqual({ "outage-1/check": 1 });
    expect(await direct("select phase, status from vwatch_phase_executions where run_id = 'outage-1' order by phase")).toEqual([
      { phase: "check", status: "succeeded" },
      { phase: "sync", status: "succeeded" },
      { phase: "transform", status: "succeeded" },
    ]);
    expect(await direct("select status from vwatch_sync_ledger order by started_at")).toEqual([{ status: "abandoned" }, { status: "succeeded" }]);
  });
});
