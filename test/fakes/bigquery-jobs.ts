/**
 * The fake BigQuery's query jobs: jobs.insert and jobs.query create them (scripted results
 * first, else executed by the engine when there is one), jobs.get reports their status (RUNNING
 * for `pendingPolls` polls, then DONE, with errorResult when failed), getQueryResults pages their
 * rows. Errors are BigQuery's JSON error format (apiError).
 */
import type { FakeEngine, QueryOutcome } from "./bigquery-engine";
import { statementKind } from "./bigquery-script";
import { JobError, toFv, type FakeField, type QueryParameter } from "./bigquery-values";

export interface FakeQueryResult {
  schema?: FakeField[];
  /** Rows as objects keyed by column name or arrays in schema order; values as JS values. */
  rows?: (Record<string, unknown> | unknown[])[];
  bytesProcessed?: number;
  numDmlAffectedRows?: number;
  statementType?: string;
  /** The job fails with this error (dry runs fail with HTTP 400, as BigQuery does). */
  error?: { message: string; reason?: string; location?: string };
  /** Executed results: what DDL did (CREATE, REPLACE, SKIP, DROP, ALTER) and to which table. */
  ddl?: Pick<QueryOutcome, "ddlOperationPerformed" | "ddlTargetTable">;
}

/** One query job as submitted (jobs.insert or jobs.query), for assertions. */
export interface SubmittedQuery {
  jobId?: string;
  sql: string;
  dryRun: boolean;
  location?: string;
  labels?: Record<string, string>;
  parameterMode?: string;
  queryParameters?: any[];
}

export type Matcher = string | RegExp | ((sql: string) => boolean);
export type Reply = { status: number; body: any };

interface Job {
  resource: any;
  result: FakeQueryResult;
  pollsLeft: number;
}

export class FakeJobs {
  readonly submitted: SubmittedQuery[] = [];
  private readonly jobs = new Map<string, Job>();
  private readonly scripts: { matcher: Matcher; result: FakeQueryResult }[] = [];
  private counter = 0;

  constructor(
    private readonly o: { engine?: FakeEngine; defaultLocation: string; defaultBytesProcessed?: number; pendingPolls?: number; pageRows: () => number },
  ) {}

  script(matcher: Matcher, result: FakeQueryResult): void {
    this.scripts.push({ matcher, result });
  }

  /** jobs.insert: the job resource (a dry run answers at once and keeps no job). */
  async insert(project: string, body: any): Promise<Reply> {
    const c = body?.configuration ?? {};
    const jobId = body?.jobReference?.jobId ?? `fake_job_${++this.counter}`;
    const out = await this.create(project, c.query, !!c.dryRun, jobId, body?.jobReference?.location ?? this.o.defaultLocation, c.labels);
    return "status" in out ? out : { status: 200, body: out.resource };
  }

  /** jobs.query: runs the query and answers its first page, or its error. */
  async query(project: string, body: any): Promise<Reply> {
    const out = await this.create(project, body, !!body?.dryRun, `fake_job_${++this.counter}`, body?.location ?? this.o.defaultLocation, body?.labels);
    if ("status" in out) return out;
    if (out.result.error) return failure(jobError(out.result.error));
    return { status: 200, body: this.page(out, { maxResults: body?.maxResults, formatOptions: body?.formatOptions }, "bigquery#queryResponse") };
  }

  /** jobs.get (`results` false) or getQueryResults (`results` true). */
  get(project: string, id: string, q: Record<string, string>, results: boolean): Reply {
    const job = this.jobs.get(`${project}.${id}`);
    if (!job || (q.location && q.location !== job.resource.jobReference.location)) {
      return { status: 404, body: apiError(404, `Not found: Job ${project}:${q.location ?? this.o.defaultLocation}.${id}`, "notFound") };
    }
    if (!results) {
      if (job.pollsLeft > 0) {
        job.pollsLeft--;
        return { status: 200, body: { ...job.resource, status: { state: "RUNNING" } } };
      }
      job.resource.status = { state: "DONE" };
      if (job.result.error) withError(job.resource, job.result.error);
      return { status: 200, body: job.resource };
    }
    if (job.result.error && job.pollsLeft === 0) {
      withError(job.resource, job.result.error);
      return failure(jobError(job.result.error));
    }
    return { status: 200, body: this.page(job, q, "bigquery#getQueryResultsResponse") };
  }

  private scripted(sql: string): FakeQueryResult | undefined {
    for (let i = this.scripts.length - 1; i >= 0; i--) {
      const m = this.scripts[i].matcher;
      const hit = typeof m === "string" ? sql.includes(m) : m instanceof RegExp ? m.test(sql) : m(sql);
      if (hit) return this.scripts[i].result;
    }
    return undefined;
  }

