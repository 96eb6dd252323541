import { duration, log } from "../log";

/**
 * The download's progress line: files done/total, bytes done/total, rate and ETA. Like the
 * loader's line (log.ts startProgress): rewritten in place on a terminal (at most every 100 ms),
 * a line at most every 10 s elsewhere, nothing with --quiet.
 */
export interface ByteProgress {
  bytes(n: number): void;
  file(): void;
  /** A file that will not come (the server does not have it): its bytes leave the total. */
  drop(bytes: number): void;
  /** Prints something else (a warning, a retry) without mangling the line on a terminal. */
  note(print: () => void): void;
  done(): void;
}

export function startByteProgress(label: string, files: number, totalBytes: number, stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr): ByteProgress {
  const started = Date.now();
  let count = 0;
  let bytes = 0;
  let shown = stream.isTTY ? -Infinity : started;
  const text = (end: boolean) => {
    const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
    const rate = bytes / seconds;
    const tail = end ? ` in ${duration(seconds * 1000)}` : rate > 0 ? `, ETA ${duration(((totalBytes - bytes) / rate) * 1000)}` : "";
    return `${label} ${count}/${files} files, ${megabytes(bytes)}/${megabytes(totalBytes)}, ${megabytes(rate)}/s${tail}`;
  };
  const show = (end: boolean) => {
    if (log.isQuiet()) return;
    shown = Date.now();
    stream.write(stream.isTTY ? `\r${text(end)}\x1b[K${end ? "\n" : ""}` : `${text(end)}\n`);
  };
  const maybe = () => {
    if (Date.now() - shown >= (stream.isTTY ? 100 : 10_000)) show(false);
  };
  return {
    bytes(n) {
      bytes += n;
      maybe();
    },
    file() {
      count++;
      maybe();
    },
    drop(n) {
      totalBytes -= n;
    },
    note(print) {
      if (stream.isTTY && !log.isQuiet()) stream.write("\r\x1b[K");
      print();
      if (stream.isTTY) show(false);
    },
    done: () => show(true),
  };
}

/** "1.9 MB": decimal megabytes, one decimal. */
export const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
