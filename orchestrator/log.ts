/**
 * The one logger. Progress and human text go to stderr so stdout stays clean for --json and
 * for printed results; `out` is for a command's actual output.
 */
let quiet = false;

export const log = {
  setQuiet(value: boolean) {
    quiet = value;
  },
  info(message: string) {
    if (!quiet) process.stderr.write(message + "\n");
  },
  /** A command's closing line (a run's counts, its failures): printed even with -q. */
  summary(message: string) {
    process.stderr.write(message + "\n");
  },
  warn(message: string) {
    process.stderr.write(`warning: ${message}\n`);
  },
  error(message: string) {
    process.stderr.write(`error: ${message}\n`);
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
