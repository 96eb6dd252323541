import * as fs from "fs";
import * as path from "path";
import { parseManifest, type Manifest, type ManifestEntry } from "../load/manifest";
import { download, DownloadError, type DownloadOptions } from "./http";
import type { TimeRange } from "./time-range";

/** GDELT rewrites its master list every 15 minutes; a cached copy younger than that is used as is. */
export const MASTER_LIST_MAX_AGE_MS = 15 * 60_000;
export const GDELT_TABLES = ["export", "mentions"] as const;
export type GdeltFetchTable = (typeof GDELT_TABLES)[number];

/** A published 15-minute file: `YYYYMMDDHHMMSS.export.CSV.zip` or `.mentions.CSV.zip`. */
export interface ListedFile extends ManifestEntry {
  name: string;
  time: string;
  table: GdeltFetchTable;
  /** The list and line it came from, for messages. */
  where: string;
}

const FILE = /^(\d{14})\.(export|mentions)\.CSV\.zip$/i;

/**
 * GDELT's file list: masterfilelist.txt from the cache in `dir` when younger than 15 minutes,
 * else downloaded again (a failed refresh falls back to the cached copy, with a warning); plus
 * lastupdate.txt when the range reaches past the master list's newest file.
 */
export async function gdeltFileList(
  baseUrl: string,
  dir: string,
  range: TimeRange,
  opts: DownloadOptions & { now: Date; warn: (message: string) => void; onRequest?: (url: string) => void },
): Promise<{ files: ListedFile[]; master: "cached" | "downloaded"; newest?: string }> {
  const cached = path.join(dir, "masterfilelist.txt");
  let master: "cached" | "downloaded" = "cached";
  const age = fs.existsSync(cached) ? opts.now.getTime() - fs.statSync(cached).mtimeMs : Infinity;
  if (age >= MASTER_LIST_MAX_AGE_MS) {
    try {
      await fetchList(`${baseUrl}/masterfilelist.txt`, cached, opts);
      master = "downloaded";
    } catch (e) {
      if (age === Infinity) throw e;
      opts.warn(`${(e as Error).message}; using the copy cached ${Math.round(age / 60_000)} min ago`);
    }
  }
  const files = listed(parseManifest(fs.readFileSync(cached, "utf8"), "masterfilelist.txt"));
  const newest = files.reduce<string | undefined>((a, f) => (a === undefined || f.time > a ? f.time : a), undefined);
  if (newest === undefined || range.to > newest) {
    const latest = path.join(dir, "lastupdate.txt");
    await fetchList(`${baseUrl}/lastupdate.txt`, latest, opts);
    const known = new Set(files.map((f) => f.name));
    files.push(...listed(parseManifest(fs.readFileSync(latest, "utf8"), "lastupdate.txt")).filter((f) => !known.has(f.name)));
  }
  return { files, master, newest: files.reduce<string | undefined>((a, f) => (a === undefined || f.time > a ? f.time : a), undefined) };
}

async function fetchList(url: string, dest: string, opts: DownloadOptions & { onRequest?: (url: string) => void }): Promise<void> {
  opts.onRequest?.(url);
  const r = await download(url, dest, { ...opts, onBytes: undefined });
  if (r.status === "missing") throw new DownloadError(`${url}: not found (HTTP 404); is GDELT_BASE_URL right?`);
}

function listed(manifest: Manifest): ListedFile[] {
  const out: ListedFile[] = [];
  for (const [name, entry] of manifest.entries) {
    const m = FILE.exec(name);
    if (m) out.push({ ...entry, name, time: m[1], table: m[2].toLowerCase() as GdeltFetchTable, where: `${manifest.source} line ${entry.line}` });
  }
  return out;
}

/** The files of the tables in the range, in time order (events before mentions of one time). */
export function selectFiles(files: ListedFile[], range: TimeRange, tables: readonly GdeltFetchTable[]): ListedFile[] {
  return files
    .filter((f) => tables.includes(f.table) && f.time >= range.from && f.time <= range.to)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
