import * as fs from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POOL_SIZE } from "../../orchestrator/serve/server";
import { POOL_APPLICATION_NAME } from "../../orchestrator/serve/pool";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { postJson, servedProject, serveInProcess, waitForRun } from "../helpers/serve";

/**
 * `vwatch serve`'s endpoints on loopback, without authentication (serve-auth.test.ts covers it),
 * against a database of their own: health, triggering and following runs, idempotency under 50
 * concurrent retries, 409 on a busy warehouse, 400 listing each bad field, cancel, the push route,
 * and 200 concurrent detailed health checks within the bounded pool.
 */
let db: { url: string; drop: () => Promise<void> };
let served: Awaited<ReturnType<typeof serveInProcess>>;
let url: string;
const project = servedProject(2);
const dbName = () => new URL(db.url).pathname.slice(1);
const query = async (sql: string, params: unknown[] = []) => asAdmin(async (c) => (await c.query(sql, params)).rows, dbName());

beforeAll(async () => {
  db = await freshDatabase("vwatch_serve");
  served = await serveInProcess(project, db.url, {}, { handlePush: async (envelope) => ({ status: 204, body: { seen: envelope } }) });
  url = served.server.url;
});

afterAll(async () => {
  await served?.stop();
  await db?.drop();
  fs.rmSync(project, { recursive: true, force: true });
});

