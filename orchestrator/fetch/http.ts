import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { VwatchError } from "../errors";

/**
 * One download over HTTP, polite and verified: a User-Agent naming the product, an idle timeout on
 * every request, bounded retries with exponential backoff and jitter on 5xx, 429, timeouts and
 * broken connections. The body goes to `<dest>.part` and is renamed to `dest` only once complete
 * (and, when a size and MD5 are expected, only once they match), so `dest` is always whole.
 */
export interface DownloadOptions {
  /** Abort an attempt when no byte arrives for this long. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** First backoff; doubled per attempt, capped at 30 s, with jitter (half to all of it). */
  backoffMs?: number;
  /** Bytes received so far, as they arrive (attempts that fail are given back negative). */
  onBytes?: (n: number) => void;
  /** Called before waiting to retry: why, and how long. */
  onRetry?: (why: string, waitMs: number) => void;
}

/** What the published list says of a file. */
export interface Expected {
  size: number;
  md5: string;
  /** Where the list says it, for messages: `masterfilelist.txt line 12`. */
  where: string;
}

export type DownloadResult =
  | { status: "downloaded"; bytes: number; attempts: number; fileName?: string }
  /** 404 or 410: the server does not have it. */
  | { status: "missing"; attempts: number };

/** A download that failed for good: the URL and why, after every retry. */
export class DownloadError extends VwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DOWNLOAD", message, options);
  }
}

/** "vwatch/1.2.3 (VenezuelaWatch Analytics)". */
export function userAgent(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  return `vwatch/${pkg.version} (VenezuelaWatch Analytics)`;
}

const BACKOFF_CAP_MS = 30_000;

/** A failed attempt worth trying again (a 5xx, a timeout, a cut connection, a damaged body). */
class Transient extends Error {}

export async function download(url: string, dest: string, opts: DownloadOptions, expected?: Expected): Promise<DownloadResult> {
  const ua = userAgent();
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await attemptOnce(url, dest, ua, opts, expected)), attempts: attempt };
    } catch (e) {
      if (!(e instanceof Transient)) throw e;
      if (attempt > opts.retries) {
        throw new DownloadError(`${url}: ${e.message}${attempt > 1 ? ` (after ${attempt} attempts)` : ""}`, { cause: e });
      }
      const wait = Math.min(BACKOFF_CAP_MS, (opts.backoffMs ?? 1000) * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      opts.onRetry?.(`${url}: ${e.message} (attempt ${attempt} of ${opts.retries + 1})`, wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function attemptOnce(url: string, dest: string, ua: string, opts: DownloadOptions, expected?: Expected): Promise<Omit<DownloadResult & { status: "downloaded" }, "attempts"> | { status: "missing" }> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((timedOut = true), abort.abort()), opts.timeoutMs);
  };
  const part = `${dest}.part`;
  let received = 0;
  arm();
  try {
    let res: Response;
    try {
      res = await fetch(url, { headers: { "User-Agent": ua }, signal: abort.signal, redirect: "follow" });
    } catch (e) {
      throw new Transient(timedOut ? `no answer within ${opts.timeoutMs / 1000} s` : `cannot connect: ${cause(e)}`);
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel().catch(() => undefined);
      return { status: "missing" };
    }
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel().catch(() => undefined);
      throw new Transient(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new DownloadError(`${url}: HTTP ${res.status} ${res.statusText}`.trim());
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const hash = crypto.createHash("md5");
    const out = await fs.promises.open(part, "w");
    // A failing write (a full disk) is not the network's fault: it passes through, not retried.
    let writing: { error: unknown } | undefined;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        hash.update(chunk);
        await out.write(chunk).catch((error) => {
          writing = { error };
          throw error;
        });
        received += chunk.length;
        opts.onBytes?.(chunk.length);
      }
    } catch (e) {
      if (writing) throw writing.error;
      throw new Transient(timedOut ? `no data for ${opts.timeoutMs / 1000} s after ${received} bytes` : `the connection broke after ${received} bytes: ${cause(e)}`);
    } finally {
      await out.close();
    }
    if (expected) {
      if (received !== expected.size) throw new Transient(`${received} bytes, but ${expected.where} lists ${expected.size}`);
      const md5 = hash.digest("hex");
      if (md5 !== expected.md5) throw new Transient(`MD5 ${md5} differs from ${expected.md5} listed in ${expected.where}`);
    }
    fs.renameSync(part, dest);
    return { status: "downloaded", bytes: received, fileName: attachmentName(res.headers.get("content-disposition")) };
  } catch (e) {
    // A failed attempt's bytes no longer count, and its partial file goes.
    if (received > 0) opts.onBytes?.(-received);
    fs.rmSync(part, { force: true });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** The file name a Content-Disposition header gives, reduced to a plain base name. */
function attachmentName(header: string | null): string | undefined {
  const m = header && /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  const name = m ? path.basename(decodeURIComponent(m[1]).trim()) : "";
  return /^[\w.-]+$/.test(name) ? name : undefined;
}

/** The innermost message: fetch wraps a reset as "fetch failed" with the socket error as its cause. */
function cause(e: unknown): string {
  let err = e as { message?: string; cause?: unknown; code?: string };
  while (err?.cause && typeof err.cause === "object") err = err.cause as typeof err;
  return err?.code && !String(err.message).includes(err.code) ? `${err.message} (${err.code})` : String(err?.message ?? e);
}

/** MD5 of a file on disk, lower-case hex. */
export async function fileMd5(file: string): Promise<string> {
  const hash = crypto.createHash("md5");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
