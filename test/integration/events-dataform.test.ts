import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../orchestrator/config";
import { DEFAULT_WORK, type PhaseWork } from "../../orchestrator/events/phases";
import { MemoryBus } from "../../orchestrator/events/memory-bus";
import { serveChain } from "../../orchestrator/events/serve-chain";
import { productHooks } from "../../orchestrator/product";
import { Session } from "../../orchestrator/run/session";
import { startServer, type RunningServer } from "../../orchestrator/serve/server";
import { startFakeBigQuery } from "../fakes/bigquery-server";
import { completion, dataformCompletionEntry, invocationName, push, rowsOf } from "../helpers/events";
import { freshDatabase } from "../helpers/pg";
import { copyOwnProject, repoRoot, tempHome } from "../helpers/project";
import { postJson } from "../helpers/serve";

/**
 * A Dataform completion (the Cloud Logging sink's entry) pushed to a server on the local
 * warehouse: sync and check read the tables where the service built them, in BigQuery with the
 * release config's overrides of vwatch.yaml (here project vw-release), never the server's DuckDB.
 * Runs that are not Dataform invocations keep the server's session.
 */
const settingsText = fs.readFileSync(path.join(repoRoot, "vwatch.yaml"), "utf8").replace(/defaultProject: venezuelawatch\n/, "defaultProject: vw-release\n");
const project = copyOwnProject({ "vwatch.yaml": settingsText });
const saved = { ...process.env };
let db: { url: string; drop: () => Promise<void> };
let bigquery: Awaited<ReturnType<typeof startFakeBigQuery>>;
let session: Session;
let server: RunningServer;
let bus: MemoryBus;
/** The session each phase ran in ("run/phase"): its warehouse and default project. */
const sessions = new Map<string, { warehouse: string; defaultDatabase?: string }>();
const seen = (s: Session, key: string) => sessions.set(key, { warehouse: s.config.warehouse, defaultDatabase: s.graph().projectConfig.defaultDatabase });
// The real sync (it reads mention_spikes), and a check that only says where it ran.
const sync: PhaseWork = async (s, run) => {
  seen(s, `${run.runId}/sync`);
  return DEFAULT_WORK.sync(s, run);
};
const check: PhaseWork = async (s, { runId }) => {
  seen(s, `${runId}/check`);
  return { status: "succeeded", counts: {} };
};

const INVOCATION = invocationName("1732587600-4f1c");
const logEntry = dataformCompletionEntry("1732587600-4f1c", "SUCCEEDED");

beforeAll(async () => {
  db = await freshDatabase("vwatch_events_dataform");
  bigquery = await startFakeBigQuery({ projectId: "vw-release" });
  process.env.BIGQUERY_EMULATOR_HOST = bigquery.url;
  session = new Session(loadConfig({ home: tempHome(), projectDir: project }, { ...process.env, DATABASE_URL: db.url }), productHooks);
  expect(session.config.warehouse).toBe("duckdb");
  bus = new MemoryBus({ backoffMs: { min: 20, max: 500 } });
  const chain = serveChain(session, { bus, work: { sync, check } });
  bus.setEndpoint((body) => chain.handlePush(body));
  server = await startServer(session, { port: 0, host: "127.0.0.1", auth: false, staleAfterHours: 26 }, { handlePush: chain.handlePush, onRunEnd: chain.onRunEnd });
});
afterAll(async () => {
  await server?.shutdown();
  await session?.close();
  await bigquery?.close();
  await db?.drop();
  process.env = saved;
  fs.rmSync(project, { recursive: true, force: true });
});

describe("a Dataform completion pushed to vwatch serve", () => {
  it("SUCCEEDED: the sync reads <release project>.analytics.mention_spikes on BigQuery, then check runs there too", async () => {
    const r = await postJson(`${server.url}/events/pubsub`, push(logEntry, "df-1", 1));
    expect(r.status).toBe(204);
    for (let i = 0; i < 100 && bus.published.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.idle();
    const sql = bigquery.queries().map((q) => q.sql).join("\n");
    expect(sql).toContain("`vw-release.analytics.mention_spikes`");
    expect(sql).not.toContain("`venezuelawatch.analytics.mention_spikes`");
    expect(await rowsOf(db.url, `select phase, status, correlation_id from vwatch_phase_executions where run_id = '${INVOCATION}' order by started_at`)).toEqual([
      { phase: "transform", status: "succeeded", correlation_id: "dataform-1732587600-4f1c" },
      { phase: "sync", status: "succeeded", correlation_id: "dataform-1732587600-4f1c" },
      { phase: "check", status: "succeeded", correlation_id: "dataform-1732587600-4f1c" },
    ]);
    for (const phase of ["sync", "check"]) expect(sessions.get(`${INVOCATION}/${phase}`)).toEqual({ warehouse: "bigquery", defaultDatabase: "vw-release" });
  });

  it("a run that is not a Dataform invocation keeps the server's own warehouse", async () => {
    const before = bigquery.queries().length;
    expect((await postJson(`${server.url}/events/pubsub`, push(completion({ runId: "local-1", phase: "transform" }), "df-2", 1))).status).toBe(204);
    await bus.idle();
    expect(sessions.get("local-1/sync")).toEqual({ warehouse: "duckdb", defaultDatabase: "venezuelawatch" });
    expect(bigquery.queries().length).toBe(before);
  });
});