describe("vwatch serve", () => {
  it("GET /health answers without touching anything; /health/detailed is 503 until a run succeeded", async () => {
    const live = await fetch(`${url}/health`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });
    const detailed = await fetch(`${url}/health/detailed`);
    expect(detailed.status).toBe(503);
    expect(await detailed.json()).toMatchObject({
      status: "unhealthy",
      version: "0.1.0",
      problems: ["no successful run recorded yet"],
      warehouse: { ok: true, dialect: "duckdb" },
      postgres: { ok: true },
      migrations: { current: true, pending: [] },
      lastSuccessfulRun: null,
      deadLetters: 0,
    });
  });

  it("POST /runs is 202 with the run's id; GET /runs/{id} follows it to succeeded with each action; /health/detailed is then 200", async () => {
    const r = await postJson(`${url}/runs`, { selection: { actions: ["step_1"], includeDeps: true } }, { "x-correlation-id": "corr-1" });
    expect(r.status).toBe(202);
    const { id, correlationId } = (await r.json()) as { id: string; correlationId: string };
    expect(correlationId).toBe("corr-1");
    const run = await waitForRun(url, id);
    expect(run).toMatchObject({ id, status: "succeeded", trigger: "server", ranOn: "duckdb", correlationId: "corr-1", selection: { actions: ["step_1"], includeDeps: true }, progress: { done: 2, total: 2 } });
    expect((run.actions as { name: string; status: string }[]).map((a) => [a.name, a.status])).toEqual([["testproj.ds.first", "success"], ["testproj.ds.step_1", "success"]]);
    const health = await fetch(`${url}/health/detailed`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", problems: [], lastSuccessfulRun: { id, staleAfterHours: 26 } });
    // The server's runs leave run_results.json to the last CLI run.
    expect(fs.existsSync(`${served.home}/run_results.json`)).toBe(false);

    const listed = (await (await fetch(`${url}/runs?limit=1&status=succeeded`)).json()) as { runs: { id: string }[] };
    expect(listed.runs.map((x) => x.id)).toEqual([id]);
    const missing = await fetch(`${url}/runs/no-such-run`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 404, message: "no run no-such-run", status: "NOT_FOUND" } });
    const bad = await fetch(`${url}/runs?limit=0&status=done`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: unknown } }).error.fields).toEqual([
      { field: "limit", problem: "a whole number from 1 to 999" },
      { field: "status", problem: "one of queued, running, succeeded, failed, cancelled, interrupted" },
    ]);
  });

  it("a last success older than the schedule allows makes /health/detailed 503 naming it", async () => {
    const [last] = await query("select id from vwatch_runs where status = 'succeeded' order by started_at desc limit 1");
    await query("update vwatch_runs set started_at = now() - interval '30 hours', ended_at = now() - interval '30 hours' where status = 'succeeded'");
    try {
      const health = await fetch(`${url}/health/detailed`);
      expect(health.status).toBe(503);
      const body = (await health.json()) as { problems: string[] };
      expect(body.problems).toEqual([`the last successful run (${last.id}) ended 30 h ago, more than 26 h (the schedule's interval and a grace)`]);
    } finally {
      await query("update vwatch_runs set started_at = now(), ended_at = now() where status = 'succeeded'");
    }
  });

  it("a malformed body is 400 listing each bad field", async () => {
    const r = await postJson(`${url}/runs`, { selection: { tags: [], actions: [3] }, vars: { z_threshold: 2 }, fullRefresh: "yes", where: "mars", colour: 1 });
    expect(r.status).toBe(400);
    const { error } = (await r.json()) as { error: { status: string; fields: { field: string; problem: string }[] } };
    expect(error.status).toBe("INVALID_ARGUMENT");
    expect(error.fields.map((f) => f.field).sort()).toEqual(["colour", "fullRefresh", "selection.actions.0", "selection.tags", "vars.z_threshold", "where"]);
    expect(error.fields.find((f) => f.field === "selection.tags")?.problem).toBe("must name at least one");
    const notJson = await fetch(`${url}/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(notJson.status).toBe(400);
    const elsewhere = await postJson(`${url}/runs`, { where: "bigquery" });
    expect(elsewhere.status).toBe(400);
    expect(((await elsewhere.json()) as { error: { fields: unknown } }).error.fields).toEqual([{ field: "where", problem: "this server runs on local (VWATCH_WAREHOUSE)" }]);
    // Vars are checked against the project's as `vwatch run --vars` checks them, before any run starts.
    const badVar = await postJson(`${url}/runs`, { vars: { no_such_var: "1" } });
    expect(badVar.status).toBe(400);
    const fields = ((await badVar.json()) as { error: { fields: { field: string; problem: string }[] } }).error.fields;
    expect(fields.map((f) => f.field)).toEqual(["vars.no_such_var"]);
    expect(fields[0].problem).toMatch(/^unknown var "no_such_var"; known vars/);
    // This project has no vwatch.yaml: no release to run on the Dataform service.
    const dataform = await postJson(`${url}/runs`, { where: "dataform" });
    expect(dataform.status).toBe(400);
    expect(((await dataform.json()) as { error: { fields: unknown } }).error.fields).toEqual([
      { field: "where", problem: "the project has no vwatch.yaml: runs on the Dataform service need its production settings (see docs/production-deploy.md)" },
    ]);
  });

  it("50 concurrent POST /runs with one Idempotency-Key make exactly one run, and all 50 name it", async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => postJson(`${url}/runs`, {}, { "idempotency-key": "scheduler-2026-11-27" })));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));
    const ids = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await query("select id from vwatch_runs where idempotency_key = $1", ["scheduler-2026-11-27"])).toEqual([{ id }]);
    expect(await waitForRun(url, id)).toMatchObject({ status: "succeeded" });
    // A retry after the run ended still finds it, and starts nothing.
    const again = await postJson(`${url}/runs`, {}, { "idempotency-key": "scheduler-2026-11-27" });
    expect(await again.json()).toMatchObject({ id, status: "succeeded", existing: true });
  });

  it("a Cloud Scheduler call without an Idempotency-Key is keyed on its job and scheduled time, so its retries find one run", async () => {
    const headers = { "x-cloudscheduler": "true", "x-cloudscheduler-jobname": "vwatch-daily", "x-cloudscheduler-scheduletime": "2026-11-27T02:15:00Z" };
    const first = (await (await postJson(`${url}/runs`, {}, headers)).json()) as { id: string };
    const retry = (await (await postJson(`${url}/runs`, {}, headers)).json()) as { id: string; existing: boolean };
    expect(retry).toMatchObject({ id: first.id, existing: true });
    expect(await waitForRun(url, first.id)).toMatchObject({ trigger: "schedule", idempotencyKey: "vwatch-daily@2026-11-27T02:15:00Z", status: "succeeded" });
  });

  it("a second run while one is unfinished on the same warehouse is 409 naming it", async () => {
    await query(
      "insert into vwatch_runs (id, trigger, correlation_id, ran_on, started_at, status) values ('other-process-run', 'server', 'c', 'duckdb', now(), 'running')",
    );
    try {
      const r = await postJson(`${url}/runs`, {});
      expect(r.status).toBe(409);
      expect(await r.json()).toEqual({
        error: { code: 409, status: "ABORTED", message: "run other-process-run is running on duckdb; wait for it or cancel it", runningRun: "other-process-run" },
      });
      const cancel = await fetch(`${url}/runs/other-process-run/cancel`, { method: "POST" });
      expect(cancel.status).toBe(409);
    } finally {
      await query("delete from vwatch_runs where id = 'other-process-run'");
    }
  });

  it("POST /runs/{id}/cancel stops a run before its next action: cancelled in the ledger", async () => {
    const r = await postJson(`${url}/runs`, {});
    const { id } = (await r.json()) as { id: string };
    const cancel = await fetch(`${url}/runs/${id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    const run = await waitForRun(url, id);
    expect(run).toMatchObject({ status: "cancelled", error: "cancelled on request" });
    expect((run.actions as { status: string }[]).every((a) => a.status === "cancelled")).toBe(true);
    const late = await fetch(`${url}/runs/${id}/cancel`, { method: "POST" });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { message: string } }).error.message).toBe(`run ${id} already ended: cancelled`);
  });

  it("POST /events/pubsub goes to the push handler given to the server", async () => {
    const r = await postJson(`${url}/events/pubsub`, { message: { messageId: "1" } });
    expect(r.status).toBe(204);
  });

  it("200 concurrent GET /health/detailed are all answered while the pool stays within its bound", async () => {
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [{ n }] = await asAdmin(async (c) => (await c.query("select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = $2", [dbName(), POOL_APPLICATION_NAME])).rows);
        most = Math.max(most, n);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`${url}/health/detailed`)));
    sampling = false;
    await sampler;
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(200));
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(POOL_SIZE);
  });
});

describe("vwatch serve without a push handler", () => {
  it("answers POST /events/pubsub with 501 until phase chaining is wired", async () => {
    const other = await freshDatabase("vwatch_serve_push");
    const s = await serveInProcess(project, other.url);
    try {
      const r = await postJson(`${s.server.url}/events/pubsub`, {});
      expect(r.status).toBe(501);
      expect(await r.json()).toEqual({ error: { code: 501, message: "phase chaining is not wired yet", status: "UNIMPLEMENTED" } });
    } finally {
      await s.stop();
      await other.drop();
    }
  });
});
