/**
 * An in-process fake of the Google Cloud Dataform v1 REST API on 127.0.0.1, speaking HTTP/JSON as
 * `v1.DataformClient` sends it with the REST transport (`DATAFORM_EMULATOR_HOST=<url>`). It
 * enforces the API's rules (test/fakes/dataform/rules.ts) and records every request.
 *
 * Served: repositories list/get/create/patch; releaseConfigs and workflowConfigs
 * list/get/create/patch/delete; compilationResults list/create/get and :query; workflowInvocations
 * list/create/get/delete, :cancel and :query. Switches per test: the API disabled, permissions
 * denied, the next calls of a method failing (transient errors) or hanging.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { compilationResultAction, type FakeAction } from "./dataform/actions";
import { FakeInvocation, type InvocationScript } from "./dataform/invocations";
import { ApiError, badRequest, notFound, page, permissionDenied, serviceDisabled } from "./dataform/rules";
import { DataformStore } from "./dataform/store";

export type { FakeAction } from "./dataform/actions";
export { actionsFromGraph } from "./dataform/actions";
/** Errors in Google's format, for `failNext`. */
export * as errors from "./dataform/rules";

export interface RecordedRequest {
  /** The RPC the request was routed to (CreateWorkflowConfig, …), or "" when none matched. */
  rpc: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

export interface FakeDataformOptions {
  /** The largest page a list or query answers. Default 50. */
  maxPageSize?: number;
}

export interface FakeDataform {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The requests that could change something (everything but GET). */
  writes(): RecordedRequest[];
  store: DataformStore;
  /** Every call answers SERVICE_DISABLED, as when dataform.googleapis.com is not enabled. */
  setServiceDisabled(disabled: boolean): void;
  /** Calls that need this permission answer PERMISSION_DENIED (until `allow`). */
  deny(permission: string): void;
  allow(permission: string): void;
  /** The next `times` calls of an RPC answer this HTTP status (503, 429, 504, 500 …) or this error (see `errors`). */
  failNext(rpc: string, error: number | ApiError, times?: number): void;
  /** The next `times` calls of an RPC get no answer for `ms` milliseconds (for client timeouts). */
  delayNext(rpc: string, ms: number, times?: number): void;
  /** The actions (and compilation errors) the next compilation results hold. */
  setCompiledActions(actions: FakeAction[], errors?: { path: string; message: string }[]): void;
  /** Failures scripted for the invocations created from now on. */
  scriptInvocations(script: InvocationScript): void;
  close(): Promise<void>;
}

interface Route {
  rpc: string;
  method: string;
  pattern: RegExp;
  permission: string;
  handle(m: string[], req: { query: Record<string, string>; body: any; intEnums: boolean }): unknown;
}

const P = "projects/([a-z][a-z0-9-]{4,28}[a-z0-9]|\\d{6,20})/locations/([a-z]+(?:-[a-z]+)+\\d+)";
const R = `${P}/repositories/([^/:]+)`;

export async function startFakeDataform(options: FakeDataformOptions = {}): Promise<FakeDataform> {
  const maxPageSize = options.maxPageSize ?? 50;
  const store = new DataformStore();
  const requests: RecordedRequest[] = [];
  let disabled = false;
  const denied = new Set<string>();
  const failures = new Map<string, { error: number | ApiError; times: number }>();
  const delays = new Map<string, { ms: number; times: number }>();

  const list = (items: unknown[], key: string, query: Record<string, string>) => {
    const p = page(items, query, maxPageSize);
    return { [key]: p.items, ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}) };
  };
  const routes: Route[] = [
    { rpc: "ListRepositories", method: "GET", pattern: new RegExp(`^(${P})/repositories$`), permission: "dataform.repositories.list", handle: (m, r) => list(store.listRepositories(m[1]), "repositories", r.query) },
    { rpc: "GetRepository", method: "GET", pattern: new RegExp(`^(${R})$`), permission: "dataform.repositories.get", handle: (m) => store.get("repositories", m[1]) },
    { rpc: "CreateRepository", method: "POST", pattern: new RegExp(`^(${P})/repositories$`), permission: "dataform.repositories.create", handle: (m, r) => store.createRepository(m[1], r.query.repositoryId, r.body) },
    { rpc: "UpdateRepository", method: "PATCH", pattern: new RegExp(`^(${R})$`), permission: "dataform.repositories.update", handle: (m, r) => store.updateRepository(m[1], r.body, r.query.updateMask) },
    ...configRoutes("releaseConfigs", "ReleaseConfig"),
    ...configRoutes("workflowConfigs", "WorkflowConfig"),
    { rpc: "ListCompilationResults", method: "GET", pattern: new RegExp(`^(${R})/compilationResults$`), permission: "dataform.compilationResults.list", handle: (m, r) => list(store.children("compilationResults", m[1]), "compilationResults", r.query) },
    { rpc: "CreateCompilationResult", method: "POST", pattern: new RegExp(`^(${R})/compilationResults$`), permission: "dataform.compilationResults.create", handle: (m, r) => store.createCompilationResult(m[1], r.body) },
    { rpc: "GetCompilationResult", method: "GET", pattern: new RegExp(`^(${R}/compilationResults/[^/:]+)$`), permission: "dataform.compilationResults.get", handle: (m) => store.get("compilationResults", m[1]) },
    {
      rpc: "QueryCompilationResultActions",
      method: "GET",
      pattern: new RegExp(`^(${R}/compilationResults/[^/:]+):query$`),
      permission: "dataform.compilationResults.query",
      handle: (m, r) => list(store.compiledActions(m[1]).map((a) => compilationResultAction(a, r.intEnums)), "compilationResultActions", r.query),
    },
    { rpc: "ListWorkflowInvocations", method: "GET", pattern: new RegExp(`^(${R})/workflowInvocations$`), permission: "dataform.workflowInvocations.list", handle: (m, r) => list(store.invocationsOf(m[1]).map((i) => i.toJson(r.intEnums)), "workflowInvocations", r.query) },
    { rpc: "CreateWorkflowInvocation", method: "POST", pattern: new RegExp(`^(${R})/workflowInvocations$`), permission: "dataform.workflowInvocations.create", handle: (m, r) => store.createInvocation(m[1], r.body).toJson(r.intEnums) },
    { rpc: "GetWorkflowInvocation", method: "GET", pattern: new RegExp(`^(${R}/workflowInvocations/[^/:]+)$`), permission: "dataform.workflowInvocations.get", handle: (m, r) => poll(store.invocation(m[1])).toJson(r.intEnums) },
    { rpc: "DeleteWorkflowInvocation", method: "DELETE", pattern: new RegExp(`^(${R}/workflowInvocations/[^/:]+)$`), permission: "dataform.workflowInvocations.delete", handle: (m) => (store.deleteInvocation(m[1]), {}) },
    { rpc: "CancelWorkflowInvocation", method: "POST", pattern: new RegExp(`^(${R}/workflowInvocations/[^/:]+):cancel$`), permission: "dataform.workflowInvocations.cancel", handle: (m) => (store.cancelInvocation(m[1]), {}) },
    {
      rpc: "QueryWorkflowInvocationActions",
      method: "GET",
      pattern: new RegExp(`^(${R}/workflowInvocations/[^/:]+):query$`),
      permission: "dataform.workflowInvocations.query",
      // Only a query without a page token is a poll: the pages of one query show one state.
      handle: (m, r) => {
        const inv = store.invocation(m[1]);
        if (!r.query.pageToken) poll(inv);
        return list(inv.actionsJson(r.intEnums), "workflowInvocationActions", r.query);
      },
    },
  ];

  function poll(inv: FakeInvocation): FakeInvocation {
    inv.advance();
    return inv;
  }

  function configRoutes(collection: "releaseConfigs" | "workflowConfigs", type: string): Route[] {
    const perm = `dataform.${collection}`;
    return [
      { rpc: `List${type}s`, method: "GET", pattern: new RegExp(`^(${R})/${collection}$`), permission: `${perm}.list`, handle: (m, r) => list(store.children(collection, m[1]), collection, r.query) },
      { rpc: `Get${type}`, method: "GET", pattern: new RegExp(`^(${R}/${collection}/[^/:]+)$`), permission: `${perm}.get`, handle: (m) => store.get(collection, m[1]) },
      { rpc: `Create${type}`, method: "POST", pattern: new RegExp(`^(${R})/${collection}$`), permission: `${perm}.create`, handle: (m, r) => store.createConfig(collection, m[1], r.query[`${collection.slice(0, -1)}Id`], r.body) },
      { rpc: `Update${type}`, method: "PATCH", pattern: new RegExp(`^(${R}/${collection}/[^/:]+)$`), permission: `${perm}.update`, handle: (m, r) => store.updateConfig(collection, m[1], r.body, r.query.updateMask) },
      { rpc: `Delete${type}`, method: "DELETE", pattern: new RegExp(`^(${R}/${collection}/[^/:]+)$`), permission: `${perm}.delete`, handle: (m) => (store.delete(collection, m[1]), {}) },
    ];
  }

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const query = Object.fromEntries(url.searchParams);
      const path = decodeURIComponent(url.pathname).replace(/^\/v1\//, "");
      const route = url.pathname.startsWith("/v1/") ? routes.find((r) => r.method === req.method && r.pattern.test(path)) : undefined;
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      requests.push({ rpc: route?.rpc ?? "", method: req.method ?? "", path: url.pathname, query, body });
      const send = (code: number, payload: unknown) => {
        res.writeHead(code, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(payload));
      };
      try {
        if (!route) throw new ApiError(404, "NOT_FOUND", `no Dataform v1 method answers ${req.method} ${url.pathname}`);
        const m = route.pattern.exec(path)!;
        const project = m[2];
        const delay = take(delays, route.rpc);
        if (delay) await new Promise((r) => setTimeout(r, delay.ms));
        if (disabled) throw serviceDisabled(project);
        if (denied.has(route.permission)) throw permissionDenied(route.permission, m[1]);
        const failure = take(failures, route.rpc);
        if (failure) throw typeof failure.error === "number" ? new ApiError(failure.error, httpStatus(failure.error), `The service is currently unavailable (fake: ${failure.error}).`) : failure.error;
        // An empty body is the empty message (the client sends an empty message as the JSON string ""); anything else must be an object.
        if (body === null || body === "") body = undefined;
        if (body !== undefined && (typeof body !== "object" || Array.isArray(body))) throw badRequest("Invalid JSON payload received: the body must be a JSON object.");
        const intEnums = /enum-encoding=int/.test(query.$alt ?? "");
        send(200, route.handle(m, { query, body: body ?? {}, intEnums }) ?? {});
      } catch (e) {
        if (e instanceof ApiError) send(e.httpCode, e.body());
        else send(500, { error: { code: 500, message: String((e as Error)?.message ?? e), status: "INTERNAL", details: [] } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    writes: () => requests.filter((r) => r.method !== "GET"),
    store,
    setServiceDisabled: (value) => void (disabled = value),
    deny: (permission) => void denied.add(permission),
    allow: (permission) => void denied.delete(permission),
    failNext: (rpc, error, times = 1) => void failures.set(rpc, { error, times }),
    delayNext: (rpc, ms, times = 1) => void delays.set(rpc, { ms, times }),
    setCompiledActions: (actions, errors = []) => store.setCompiled(actions, errors),
    scriptInvocations: (script) => store.setScript(script),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function take<T extends { times: number }>(map: Map<string, T>, rpc: string): T | undefined {
  const entry = map.get(rpc);
  if (!entry || entry.times <= 0) return undefined;
  if (--entry.times <= 0) map.delete(rpc);
  return entry;
}

function httpStatus(code: number): string {
  return ({ 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED", 409: "ABORTED" } as Record<number, string>)[code] ?? "UNKNOWN";
}
