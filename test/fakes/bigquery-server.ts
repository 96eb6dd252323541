/**
 * An in-process fake of the BigQuery REST API v2 on 127.0.0.1, for the official Dataform CLI and
 * for our adapter through @google-cloud/bigquery: datasets list/get/insert, tables
 * list/get/insert/patch/delete, tabledata.list, jobs.insert / jobs.query / jobs.get and
 * getQueryResults with rows in f/v form, paginated (maxResults, pageToken).
 *
 * Two ways to answer a query. Scripted: `setQueryResult(matcher, result)` gives the result of
 * matching SQL, anything else returns no rows. Executing (`execute` option): SQL that no script
 * matches runs on DuckDB through the project's translator (bigquery-engine.ts), with BigQuery's
 * rules and error format; tables.get and tabledata.list then read the real tables.
 *
 * Paths are accepted with or without the `/bigquery/v2` prefix: the client adds it for
 * `apiEndpoint` but not for BIGQUERY_EMULATOR_HOST. Every request is recorded.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import type { PgSink } from "../../orchestrator/postgres/connect";
import { FakeEngine, type QueryOutcome } from "./bigquery-engine";
import { statementKind } from "./bigquery-script";
import { ScriptedCatalog } from "./bigquery-scripted";
import { JobError, toFv, type FakeField, type QueryParameter } from "./bigquery-values";

export type { FakeField };

export interface FakeTarget {
  database?: string;
  schema: string;
  name: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
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

type Matcher = string | RegExp | ((sql: string) => boolean);

export interface FakeBigQueryOptions {
  projectId?: string;
  /** The location jobs and datasets get when the request names none. Default US. */
  location?: string;
  /** totalBytesProcessed reported for scripted queries without a configured result. Default 1024. */
  defaultBytesProcessed?: number;
  /** jobs.get and getQueryResults report RUNNING this many times before DONE. Default 0. */
  pendingPolls?: number;
  /**
   * Execute SQL on DuckDB (true: an empty in-memory database; `file`: a DuckDB file to serve, say
   * one the loaders filled). `postgres` serves EXTERNAL_QUERY.
   */
  execute?: boolean | { file?: string; postgres?: () => Promise<PgSink> };
  /** Rows per page of getQueryResults, jobs.query and tabledata.list when the request sets no maxResults. Default 10,000. */
  pageRows?: number;
}

interface Job {
  resource: any;
  result: FakeQueryResult;
  pollsLeft: number;
}

export interface FakeBigQuery {
  url: string;
  port: number;
  requests: RecordedRequest[];
  queries(): SubmittedQuery[];
  tables: {
    /** Makes a table exist with this schema (executing: an empty DuckDB table). */
    register(t: { target: FakeTarget; schema: FakeField[]; type?: "TABLE" | "VIEW" }): Promise<void>;
    remove(target: FakeTarget): void;
    list(): FakeTarget[];
  };
  datasets(): string[];
  setQueryResult(matcher: Matcher, result: FakeQueryResult): void;
  /** Changes the page size of results from now on (see FakeBigQueryOptions.pageRows). */
  setPageRows(rows: number): void;
  /** The executing engine (undefined when scripted). */
  engine?: FakeEngine;
  close(): Promise<void>;
}

type Reply = { status: number; body: any };

