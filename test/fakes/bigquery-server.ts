/**
 * A tiny in-process fake of the BigQuery REST API v2 on 127.0.0.1, enough for the official
 * Dataform CLI (`dataform run --dry-run --json`, which calls tables.get per table) and for our
 * adapter through @google-cloud/bigquery: datasets list/get/insert, tables list/get/patch,
 * jobs insert/get (query jobs only) and getQueryResults with rows in f/v format.
 *
 * Paths are accepted with or without the `/bigquery/v2` prefix: the client adds it for
 * `apiEndpoint` but not for BIGQUERY_EMULATOR_HOST. Every request is recorded.
 */
import * as http from "http";
import type { AddressInfo } from "net";

export interface FakeField {
  name: string;
  type: string;
  mode?: "NULLABLE" | "REQUIRED" | "REPEATED";
  fields?: FakeField[];
}

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
}

type Matcher = string | RegExp | ((sql: string) => boolean);

export interface FakeBigQueryOptions {
  projectId?: string;
  /** The location jobs and datasets get when the request names none. Default US. */
  location?: string;
  /** totalBytesProcessed reported for queries without a configured result. Default 1024. */
  defaultBytesProcessed?: number;
  /** jobs.get and getQueryResults report RUNNING this many times before DONE. Default 0. */
  pendingPolls?: number;
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
    register(t: { target: FakeTarget; schema: FakeField[]; type?: "TABLE" | "VIEW" }): void;
    remove(target: FakeTarget): void;
    list(): FakeTarget[];
  };
  datasets(): string[];
  setQueryResult(matcher: Matcher, result: FakeQueryResult): void;
  close(): Promise<void>;
}

