import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import * as zlib from "zlib";
import { zipSync } from "fflate";
import { repoRoot } from "./project";

/**
 * A local stand-in for GDELT's, FRED's and the World Bank's download servers (loopback, random
 * port). GDELT: masterfilelist.txt and lastupdate.txt built from the bundled real files, each
 * published as GDELT does (a .zip of the CSV) with its real size and MD5, and those files, with
 * faults injected per file. FRED and the World Bank: the bundled downloads.
 */
export type Fault =
  /** Same size, one byte changed: the listed MD5 no longer matches. */
  | "md5"
  /** Only the first half, with a Content-Length saying so. */
  | "truncate"
  /** Listed, but the server answers 404. */
  | "404"
  /** The first request gets a 503; the next ones the file. */
  | "503-once"
  /** The first request: headers and half the body, then the connection is reset. */
  | "reset-once"
  /** The first request: nothing for `slowMs`; the next ones the file. */
  | "slow-once";

export interface PublishedFile {
  name: string;
  bytes: Buffer;
  size: number;
  md5: string;
}

export interface Mirror {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The base URLs to give vwatch: GDELT_BASE_URL, FRED_BASE_URL, WORLDBANK_BASE_URL. */
  env: Record<string, string>;
  files: PublishedFile[];
  /** Every request's path (with query), in order. */
  requests: string[];
  userAgents: Set<string>;
  /** How many requests a path ending with `suffix` got. */
  count(suffix: string): number;
  /** Called on each request before it is answered; return true to leave the response hanging (the test answers or kills). */
  onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean | void;
  close(): Promise<void>;
}

const SAMPLES = path.join(repoRoot, "samples");
const GDELT_URL = "http://data.gdeltproject.org/gdeltv2/";
/** A fixed time inside the zips, so that a published file's bytes are the same on every run. */
const ZIP_TIME = new Date("2015-02-19T00:00:00Z");

/** The bundled GDELT files as GDELT publishes them (`….CSV.zip`), in name order. */
export function publishedFiles(): PublishedFile[] {
  return fs
    .readdirSync(path.join(SAMPLES, "gdelt"))
    .filter((n) => n.endsWith(".CSV.gz"))
    .sort()
    .map((gz) => {
      const csvName = gz.replace(/\.gz$/, "");
      const bytes = Buffer.from(zipSync({ [csvName]: [zlib.gunzipSync(fs.readFileSync(path.join(SAMPLES, "gdelt", gz))), { mtime: ZIP_TIME }] }));
      return { name: `${csvName}.zip`, bytes, size: bytes.length, md5: crypto.createHash("md5").update(bytes).digest("hex") };
    });
}

export const listLine = (f: { name: string; size: number; md5: string }) => `${f.size} ${f.md5} ${GDELT_URL}${f.name}`;

export async function startMirror(opts: { faults?: Record<string, Fault>; slowMs?: number; onlyInLastUpdate?: string[] } = {}): Promise<Mirror> {
  const files = publishedFiles();
  const faults = opts.faults ?? {};
  const late = new Set(opts.onlyInLastUpdate ?? []);
  // The real lists also name files vwatch does not load (GKG, translations): they must be left out.
  const extra = [`123456 0123456789abcdef0123456789abcdef ${GDELT_URL}20150218230000.gkg.csv.zip`, `2345 fedcba9876543210fedcba9876543210 ${GDELT_URL}20150218230000.translation.export.CSV.zip`];
  const master = [...files.filter((f) => !late.has(f.name)).map(listLine), ...extra].join("\n") + "\n";
  const lastUpdate = (late.size > 0 ? files.filter((f) => late.has(f.name)) : files.slice(-2)).map(listLine).join("\n") + "\n";
  const requests: string[] = [];
  const userAgents = new Set<string>();
  const count = (suffix: string) => requests.filter((r) => r.endsWith(suffix)).length;

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    requests.push(url);
    userAgents.add(String(req.headers["user-agent"]));
    if (mirror.onRequest?.(req, res)) return;
    const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Length": String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    const u = new URL(url, "http://mirror");
    if (u.pathname === "/gdeltv2/masterfilelist.txt") return send(200, master);
    if (u.pathname === "/gdeltv2/lastupdate.txt") return send(200, lastUpdate);
    const file = u.pathname.startsWith("/gdeltv2/") ? files.find((f) => f.name === u.pathname.slice("/gdeltv2/".length)) : undefined;
    if (file) {
      const fault = faults[file.name];
      const first = count(`/gdeltv2/${file.name}`) === 1;
      if (fault === "404") return send(404, "Not Found");
      if (fault === "503-once" && first) return send(503, "Service Unavailable");
      if (fault === "md5") {
        const bytes = Buffer.from(file.bytes);
        bytes[bytes.length >> 1] ^= 0xff;
        return send(200, bytes);
      }
      if (fault === "truncate") return send(200, file.bytes.subarray(0, file.size >> 1));
      if (fault === "reset-once" && first) {
        res.writeHead(200, { "Content-Length": String(file.size) });
        res.write(file.bytes.subarray(0, file.size >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      if (fault === "slow-once" && first) return void setTimeout(() => send(200, file.bytes), opts.slowMs ?? 3000);
      return send(200, file.bytes);
    }
    if (u.pathname === "/graph/fredgraph.csv") {
      const csv = path.join(SAMPLES, "economic", "fred", `${u.searchParams.get("id")}.csv`);
      return fs.existsSync(csv) ? send(200, fs.readFileSync(csv), { "Content-Type": "text/csv" }) : send(404, "Not Found");
    }
    const wb = /^\/v2\/country\/([^/]+)\/indicator\/([^/]+)$/.exec(u.pathname);
    if (wb && u.searchParams.get("downloadformat") === "csv") {
      const dir = path.join(SAMPLES, "economic", "worldbank");
      const zip = fs.readdirSync(dir).find((n) => n.startsWith(`API_${decodeURIComponent(wb[2])}_`));
      if (!zip) return send(404, "Not Found");
      return send(200, fs.readFileSync(path.join(dir, zip)), { "Content-Type": "application/zip", "Content-Disposition": `attachment; filename=${zip}` });
    }
    send(404, "Not Found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mirror: Mirror = {
    url,
    env: { GDELT_BASE_URL: `${url}/gdeltv2`, FRED_BASE_URL: url, WORLDBANK_BASE_URL: `${url}/v2` },
    files,
    requests,
    userAgents,
    count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return mirror;
}

/** Runs fn with the mirror's base URLs in the environment, restoring it afterwards. */
export async function withMirrorEnv<T>(mirror: Mirror, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(mirror.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, mirror.env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
