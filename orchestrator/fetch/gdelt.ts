import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import { gdeltFileList, type GdeltFetchTable, type ListedFile } from "./gdelt-list";
import { download, DownloadError, fileMd5, type DownloadOptions } from "./http";
import { startByteProgress } from "./progress";
import type { TimeRange } from "./time-range";

/**
 * `vwatch fetch gdelt`: the files GDELT's list gives for the tables in the range, downloaded into
 * `dir` under their published names. A file already there with the listed size and MD5 is not
 * downloaded again; a file the list names but the server does not have (404) is reported and
 * skipped; a file that still fails after the retries is reported with its URL, and the others go on.
 */
export interface FetchGdeltOptions {
  baseUrl: string;
  dir: string;
  range: TimeRange;
  tables: readonly GdeltFetchTable[];
  concurrency: number;
  download: Omit<DownloadOptions, "onBytes">;
  now: Date;
  warn: (message: string) => void;
}

export interface FetchedFile {
  name: string;
  url: string;
  /** Where it is (or would be) on disk. */
  file: string;
  time: string;
  status: "downloaded" | "present" | "missing" | "failed";
  bytes: number;
  error?: string;
}

export interface FetchGdeltResult {
  files: FetchedFile[];
  master: "cached" | "downloaded";
}

export async function fetchGdelt(opts: FetchGdeltOptions): Promise<FetchGdeltResult> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const list = await gdeltFileList(opts.baseUrl, opts.dir, opts.range, opts.tables, { ...opts.download, now: opts.now, warn: opts.warn });
  const wanted = list.files;
  if (wanted.length === 0) {
    throw new InputError(
      `GDELT's list has no ${opts.tables.join(" or ")} file between ${opts.range.from} and ${opts.range.to} (UTC)` +
        (list.first !== undefined ? `; it lists files from ${list.first} to ${list.newest}` : ""),
    );
  }
  const files: FetchedFile[] = [];
  const missing: { listed: ListedFile; out: FetchedFile }[] = [];
  for (const listed of wanted) {
    const file = path.join(opts.dir, listed.name);
    const out: FetchedFile = { name: listed.name, url: `${opts.baseUrl}/${listed.name}`, file, time: listed.time, status: "present", bytes: 0 };
    files.push(out);
    if (!(await verified(file, listed))) missing.push({ listed, out });
  }
  const progress = startByteProgress("downloading", missing.length, missing.reduce((a, t) => a + t.listed.size, 0));
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const { listed, out } = missing[next++];
      try {
        const onRetry = opts.download.onRetry && ((why: string, wait: number) => progress.note(() => opts.download.onRetry!(why, wait)));
        const r = await download(out.url, out.file, { ...opts.download, onRetry, onBytes: (n) => progress.bytes(n) }, { size: listed.size, md5: listed.md5, where: listed.where });
        if (r.status === "missing") {
          out.status = "missing";
          progress.drop(listed.size);
          progress.note(() => opts.warn(`${out.url}: listed in ${listed.where} but not on the server (HTTP 404); skipped (GDELT's list names a few files it never published)`));
        } else {
          out.status = "downloaded";
          out.bytes = r.bytes;
        }
      } catch (e) {
        if (!(e instanceof DownloadError)) throw e;
        out.status = "failed";
        out.error = e.message;
      }
      progress.file();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, missing.length) }, worker));
  } finally {
    if (missing.length > 0) progress.done();
  }
  return { files, master: list.master };
}

/** True when the file is on disk with the listed size and MD5 (a verified earlier download). */
async function verified(file: string, listed: ListedFile): Promise<boolean> {
  if (!fs.existsSync(file) || fs.statSync(file).size !== listed.size) return false;
  return (await fileMd5(file)) === listed.md5;
}
