/**
 * The HTTP routes of `vwatch serve` (fastify). Only `GET /health` is open; every other route
 * needs a verified ID token of an allowed caller (auth.ts) unless the server runs with --no-auth.
 * The web view's pages (orchestrator/web/) are mounted alongside, under the same rule. Errors are
 * answered in Google's JSON error format; one log line per request, never a header.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { getRun, listRuns, type LedgerStatus, type Sql } from "../ledger/runs";
import { log } from "../log";
import type { Verifier } from "./auth";
import type { HealthReport } from "./health";
import { parseRunBody, type FieldProblem } from "./run-body";
import type { Runner } from "./runner";
import type { DataformRunner } from "./dataform-runner";

/** The Pub/Sub push handler (phase chaining, orchestrator/events/): the HTTP status to answer. */
export type PushHandler = (envelope: unknown) => Promise<{ status: number; body?: unknown }>;

export interface AppDeps {
  verifier?: Verifier;
  runner: Runner;
  /** Runs on the Dataform service (vwatch.yaml's release); absent without vwatch.yaml. */
  dataform?: Pick<DataformRunner, "trigger" | "cancel">;
  sql: Sql;
  health(): Promise<HealthReport>;
  /** Default: 501, phase chaining is not wired yet. */
  handlePush?: PushHandler;
  /** The server is stopping: new work is refused with 503. */
  stopping(): boolean;
  /** Checks a run's vars against the project's (names and values), as `vwatch run --vars` does: a problem per bad var. */
  checkVars?(vars: Record<string, string>): FieldProblem[];
  /** Mounts the web view's pages (orchestrator/web/) on the app, behind the same authentication. */
  mountPages?(app: FastifyInstance): void;
}

const STATUS_TEXT: Record<number, string> = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ABORTED", 501: "UNIMPLEMENTED", 503: "UNAVAILABLE" };
const STATUSES: LedgerStatus[] = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"];

function fail(reply: FastifyReply, code: number, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(code).send({ error: { code, message, status: STATUS_TEXT[code] ?? "UNKNOWN", ...extra } });
}

