/**
 * An in-process fake of the BigQuery Data Transfer v1 REST API on 127.0.0.1, speaking HTTP/JSON as
 * `v1.DataTransferServiceClient` sends it with the REST transport
 * (`BIGQUERY_DATATRANSFER_EMULATOR_HOST=<url>`). It enforces the API's rules
 * (test/fakes/datatransfer/rules.ts) and records every request.
 *
 * Served, under projects/P/locations/L and projects/P (the API's additional bindings):
 * transferConfigs list/get/create/patch/delete, :startManualRuns, runs list/get and
 * runs/R/transferLogs. Switches per test: the API disabled, a permission denied, a connection the
 * owner may not use, names answered without their location, how the next runs end.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { ApiError, badRequest, page, permissionDenied, PROJECT, serviceDisabled } from "./datatransfer/rules";
import { DataTransferStore, RUN_STATES, SEVERITIES, type Json, type RunScript } from "./datatransfer/store";

export interface RecordedRequest {
  rpc: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Repeated query parameters, all values (dataSourceIds, states). */
  all: Record<string, string[]>;
  body: any;
}

export interface FakeDataTransfer {
  url: string;
  requests: RecordedRequest[];
  /** The requests that could change something (everything but GET). */
  writes(): RecordedRequest[];
  store: DataTransferStore;
  setServiceDisabled(disabled: boolean): void;
  deny(permission: string): void;
  /** Creating or patching a scheduled query whose EXTERNAL_QUERY uses this connection (project.location.id) is PERMISSION_DENIED. */
  denyConnection(connection: string): void;
  /** Answer config names as projects/P/transferConfigs/ID (the service may). */
  setNamesWithoutLocation(on: boolean): void;
  /** How runs started from now on end. */
  scriptRuns(script: RunScript): void;
  close(): Promise<void>;
}

interface Route {
  rpc: string;
  method: string;
  pattern: RegExp;
  permission: string;
  handle(m: { project: string; location?: string; id: string; run: string }, req: { query: Record<string, string>; all: Record<string, string[]>; body: Json; intEnums: boolean }): unknown;
}

const BASE = `projects/(${PROJECT})(?:/locations/([a-z0-9-]+))?`;
const CONFIG = `${BASE}/transferConfigs/([^/:]+)`;

export async function startFakeDataTransfer(options: { maxPageSize?: number } = {}): Promise<FakeDataTransfer> {
  const maxPageSize = options.maxPageSize ?? 50;
  const store = new DataTransferStore();
  const requests: RecordedRequest[] = [];
  let disabled = false;
  const denied = new Set<string>();
  const list = (items: unknown[], key: string, query: Record<string, string>) => {
    const p = page(items, query, maxPageSize);
    return { [key]: p.items, ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}) };
  };
  const enums = (run: Json, intEnums: boolean) => (intEnums ? { ...run, state: RUN_STATES.indexOf(run.state) } : run);
  const routes: Route[] = [
    { rpc: "ListTransferConfigs", method: "GET", pattern: new RegExp(`^${BASE}/transferConfigs$`), permission: "bigquery.transfers.get", handle: (m, r) => list(store.list(m.project, m.location, r.all.dataSourceIds ?? []), "transferConfigs", r.query) },
    { rpc: "CreateTransferConfig", method: "POST", pattern: new RegExp(`^${BASE}/transferConfigs$`), permission: "bigquery.transfers.update", handle: (m, r) => store.create(m.project, m.location, r.body, r.query.serviceAccountName) },
    { rpc: "GetTransferConfig", method: "GET", pattern: new RegExp(`^${CONFIG}$`), permission: "bigquery.transfers.get", handle: (m) => store.get(m.project, m.location, m.id) },
    { rpc: "UpdateTransferConfig", method: "PATCH", pattern: new RegExp(`^${CONFIG}$`), permission: "bigquery.transfers.update", handle: (m, r) => store.update(m.project, m.location, m.id, r.body, r.query.updateMask, r.query.serviceAccountName) },
    { rpc: "DeleteTransferConfig", method: "DELETE", pattern: new RegExp(`^${CONFIG}$`), permission: "bigquery.transfers.update", handle: (m) => (store.delete(m.project, m.location, m.id), {}) },
    { rpc: "StartManualTransferRuns", method: "POST", pattern: new RegExp(`^${CONFIG}:startManualRuns$`), permission: "bigquery.transfers.update", handle: (m, r) => ({ runs: store.startManualRuns(m.project, m.location, m.id, r.body).map((run) => enums(run, r.intEnums)) }) },
    {
      rpc: "ListTransferRuns",
      method: "GET",
      pattern: new RegExp(`^${CONFIG}/runs$`),
      permission: "bigquery.transfers.get",
      handle: (m, r) => {
        const states = (r.all.states ?? []).map((s) => (/^\d+$/.test(s) ? RUN_STATES[Number(s)] : s));
        return list(store.runsOf(m.project, m.location, m.id, states).map((run) => enums(run, r.intEnums)), "transferRuns", r.query);
      },
    },
    { rpc: "GetTransferRun", method: "GET", pattern: new RegExp(`^${CONFIG}/runs/([^/:]+)$`), permission: "bigquery.transfers.get", handle: (m, r) => enums(store.pollRun(m.project, m.location, m.id, m.run), r.intEnums) },
    {
      rpc: "ListTransferLogs",
      method: "GET",
      pattern: new RegExp(`^${CONFIG}/runs/([^/:]+)/transferLogs$`),
      permission: "bigquery.transfers.get",
      handle: (m, r) => list(store.run(m.project, m.location, m.id, m.run).messages.map((x) => (r.intEnums ? { ...x, severity: SEVERITIES.indexOf(x.severity) } : x)), "transferMessages", r.query),
    },
  ];

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const query = Object.fromEntries(url.searchParams);
      const all: Record<string, string[]> = {};
      for (const [k, v] of url.searchParams) (all[k] ??= []).push(v);
      const path = decodeURIComponent(url.pathname).replace(/^\/v1\//, "");
      const route = url.pathname.startsWith("/v1/") ? routes.find((r) => r.method === req.method && r.pattern.test(path)) : undefined;
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      requests.push({ rpc: route?.rpc ?? "", method: req.method ?? "", path: url.pathname, query, all, body });
      const send = (code: number, payload: unknown) => {
        res.writeHead(code, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(payload));
      };
      try {
        if (!route) throw new ApiError(404, "NOT_FOUND", `no Data Transfer v1 method answers ${req.method} ${url.pathname}`);
        const m = route.pattern.exec(path)!;
        const at = { project: m[1], location: m[2], id: m[3], run: m[4] };
        if (disabled) throw serviceDisabled(at.project);
        if (denied.has(route.permission)) throw permissionDenied(route.permission, `projects/${at.project}`);
        if (body === null || body === "") body = undefined;
        if (body !== undefined && (typeof body !== "object" || Array.isArray(body))) throw badRequest("Invalid JSON payload received: the body must be a JSON object.");
        const intEnums = /enum-encoding=int/.test(query.$alt ?? "");
        send(200, route.handle(at, { query, all, body: body ?? {}, intEnums }) ?? {});
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
    requests,
    writes: () => requests.filter((r) => r.method !== "GET"),
    store,
    setServiceDisabled: (value) => void (disabled = value),
    deny: (permission) => void denied.add(permission),
    denyConnection: (connection) => void store.deniedConnections.add(connection),
    setNamesWithoutLocation: (on) => void (store.namesWithoutLocation = on),
    scriptRuns: (script) => void (store.runScript = script),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