export async function startFakeBigQuery(opts: FakeBigQueryOptions = {}): Promise<FakeBigQuery> {
  const defaultProject = opts.projectId ?? "fake-project";
  const defaultLocation = opts.location ?? "US";
  const requests: RecordedRequest[] = [];
  const submitted: SubmittedQuery[] = [];
  const tables = new Map<string, any>();
  const datasets = new Map<string, any>();
  const jobs = new Map<string, Job>();
  const results: { matcher: Matcher; result: FakeQueryResult }[] = [];
  let jobCounter = 0;

  const tableKey = (p: string, d: string, t: string) => `${p}.${d}.${t}`;
  const ensureDataset = (p: string, d: string, location = defaultLocation) => {
    if (!datasets.has(`${p}.${d}`)) {
      datasets.set(`${p}.${d}`, {
        kind: "bigquery#dataset",
        id: `${p}:${d}`,
        datasetReference: { projectId: p, datasetId: d },
        location,
      });
    }
    return datasets.get(`${p}.${d}`);
  };

  const resultFor = (sql: string): FakeQueryResult => {
    for (let i = results.length - 1; i >= 0; i--) {
      const m = results[i].matcher;
      const hit = typeof m === "string" ? sql.includes(m) : m instanceof RegExp ? m.test(sql) : m(sql);
      if (hit) return results[i].result;
    }
    return {};
  };

  const runQuery = (project: string, body: any, jobId: string, location: string) => {
    const config = body.configuration?.query ?? {};
    const dryRun = !!body.configuration?.dryRun;
    const sql: string = config.query ?? "";
    submitted.push({
      jobId,
      sql,
      dryRun,
      location: body.jobReference?.location,
      labels: body.configuration?.labels,
      parameterMode: config.parameterMode,
      queryParameters: config.queryParameters,
    });
    const result = resultFor(sql);
    const bytes = String(result.bytesProcessed ?? opts.defaultBytesProcessed ?? 1024);
    const statementType = result.statementType ?? guessStatementType(sql);
    const query: any = { totalBytesProcessed: bytes, totalBytesBilled: dryRun ? "0" : bytes, statementType, cacheHit: false };
    if (/^(INSERT|UPDATE|DELETE|MERGE)$/.test(statementType)) query.numDmlAffectedRows = String(result.numDmlAffectedRows ?? 0);
    if (!dryRun) query.schema = { fields: result.schema ?? [] };
    const now = String(Date.now());
    const resource: any = {
      kind: "bigquery#job",
      id: `${project}:${location}.${jobId}`,
      jobReference: dryRun ? { projectId: project, location } : { projectId: project, jobId, location },
      configuration: body.configuration,
      status: { state: "DONE" },
      statistics: { creationTime: now, startTime: now, endTime: now, totalBytesProcessed: bytes, query },
    };
    return { resource, result, dryRun };
  };

  const withError = (resource: any, error: NonNullable<FakeQueryResult["error"]>) => {
    const e = { reason: error.reason ?? "invalidQuery", location: error.location ?? "query", message: error.message };
    resource.status = { state: "DONE", errorResult: e, errors: [e] };
  };

  const queryResponse = (job: Job, q: Record<string, string>) => {
    const r = job.resource;
    if (job.pollsLeft > 0) {
      job.pollsLeft--;
      return { kind: "bigquery#getQueryResultsResponse", jobReference: r.jobReference, jobComplete: false };
    }
    r.status.state = "DONE";
    const schema = job.result.schema ?? [];
    const rows = (job.result.rows ?? []).map((row) => toFv(schema, row, q["formatOptions.useInt64Timestamp"] === "true"));
    const start = Number(q.pageToken ?? q.startIndex ?? 0);
    const max = q.maxResults !== undefined ? Number(q.maxResults) : rows.length;
    const page = rows.slice(start, start + max);
    const res: any = {
      kind: "bigquery#getQueryResultsResponse",
      jobReference: r.jobReference,
      jobComplete: true,
      schema: { fields: schema },
      totalRows: String(rows.length),
      rows: page,
      totalBytesProcessed: r.statistics.totalBytesProcessed,
      cacheHit: false,
    };
    if (r.statistics.query.numDmlAffectedRows !== undefined) res.numDmlAffectedRows = r.statistics.query.numDmlAffectedRows;
    if (start + max < rows.length) res.pageToken = String(start + max);
    return res;
  };

  const notFound = (what: string) => ({ status: 404, body: apiError(404, `Not found: ${what}`, "notFound") });

  const route = (method: string, path: string, q: Record<string, string>, body: any): { status: number; body: any } => {
    const parts = path.split("/").filter(Boolean);
    if (parts[0] !== "projects" || !parts[1]) return notFound(`URL ${path}`);
    const p = decodeURIComponent(parts[1]);
    const [, , coll, id, sub, subId] = parts.map(decodeURIComponent);

    if (coll === "datasets") {
      if (!id && method === "GET") {
        const list = [...datasets.values()].filter((d) => d.datasetReference.projectId === p);
        return { status: 200, body: { kind: "bigquery#datasetList", datasets: list } };
      }
      if (!id && method === "POST") {
        const d = body?.datasetReference?.datasetId;
        if (datasets.has(`${p}.${d}`)) return { status: 409, body: apiError(409, `Already Exists: Dataset ${p}:${d}`, "duplicate") };
        return { status: 200, body: { ...ensureDataset(p, d, body.location), ...body } };
      }
      if (id && !sub) {
        const d = datasets.get(`${p}.${id}`);
        return d ? { status: 200, body: d } : notFound(`Dataset ${p}:${id}`);
      }
      if (sub === "tables" && !subId && method === "GET") {
        const list = [...tables.values()].filter((t) => t.tableReference.projectId === p && t.tableReference.datasetId === id);
        return { status: 200, body: { kind: "bigquery#tableList", tables: list, totalItems: list.length } };
      }
      if (sub === "tables" && subId) {
        const t = tables.get(tableKey(p, id, subId));
        if (!t) return notFound(`Table ${p}:${id}.${subId}`);
        if (method === "PATCH" || method === "PUT") Object.assign(t, body);
        return { status: 200, body: t };
      }
    }

    if (coll === "jobs" && !id && method === "POST") {
      const jobId = body?.jobReference?.jobId ?? `fake_job_${++jobCounter}`;
      const location = body?.jobReference?.location ?? defaultLocation;
      if (!body?.configuration?.query) return { status: 400, body: apiError(400, "Only query jobs are faked", "invalid") };
      const { resource, result, dryRun } = runQuery(p, body, jobId, location);
      if (result.error && dryRun) return { status: 400, body: apiError(400, result.error.message, result.error.reason ?? "invalidQuery") };
      if (dryRun) return { status: 200, body: resource };
      const job: Job = { resource, result, pollsLeft: opts.pendingPolls ?? 0 };
      if (result.error) withError(resource, result.error);
      if (job.pollsLeft > 0) resource.status = { state: "RUNNING" };
      jobs.set(`${p}.${jobId}`, job);
      return { status: 200, body: resource };
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
        return { status: 400, body: apiError(400, job.result.error.message, job.result.error.reason ?? "invalidQuery") };
      }
      return { status: 200, body: queryResponse(job, q) };
    }

    return notFound(`URL ${method} ${path}`);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
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
      let out: { status: number; body: any };
      try {
        out = route(method, path, query, body);
      } catch (e) {
        out = { status: 500, body: apiError(500, `fake BigQuery: ${(e as Error).message}`, "internalError") };
      }
      res.writeHead(out.status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    queries: () => submitted,
    tables: {
      register({ target, schema, type = "TABLE" }) {
        const p = target.database ?? defaultProject;
        ensureDataset(p, target.schema);
        tables.set(tableKey(p, target.schema, target.name), {
          kind: "bigquery#table",
          id: `${p}:${target.schema}.${target.name}`,
          tableReference: { projectId: p, datasetId: target.schema, tableId: target.name },
          type,
          schema: { fields: schema },
          // Fixed times keep captured outputs (the CLI prints lastUpdatedMillis) deterministic.
          creationTime: FIXED_TIME,
          lastModifiedTime: FIXED_TIME,
          location: defaultLocation,
        });
      },
      remove(target) {
        tables.delete(tableKey(target.database ?? defaultProject, target.schema, target.name));
      },
      list: () =>
        [...tables.values()].map((t) => ({ database: t.tableReference.projectId, schema: t.tableReference.datasetId, name: t.tableReference.tableId })),
    },
    datasets: () => [...datasets.keys()],
    setQueryResult(matcher, result) {
      results.push({ matcher, result });
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

const FIXED_TIME = "1704067200000"; // 2024-01-01T00:00:00Z

function apiError(code: number, message: string, reason: string) {
  return { error: { code, message, errors: [{ message, domain: "global", reason }], status: code === 404 ? "NOT_FOUND" : "INVALID_ARGUMENT" } };
}

function guessStatementType(sql: string): string {
  const body = sql.trim().replace(/;\s*$/, "");
  if (/;\s*\S/.test(body)) return "SCRIPT";
  const word = (/^\s*(\w+)/.exec(body.replace(/^(\s*--[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*/, ""))?.[1] ?? "").toUpperCase();
  if (word === "WITH" || word === "SELECT") return "SELECT";
  if (word === "CREATE") return /^\s*create\s+(or\s+replace\s+)?view/i.test(body) ? "CREATE_VIEW" : "CREATE_TABLE_AS_SELECT";
  return word || "SELECT";
}

/** A JS value as BigQuery's REST API writes it: strings for scalars, {f} for records, [{v}] for arrays. */
function toFv(schema: FakeField[], row: Record<string, unknown> | unknown[], int64Timestamps: boolean): any {
  const values = Array.isArray(row) ? row : schema.map((f) => row[f.name]);
  return { f: schema.map((field, i) => ({ v: cell(field, values[i], int64Timestamps) })) };
}

function cell(field: FakeField, value: unknown, int64Timestamps: boolean): any {
  if (value === null || value === undefined) return field.mode === "REPEATED" ? [] : null;
  if (field.mode === "REPEATED") {
    return (value as unknown[]).map((v) => ({ v: cell({ ...field, mode: "NULLABLE" }, v, int64Timestamps) }));
  }
  const type = field.type.toUpperCase();
  if (type === "RECORD" || type === "STRUCT") return toFv(field.fields ?? [], value as Record<string, unknown>, int64Timestamps);
  if (type === "TIMESTAMP") {
    const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(String(value));
    return int64Timestamps ? String(ms * 1000) : String(ms / 1000);
  }
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
