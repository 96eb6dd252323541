/**
 * The one logger. Progress and human text go to stderr so stdout stays clean for --json and
 * for printed results; `out` is for a command's actual output.
 *
 * In JSON mode (`vwatch serve`) every line is one JSON object with Cloud Logging's fields
 * (severity, message, time; a correlation id in `correlationId` and in the
 * `logging.googleapis.com/labels`), which Cloud Run's log agent parses from the process's output.
 */
import { AsyncLocalStorage } from "async_hooks";

let quiet = false;
let json = false;
/** Fields every line logged inside `log.withFields` carries (a run's id and correlation id). */
const context = new AsyncLocalStorage<LogFields>();

export type Severity = "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR";

/** Fields a log event may carry; never a token or a password. */
export interface LogFields {
  correlationId?: string;
  runId?: string;
  [field: string]: unknown;
}

function write(severity: Severity, text: string, message: string, fields: LogFields = {}): void {
  if (!json) {
    process.stderr.write(text + "\n");
    return;
  }
  fields = { ...context.getStore(), ...fields };
  const entry: Record<string, unknown> = { severity, message, time: new Date().toISOString(), ...fields };
  if (fields.correlationId) entry["logging.googleapis.com/labels"] = { correlationId: fields.correlationId };
  process.stderr.write(JSON.stringify(entry) + "\n");
}

export const log = {
  setQuiet(value: boolean) {
    quiet = value;
  },
  /** Runs fn with fields added to every line it logs, however deep (JSON mode; say a run's correlation id). */
  withFields<T>(fields: LogFields, fn: () => T): T {
    return context.run({ ...context.getStore(), ...fields }, fn);
  },
  /** One JSON object per line from now on (a server's logs). */
  setJson(value: boolean) {
    json = value;
  },
  info(message: string) {
    if (!quiet) write("INFO", message, message);
  },
  /** A command's closing line (a run's counts, its failures): printed even with -q. */
  summary(message: string) {
    write("NOTICE", message, message);
  },
  warn(message: string) {
    write("WARNING", `warning: ${message}`, message);
  },
  error(message: string) {
    write("ERROR", `error: ${message}`, message);
  },
  /** One event with fields (a request served, a run's state); in text mode the fields follow the message. */
  event(severity: Severity, message: string, fields: LogFields = {}) {
    const shown = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
    write(severity, shown ? `${message} (${shown})` : message, message, fields);
  },
  out(text: string) {
    process.stdout.write(text.endsWith("\n") ? text : text + "\n");
  },
};

/** A plain-text table for people; columns sized to their widest cell. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export interface Progress {
  /** One more item done, with the rows it added. */
  tick(rows: number): void;
  /** The last line: how many done, in how long. */
  done(): void;
}

interface ProgressOptions {
  label: string;
  total: number;
  /** What is counted, e.g. "files". */
  unit: string;
  stream?: ProgressStream;
}

type ProgressStream = { isTTY?: boolean; write(text: string): unknown };

/** A progress line drawn by `text` (end: whether it is the last). */
export interface ProgressLine {
  /** Something changed: redraws when it is due. */
  update(): void;
  /** Prints something else (a warning, a retry) without mangling the line on a terminal. */
  note(print: () => void): void;
  /** The last line. */
  done(): void;
}

/**
 * The one mechanism of progress lines: on a terminal the line is rewritten in place (at most
 * every 100 ms); elsewhere (a log file, a pipe) a line is printed at most every 10 s, and the last
 * one at the end. Nothing with --quiet.
 */
export function progressLine(text: (end: boolean) => string, stream: ProgressStream = process.stderr): ProgressLine {
  // A terminal shows the line at once; a log gets its first line after 10 s.
  let shown = stream.isTTY ? -Infinity : Date.now();
  const show = (end: boolean) => {
    if (quiet) return;
    shown = Date.now();
    stream.write(stream.isTTY ? `\r${text(end)}\x1b[K${end ? "\n" : ""}` : `${text(end)}\n`);
  };
  return {
    update() {
      if (Date.now() - shown >= (stream.isTTY ? 100 : 10_000)) show(false);
    },
    note(print) {
      if (stream.isTTY && !quiet) stream.write("\r\x1b[K");
      print();
      if (stream.isTTY) show(false);
    },
    done: () => show(true),
  };
}

/** One progress line for long work over many items: done/total, rows and an ETA (see progressLine). */
export function startProgress({ label, total, unit, stream = process.stderr }: ProgressOptions): Progress {
  const started = Date.now();
  let count = 0;
  let rows = 0;
  const line = progressLine((end) => {
    const elapsed = Date.now() - started;
    const tail = end ? ` in ${duration(elapsed)}` : `, ETA ${duration((elapsed / count) * (total - count))}`;
    return `${label} ${count}/${total} ${unit}, ${rows.toLocaleString("en-US")} rows${tail}`;
  }, stream);
  return {
    tick(added: number) {
      count++;
      rows += added;
      line.update();
    },
    done: () => line.done(),
  };
}

/** "42 s", "3 min 5 s", "2 h 10 min". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