/** The correlation id of a request: X-Correlation-Id, else Cloud Run's trace id, else none (the run's id is used). */
function correlationOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const given = headers["x-correlation-id"];
  if (typeof given === "string" && /^[\w.:-]{1,128}$/.test(given)) return given;
  const trace = headers["x-cloud-trace-context"];
  if (typeof trace === "string") return /^([0-9a-f]{32})/i.exec(trace)?.[1];
  return undefined;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { default: fastify } = await import("fastify");
  const app = fastify({ logger: false, bodyLimit: 64 * 1024 });

  app.addHook("onRequest", async (request, reply) => {
    (request as { startedAt?: number }).startedAt = performance.now();
    if (request.routeOptions.url === "/health" || !deps.verifier) return;
    const result = await deps.verifier.check(request.headers.authorization);
    if (!result.ok) return fail(reply, result.status, result.reason);
    (request as { caller?: string }).caller = result.email;
  });
  app.addHook("onResponse", async (request, reply) => {
    const ms = Math.round(performance.now() - ((request as { startedAt?: number }).startedAt ?? 0));
    const caller = (request as { caller?: string }).caller;
    log.event(reply.statusCode >= 500 ? "ERROR" : "INFO", `${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]} ${reply.statusCode}`, {
      httpStatus: reply.statusCode,
      ms,
      ...(caller ? { caller } : {}),
      ...(correlationOf(request.headers) ? { correlationId: correlationOf(request.headers) } : {}),
    });
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    // A body that is not JSON, or too large: fastify's own refusal, in the same format.
    if (error.statusCode && error.statusCode < 500) return fail(reply, 400, error.message);
    log.event("ERROR", `request failed: ${error.message.split("\n")[0]}`);
    return fail(reply, 503, `the request failed: ${error.message.split("\n")[0]}`);
  });

  app.get("/health", async () => ({ status: "ok" }));
  deps.mountPages?.(app);

  app.get("/health/detailed", async (_request, reply) => {
    const report = await deps.health();
    return reply.code(report.status === "ok" ? 200 : 503).send(report);
  });

  app.post("/runs", async (request, reply) => {
    if (deps.stopping()) return fail(reply, 503, "the server is stopping; trigger the run again");
    const parsed = parseRunBody(request.body);
    if (!parsed.ok) return fail(reply, 400, `invalid run request: ${parsed.problems.map((p) => `${p.field}: ${p.problem}`).join("; ")}`, { fields: parsed.problems });
    // Bad vars are refused here, before any run starts (on the Dataform service too, which would only fail its compile).
    const badVars = parsed.body.vars ? (deps.checkVars?.(parsed.body.vars) ?? []) : [];
    if (badVars.length) return fail(reply, 400, `invalid run request: ${badVars.map((p) => `${p.field}: ${p.problem}`).join("; ")}`, { fields: badVars });
    const where = parsed.body.where;
    if (where === "dataform" && !deps.dataform) {
      const problem: FieldProblem = { field: "where", problem: "the project has no vwatch.yaml: runs on the Dataform service need its production settings (see docs/production-deploy.md)" };
      return fail(reply, 400, `invalid run request: where: ${problem.problem}`, { fields: [problem] });
    }
    const wanted = where === undefined ? deps.runner.ranOn : where === "dataform" ? "dataform" : where === "local" ? "duckdb" : "bigquery";
    if (wanted !== "dataform" && wanted !== deps.runner.ranOn) {
      const problem: FieldProblem = { field: "where", problem: `this server runs on ${deps.runner.ranOn === "duckdb" ? "local" : "bigquery"} (VWATCH_WAREHOUSE)` };
      return fail(reply, 400, `invalid run request: where: ${problem.problem}`, { fields: [problem] });
    }
    const given = request.headers["idempotency-key"];
    if (given !== undefined && (typeof given !== "string" || !/^[\x21-\x7e]{1,200}$/.test(given))) {
      return fail(reply, 400, "the Idempotency-Key header must be 1-200 printable characters", { fields: [{ field: "Idempotency-Key", problem: "1-200 printable characters" }] });
    }
    const trigger = request.headers["x-cloudscheduler"] === "true" ? "schedule" : "server";
    // Cloud Scheduler names the job and the scheduled time of each execution, the same on its
    // retries: without an Idempotency-Key that pair is the key, so a retried day is one run.
    const job = request.headers["x-cloudscheduler-jobname"];
    const scheduled = request.headers["x-cloudscheduler-scheduletime"];
    const key = typeof given === "string" ? given : trigger === "schedule" && typeof job === "string" && typeof scheduled === "string" ? `${job}@${scheduled}`.slice(0, 200) : undefined;
    const runner = wanted === "dataform" ? deps.dataform! : deps.runner;
    const claim = await runner.trigger(parsed.body, { trigger, idempotencyKey: key, correlationId: correlationOf(request.headers) });
    if (claim.outcome === "busy") return fail(reply, 409, `run ${claim.run.id} is ${claim.run.status} on ${claim.run.ranOn}; wait for it or cancel it`, { runningRun: claim.run.id });
    return reply.code(202).send({ id: claim.run.id, status: claim.run.status, correlationId: claim.run.correlationId, existing: claim.outcome === "existing" });
  });

  app.get("/runs", async (request, reply) => {
    const query = request.query as { limit?: string; status?: string };
    const problems: FieldProblem[] = [];
    const limit = query.limit === undefined ? 20 : /^\d{1,3}$/.test(query.limit) && Number(query.limit) >= 1 ? Number(query.limit) : NaN;
    if (Number.isNaN(limit)) problems.push({ field: "limit", problem: "a whole number from 1 to 999" });
    if (query.status !== undefined && !STATUSES.includes(query.status as LedgerStatus)) problems.push({ field: "status", problem: `one of ${STATUSES.join(", ")}` });
    if (problems.length) return fail(reply, 400, `invalid query: ${problems.map((p) => `${p.field}: ${p.problem}`).join("; ")}`, { fields: problems });
    return { runs: await listRuns(deps.sql, { limit, status: query.status as LedgerStatus | undefined }) };
  });

  app.get("/runs/:id", async (request, reply) => {
    const { id } = request.params as { id: string };
    const run = await getRun(deps.sql, id);
    if (!run) return fail(reply, 404, `no run ${id}`);
    return run;
  });

  app.post("/runs/:id/cancel", async (request, reply) => {
    const { id } = request.params as { id: string };
    const run = await getRun(deps.sql, id);
    if (!run) return fail(reply, 404, `no run ${id}`);
    if (deps.runner.cancel(id) || deps.dataform?.cancel(id)) return reply.code(202).send({ id, status: "cancelling" });
    if (run.status === "queued" || run.status === "running") return fail(reply, 409, `run ${id} is ${run.status} in another server process; cancel it there`);
    return fail(reply, 409, `run ${id} already ended: ${run.status}`);
  });

  app.post("/events/pubsub", async (request, reply) => {
    if (!deps.handlePush) return fail(reply, 501, "phase chaining is not wired yet");
    const result = await deps.handlePush(request.body);
    return reply.code(result.status).send(result.body ?? {});
  });

  return app;
}
