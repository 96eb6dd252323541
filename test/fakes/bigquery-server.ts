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
import { FakeEngine } from "./bigquery-engine";
import { apiError, failure, FakeJobs, pageOf, type FakeQueryResult, type Matcher, type Reply, type SubmittedQuery } from "./bigquery-jobs";
import { ScriptedCatalog } from "./bigquery-scripted";
import { JobError, toFv, type FakeField } from "./bigquery-values";

export type { FakeField, FakeQueryResult, SubmittedQuery };

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
  /** Runs a query job under this id, as another runner (the Dataform service) would; jobs.get then answers for it. */
  runJob(jobId: string, sql: string): Promise<void>;
  /** The executing engine (undefined when scripted). */
  engine?: FakeEngine;
  close(): Promise<void>;
}

export async function startFakeBigQuery(opts: FakeBigQueryOptions = {}): Promise<FakeBigQuery> {
  const defaultProject = opts.projectId ?? "fake-project";
  const defaultLocation = opts.location ?? "US";
  let pageRows = opts.pageRows ?? 10_000;
  const exec = opts.execute === true ? {} : opts.execute || undefined;
  const engine = exec ? await FakeEngine.open({ projectId: defaultProject, location: defaultLocation, file: exec.file, postgres: exec.postgres }) : undefined;
  const requests: RecordedRequest[] = [];
  const scripted = engine ? undefined : new ScriptedCatalog(defaultLocation);
  const jobs = new FakeJobs({ engine, defaultLocation, defaultBytesProcessed: opts.defaultBytesProcessed, pendingPolls: opts.pendingPolls, pageRows: () => pageRows });
  const notFound = (what: string): Reply => ({ status: 404, body: apiError(404, `Not found: ${what}`, "notFound") });

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

    if (coll === "jobs" && !id && method === "POST") return jobs.insert(p, body);
    if (coll === "queries" && !id && method === "POST") return jobs.query(p, body);
    if ((coll === "jobs" || coll === "queries") && id) return jobs.get(p, id, q, coll === "queries");

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
    queries: () => jobs.submitted,
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
    async runJob(jobId, sql) {
      await jobs.insert(defaultProject, { jobReference: { jobId, location: defaultLocation }, configuration: { query: { query: sql, useLegacySql: false } } });
    },
    setQueryResult(matcher, result) {
      jobs.script(matcher, result);
    },
    close: async () => {
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      await queue;
      await engine?.close();
    },
  };
}

function datasetResource(d: { project: string; dataset: string; location: string; creationTime?: string }) {
  return { kind: "bigquery#dataset", id: `${d.project}:${d.dataset}`, datasetReference: { projectId: d.project, datasetId: d.dataset }, location: d.location, creationTime: d.creationTime };
}
