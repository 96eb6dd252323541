import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { InputError } from "../errors";
import { download, DownloadError, type DownloadOptions } from "./http";
import type { TimeRange } from "./time-range";

/** GDELT rewrites its master list every 15 minutes; a cached copy younger than that is used as is. */
export const MASTER_LIST_MAX_AGE_MS = 15 * 60_000;
export const GDELT_TABLES = ["export", "mentions"] as const;
export type GdeltFetchTable = (typeof GDELT_TABLES)[number];

/** A published 15-minute file: `YYYYMMDDHHMMSS.export.CSV.zip` or `.mentions.CSV.zip`. */
export interface ListedFile {
  name: string;
  time: string;
  table: GdeltFetchTable;
  size: number;
  /** Lower-case hex. */
  md5: string;
  /** The list and line it came from, for messages: `masterfilelist.txt line 12`. */
  where: string;
}

/** What a list holds of the range, and the span of all the export and mentions files it lists. */
export interface FileList {
  files: ListedFile[];
  first?: string;
  newest?: string;
  master: "cached" | "downloaded";
}

const LINE = /^(\d+)\s+([0-9a-fA-F]{32})\s+(\S+)$/;
const FILE = /^(\d{14})\.(export|mentions)\.CSV\.zip$/i;

/**
 * The files of the tables in the range that GDELT lists, in time order (events before mentions
 * of one time): masterfilelist.txt from the cache in `dir` when younger than 15 minutes, else
 * downloaded again (a failed refresh falls back to the cached copy, with a warning); plus
 * lastupdate.txt when the range reaches past the master list's newest file. The lists are read
 * line by line, keeping only the range: the real master list has over a million lines.
 */
export async function gdeltFileList(
  baseUrl: string,
  dir: string,
  range: TimeRange,
  tables: readonly GdeltFetchTable[],
  opts: DownloadOptions & { now: Date; warn: (message: string) => void },
): Promise<FileList> {
  const cached = path.join(dir, "masterfilelist.txt");
  let master: FileList["master"] = "cached";
  const age = fs.existsSync(cached) ? opts.now.getTime() - fs.statSync(cached).mtimeMs : Infinity;
  if (age >= MASTER_LIST_MAX_AGE_MS) {
    try {
      await fetchList(`${baseUrl}/masterfilelist.txt`, cached, opts);
      master = "downloaded";
    } catch (e) {
      if (age === Infinity || !(e instanceof DownloadError)) throw e;
      opts.warn(`${e.message}; using the copy cached ${Math.round(age / 60_000)} min ago`);
    }
  }
  const list = await readList(cached, range, tables);
  if (list.lines === 0) {
    fs.rmSync(cached, { force: true }); // not kept: the next fetch asks again
    throw new InputError(`${baseUrl}/masterfilelist.txt is not a GDELT file list (no line of the form "size md5 url"); is GDELT_BASE_URL right?`);
  }
  let { files, first, newest } = list;
  if (newest === undefined || range.to > newest) {
    const latestFile = path.join(dir, "lastupdate.txt");
    await fetchList(`${baseUrl}/lastupdate.txt`, latestFile, opts);
    const latest = await readList(latestFile, range, tables);
    const known = new Set(files.map((f) => f.name));
    files = [...files, ...latest.files.filter((f) => !known.has(f.name))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    first = [first, latest.first].filter((t) => t !== undefined).sort()[0];
    newest = [newest, latest.newest].filter((t) => t !== undefined).sort().pop();
  }
  return { files, first, newest, master };
}

async function fetchList(url: string, dest: string, opts: DownloadOptions): Promise<void> {
  const r = await download(url, dest, { ...opts, onBytes: undefined });
  if (r.status === "missing") throw new InputError(`${url}: not found (HTTP 404); is GDELT_BASE_URL right?`);
}

/** The listed export/mentions files of the tables in the range, in name order (the first line of a name wins). */
async function readList(file: string, range: TimeRange, tables: readonly GdeltFetchTable[]): Promise<{ files: ListedFile[]; first?: string; newest?: string; lines: number }> {
  const source = path.basename(file);
  const byName = new Map<string, ListedFile>();
  let first: string | undefined;
  let newest: string | undefined;
  let lines = 0;
  let n = 0;
  const input = fs.createReadStream(file, { encoding: "utf8" });
  for await (const raw of readline.createInterface({ input, crlfDelay: Infinity })) {
    n++;
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    lines++;
    const name = m[3].replace(/[?#].*$/, "").replace(/^.*\//, "");
    const f = FILE.exec(name);
    if (!f) continue;
    const time = f[1];
    if (first === undefined || time < first) first = time;
    if (newest === undefined || time > newest) newest = time;
    const table = f[2].toLowerCase() as GdeltFetchTable;
    if (time < range.from || time > range.to || !tables.includes(table) || byName.has(name)) continue;
    byName.set(name, { name, time, table, size: Number(m[1]), md5: m[2].toLowerCase(), where: `${source} line ${n}` });
  }
  const files = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, first, newest, lines };
}