export async function startFakeBigQuery(opts: FakeBigQueryOptions = {}): Promise<FakeBigQuery> {
  const defaultProject = opts.projectId ?? "fake-project";
  const defaultLocation = opts.location ?? "US";
  let pageRows = opts.pageRows ?? 10_000;
  const exec = opts.execute === true ? {} : opts.execute || undefined;
  const engine = exec ? await FakeEngine.open({ projectId: defaultProject, location: defaultLocation, file: exec.file, postgres: exec.postgres }) : undefined;
  const requests: RecordedRequest[] = [];
  const submitted: SubmittedQuery[] = [];
  const scripted = engine ? undefined : new ScriptedCatalog(defaultProject, defaultLocation);
  const jobs = new Map<string, Job>();
  const results: { matcher: Matcher; result: FakeQueryResult }[] = [];
  let jobCounter = 0;

  const scriptedResult = (sql: string): FakeQueryResult | undefined => {
    for (let i = results.length - 1; i >= 0; i--) {
      const m = results[i].matcher;
      const hit = typeof m === "string" ? sql.includes(m) : m instanceof RegExp ? m.test(sql) : m(sql);
      if (hit) return results[i].result;
    }
    return undefined;
  };

  /** Runs a query (scripted or executed) and builds its job resource. */
  const runQuery = async (project: string, config: any, dryRun: boolean, jobId: string, location: string, labels?: Record<string, string>) => {
    const sql: string = config.query ?? "";
    submitted.push({ jobId, sql, dryRun, location, labels, parameterMode: config.parameterMode, queryParameters: config.queryParameters });
    let result = scriptedResult(sql);
    if (!result && engine) result = await executed(engine, { sql, dryRun, location, useLegacySql: config.useLegacySql, parameterMode: config.parameterMode, queryParameters: config.queryParameters });
    result ??= {};
    const bytes = String(result.bytesProcessed ?? opts.defaultBytesProcessed ?? 1024);
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
    return { resource, result };
  };

  const withError = (resource: any, error: NonNullable<FakeQueryResult["error"]>) => {
    const e = { reason: error.reason ?? "invalidQuery", location: error.location ?? "query", message: error.message };
    resource.status = { state: "DONE", errorResult: e, errors: [e] };
  };

  /** A page of a job's rows as getQueryResults (and jobs.query) answer it. */
  const resultsPage = (job: Job, q: Record<string, unknown>, kind: string) => {
    const r = job.resource;
    if (job.pollsLeft > 0) {
      job.pollsLeft--;
      return { kind, jobReference: r.jobReference, jobComplete: false };
    }
    r.status.state = "DONE";
    const schema = job.result.schema ?? [];
    const page = pageOf(job.result.rows ?? [], q, pageRows);
    const res: any = {
      kind,
      jobReference: r.jobReference,
      jobComplete: true,
      schema: { fields: schema },
      totalRows: String(page.total),
      rows: page.rows.map((row) => toFv(schema, row, q["formatOptions.useInt64Timestamp"] === "true" || (q.formatOptions as any)?.useInt64Timestamp === true)),
      totalBytesProcessed: r.statistics.totalBytesProcessed,
      cacheHit: false,
    };
    if (r.statistics.query.numDmlAffectedRows !== undefined) res.numDmlAffectedRows = r.statistics.query.numDmlAffectedRows;
    if (page.next !== undefined) res.pageToken = page.next;
    return res;
  };

  const notFound = (what: string): Reply => ({ status: 404, body: apiError(404, `Not found: ${what}`, "notFound") });
  const failure = (e: JobError): Reply => ({ status: e.httpStatus, body: apiError(e.httpStatus, e.message, e.reason, e.location) });

  const newJob = async (p: string, config: any, dryRun: boolean, jobId: string, location: string, labels?: Record<string, string>): Promise<Reply | Job> => {
    if (!config?.query) return { status: 400, body: apiError(400, "Only query jobs are faked", "invalid") };
    const { resource, result } = await runQuery(p, config, dryRun, jobId, location, labels);
    if (result.error && dryRun) return failure(new JobError(result.error.reason ?? "invalidQuery", result.error.message, result.error.location));
    if (dryRun) return { status: 200, body: resource };
    const job: Job = { resource, result, pollsLeft: opts.pendingPolls ?? 0 };
    if (result.error) withError(resource, result.error);
    if (job.pollsLeft > 0) resource.status = { state: "RUNNING" };
    jobs.set(`${p}.${jobId}`, job);
    return job;
  };

  const route = async (method: string, path: string, q: Record<string, string>, body: any): Promise<Reply> => {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== "projects" || !parts[1]) return notFound(`URL ${path}`);
    const [, p, coll, id, sub, subId, leaf] = parts;

    if (coll === "datasets") {
      const catalog = engine ? engine.catalog : scripted!;
      if (!id && method === "GET") return { status: 200, body: { kind: "bigquery#datasetList", datasets: catalog.listDatasets(p).map(datasetResource) } };
      if (!id && method === "POST") {
        const d = body?.datasetReference?.datasetId;
        if (!d) return { status: 400, body: apiError(400, "Required parameter is missing: datasetReference.datasetId", "required") };
        if (catalog.dataset({ project: p, dataset: d })) return { status: 409, body: apiError(409, `Already Exists: Dataset ${p}:${d}`, "duplicate") };
        return { status: 200, body: datasetResource(await catalog.createDataset({ project: p, dataset: d }, body.location ?? defaultLocation)) };
      }
      if (id && !sub) {
        const d = catalog.dataset({ project: p, dataset: id });
        return d ? { status: 200, body: datasetResource(d) } : notFound(`Dataset ${p}:${id}`);
      }
      if (sub === "tables") {
        const name = { project: p, dataset: id, table: subId ?? "" };
        if (!catalog.dataset(name)) return notFound(`Dataset ${p}:${id}`);
        if (!subId && method === "GET") {
          const list = await catalog.list(name);
          return { status: 200, body: { kind: "bigquery#tableList", tables: list, totalItems: list.length } };
        }
        if (!subId && method === "POST" && engine) {
          const ref = body?.tableReference;
          if (!ref?.tableId) return { status: 400, body: apiError(400, "Required parameter is missing: tableReference.tableId", "required") };
          try {
            await engine.createTable({ ...name, table: ref.tableId }, body.schema?.fields ?? [], engine.catalog.dataset(name)!.location);
          } catch (e) {
            return failure(e as JobError);
          }
          return { status: 200, body: await engine.catalog.resource({ ...name, table: ref.tableId }) };
        }
        const t = subId ? await catalog.resource(name) : undefined;
        if (!t) return notFound(`Table ${p}:${id}.${subId}`);
        if (leaf === "data" && method === "GET") {
          const data = engine ? await engine.tableRows(name) : { fields: t.schema.fields, rows: [] };
          const page = pageOf(data.rows, q, pageRows);
          const rows = page.rows.map((row) => toFv(data.fields, row, q["formatOptions.useInt64Timestamp"] === "true"));
          return { status: 200, body: { kind: "bigquery#tableDataList", totalRows: String(page.total), rows, ...(page.next !== undefined ? { pageToken: page.next } : {}) } };
        }
        if (method === "DELETE") {
          if (engine) await engine.run({ sql: `drop ${t.type === "VIEW" ? "view" : "table"} \`${p}.${id}.${subId}\``, location: engine.catalog.dataset(name)!.location });
          else scripted!.remove(name);
          return { status: 204, body: "" };
        }
        if (method === "PATCH" || method === "PUT") return { status: 200, body: await catalog.patch(name, body) };
        return { status: 200, body: t };
      }
    }

    if (coll === "jobs" && !id && method === "POST") {
      const jobId = body?.jobReference?.jobId ?? `fake_job_${++jobCounter}`;
      const location = body?.jobReference?.location ?? defaultLocation;
      const out = await newJob(p, body?.configuration?.query, !!body?.configuration?.dryRun, jobId, location, body?.configuration?.labels);
      return "status" in out ? out : { status: 200, body: out.resource };
    }

    if (coll === "queries" && !id && method === "POST") {
      const jobId = `fake_job_${++jobCounter}`;
      const out = await newJob(p, { ...body, query: body?.query }, !!body?.dryRun, jobId, body?.location ?? defaultLocation, body?.labels);
      if ("status" in out) return out;
      if (out.result.error) return failure(new JobError(out.result.error.reason ?? "invalidQuery", out.result.error.message, out.result.error.location));
      return { status: 200, body: resultsPage(out, { maxResults: body?.maxResults, formatOptions: body?.formatOptions }, "bigquery#queryResponse") };
    }

    if ((coll === "jobs" || coll === "queries") && id) {
      const job = jobs.get(`${p}.${id}`);
      if (!job || (q.location && q.location !== job.resource.jobReference.location)) {
        return notFound(`Job ${p}:${q.location ?? defaultLocation}.${id}`);
      }
      if (coll === "jobs") {
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
        return failure(new JobError(job.result.error.reason ?? "invalidQuery", job.result.error.message, job.result.error.location));
      }
      return { status: 200, body: resultsPage(job, q, "bigquery#getQueryResultsResponse") };
    }

    return notFound(`URL ${method} ${path}`);
  };

  // Requests are answered one at a time, in arrival order: the DuckDB connection is shared.
  let queue = Promise.resolve();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      queue = queue.then(async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const path = url.pathname.replace(/^\/bigquery\/v2(?=\/)/, "");
        const query = Object.fromEntries(url.searchParams.entries());
        const text = Buffer.concat(chunks).toString("utf8");
        let body: any;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        const method = req.method ?? "GET";
        requests.push({ method, path, query, body });
        let out: Reply;
        try {
          out = await route(method, path, query, body);
        } catch (e) {
          out = e instanceof JobError ? failure(e) : { status: 500, body: apiError(500, `fake BigQuery: ${(e as Error).message}`, "internalError") };
        }
        res.writeHead(out.status, { "content-type": "application/json; charset=UTF-8" });
        res.end(out.status === 204 ? "" : JSON.stringify(out.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    queries: () => submitted,
    engine,
    tables: {
      async register({ target, schema, type = "TABLE" }) {
        const name = { project: target.database ?? defaultProject, dataset: target.schema, table: target.name };
        if (!engine) return scripted!.register(name, schema, type);
        if (!engine.catalog.dataset(name)) await engine.catalog.createDataset(name, defaultLocation);
        await engine.createTable(name, schema, engine.catalog.dataset(name)!.location);
      },
      remove(target) {
        scripted?.remove({ project: target.database ?? defaultProject, dataset: target.schema, table: target.name });
      },
      list: () => scripted?.targets() ?? [],
    },
    datasets: () => (engine ? engine.catalog.listDatasets(defaultProject) : scripted!.allDatasets()).map((d) => `${d.project}.${d.dataset}`),
    setPageRows(rows) {
      pageRows = rows;
    },
    setQueryResult(matcher, result) {
      results.push({ matcher, result });
    },
    close: async () => {
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      await queue;
      await engine?.close();
    },
  };
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

/** One page of rows: startIndex or pageToken (an offset) and maxResults, else `pageRows`. */
function pageOf<T>(rows: T[], q: Record<string, unknown>, pageRows: number): { rows: T[]; total: number; next?: string } {
  const start = Number(q.pageToken ?? q.startIndex ?? 0);
  const max = q.maxResults !== undefined && q.maxResults !== null ? Number(q.maxResults) : pageRows;
  const end = start + max;
  return { rows: rows.slice(start, end), total: rows.length, next: end < rows.length && max > 0 ? String(end) : undefined };
}

const STATUS: Record<number, string> = { 400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS", 500: "INTERNAL" };

function apiError(code: number, message: string, reason: string, location?: string) {
  const error = { message, domain: "global", reason, ...(location ? { location, locationType: "other" } : {}) };
  return { error: { code, message, errors: [error], status: STATUS[code] ?? "UNKNOWN" } };
}

function datasetResource(d: { project: string; dataset: string; location: string; creationTime?: string }) {
  return { kind: "bigquery#dataset", id: `${d.project}:${d.dataset}`, datasetReference: { projectId: d.project, datasetId: d.dataset }, location: d.location, creationTime: d.creationTime };
}

function guessStatementType(sql: string): string {
  const body = sql.trim().replace(/;\s*$/, "");
  if (/;\s*\S/.test(body)) return "SCRIPT";
  return statementKind(body) ?? "SELECT";
}
