import { duration, progressLine } from "../log";

/**
 * The download's progress line: files done/total, bytes done/total, rate and ETA, drawn by
 * log.ts's progressLine as the loader's line is.
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

export function startByteProgress(label: string, files: number, totalBytes: number, stream?: { isTTY?: boolean; write(text: string): unknown }): ByteProgress {
  const started = Date.now();
  let count = 0;
  let bytes = 0;
  const line = progressLine((end) => {
    const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
    const rate = bytes / seconds;
    const tail = end ? ` in ${duration(seconds * 1000)}` : rate > 0 ? `, ETA ${duration(((totalBytes - bytes) / rate) * 1000)}` : "";
    return `${label} ${count}/${files} files, ${megabytes(bytes)}/${megabytes(totalBytes)}, ${megabytes(rate)}/s${tail}`;
  }, stream);
  return {
    bytes(n) {
      bytes += n;
      line.update();
    },
    file() {
      count++;
      line.update();
    },
    drop(n) {
      totalBytes -= n;
    },
    note: (print) => line.note(print),
    done: () => line.done(),
  };
}

/** "1.9 MB": decimal megabytes, one decimal. */
export const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