  private async create(project: string, config: any, dryRun: boolean, jobId: string, location: string, labels?: Record<string, string>): Promise<Reply | Job> {
    if (!config?.query) return { status: 400, body: apiError(400, "Only query jobs are faked", "invalid") };
    // Job ids are unique per project: a retried insert with the same id does not run twice.
    if (this.jobs.has(`${project}.${jobId}`)) return { status: 409, body: apiError(409, `Already Exists: Job ${project}:${location}.${jobId}`, "duplicate") };
    const sql: string = config.query;
    this.submitted.push({ jobId, sql, dryRun, location, labels, parameterMode: config.parameterMode, queryParameters: config.queryParameters });
    let result = this.scripted(sql);
    if (!result && this.o.engine) result = await executed(this.o.engine, { ...config, sql, dryRun, location });
    result ??= {};
    const bytes = String(result.bytesProcessed ?? this.o.defaultBytesProcessed ?? 1024);
    const statementType = result.statementType ?? guessStatementType(sql);
    const query: any = { totalBytesProcessed: bytes, totalBytesBilled: dryRun ? "0" : bytes, statementType, cacheHit: false, ...result.ddl };
    if (/^(INSERT|UPDATE|DELETE|MERGE)$/.test(statementType)) query.numDmlAffectedRows = String(result.numDmlAffectedRows ?? 0);
    if (!dryRun) query.schema = { fields: result.schema ?? [] };
    const now = String(Date.now());
    const resource: any = {
      kind: "bigquery#job",
      id: `${project}:${location}.${jobId}`,
      jobReference: dryRun ? { projectId: project, location } : { projectId: project, jobId, location },
      configuration: { query: config, dryRun, ...(labels ? { labels } : {}) },
      status: { state: "DONE" },
      statistics: { creationTime: now, startTime: now, endTime: now, totalBytesProcessed: bytes, query },
    };
    if (result.error && dryRun) return failure(jobError(result.error));
    if (dryRun) return { status: 200, body: resource };
    const job: Job = { resource, result, pollsLeft: this.o.pendingPolls ?? 0 };
    if (result.error) withError(resource, result.error);
    if (job.pollsLeft > 0) resource.status = { state: "RUNNING" };
    this.jobs.set(`${project}.${jobId}`, job);
    return job;
  }

  /** A page of a job's rows as getQueryResults (and jobs.query) answer it. */
  private page(job: Job, q: Record<string, unknown>, kind: string) {
    const r = job.resource;
    if (job.pollsLeft > 0) {
      job.pollsLeft--;
      return { kind, jobReference: r.jobReference, jobComplete: false };
    }
    r.status.state = "DONE";
    const schema = job.result.schema ?? [];
    const page = pageOf(job.result.rows ?? [], q, this.o.pageRows());
    const int64Timestamps = q["formatOptions.useInt64Timestamp"] === "true" || (q.formatOptions as { useInt64Timestamp?: boolean })?.useInt64Timestamp === true;
    const res: any = {
      kind,
      jobReference: r.jobReference,
      jobComplete: true,
      schema: { fields: schema },
      totalRows: String(page.total),
      rows: page.rows.map((row) => toFv(schema, row, int64Timestamps)),
      totalBytesProcessed: r.statistics.totalBytesProcessed,
      cacheHit: false,
    };
    if (r.statistics.query.numDmlAffectedRows !== undefined) res.numDmlAffectedRows = r.statistics.query.numDmlAffectedRows;
    if (page.next !== undefined) res.pageToken = page.next;
    return res;
  }
}

/** An executed query as a job result; a JobError becomes the job's error. */
async function executed(
  engine: FakeEngine,
  r: { sql: string; dryRun: boolean; location: string; useLegacySql?: boolean; parameterMode?: string; queryParameters?: QueryParameter[] },
): Promise<FakeQueryResult> {
  if (r.useLegacySql !== false) return { error: { reason: "invalid", message: "the fake runs GoogleSQL only: set useLegacySql to false (the API's default is legacy SQL)" } };
  try {
    const o = await engine.run(r);
    return {
      schema: o.fields,
      rows: o.rows,
      bytesProcessed: o.bytes,
      statementType: o.statementType,
      numDmlAffectedRows: o.numDmlAffectedRows,
      ddl: o.ddlOperationPerformed ? { ddlOperationPerformed: o.ddlOperationPerformed, ddlTargetTable: o.ddlTargetTable } : undefined,
    };
  } catch (e) {
    if (!(e instanceof JobError)) throw e;
    return { error: { reason: e.reason, message: e.message, location: e.location } };
  }
}

function withError(resource: any, error: NonNullable<FakeQueryResult["error"]>): void {
  const e = { reason: error.reason ?? "invalidQuery", location: error.location ?? "query", message: error.message };
  resource.status = { state: "DONE", errorResult: e, errors: [e] };
}

const jobError = (e: NonNullable<FakeQueryResult["error"]>) => new JobError(e.reason ?? "invalidQuery", e.message, e.location);

/** One page of rows: startIndex or pageToken (an offset) and maxResults, else `pageRows`. */
export function pageOf<T>(rows: T[], q: Record<string, unknown>, pageRows: number): { rows: T[]; total: number; next?: string } {
  const start = Number(q.pageToken ?? q.startIndex ?? 0);
  const max = q.maxResults !== undefined && q.maxResults !== null ? Number(q.maxResults) : pageRows;
  const end = start + max;
  return { rows: rows.slice(start, end), total: rows.length, next: end < rows.length && max > 0 ? String(end) : undefined };
}

const STATUS: Record<number, string> = { 400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS", 500: "INTERNAL" };

/** BigQuery's JSON error body: `{"error": {"code", "message", "errors": [{reason, …}], "status"}}`. */
export function apiError(code: number, message: string, reason: string, location?: string) {
  const error = { message, domain: "global", reason, ...(location ? { location, locationType: "other" } : {}) };
  return { error: { code, message, errors: [error], status: STATUS[code] ?? "UNKNOWN" } };
}

export const failure = (e: JobError): Reply => ({ status: e.httpStatus, body: apiError(e.httpStatus, e.message, e.reason, e.location) });

function guessStatementType(sql: string): string {
  const body = sql.trim().replace(/;\s*$/, "");
  if (/;\s*\S/.test(body)) return "SCRIPT";
  return statementKind(body) ?? "SELECT";
}
