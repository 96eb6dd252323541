/** How a run is shown to people: the summary table and the failing rows of assertions. */
import { formatTable } from "../log";
import type { ActionResult } from "./run";

/** A byte count for people; BigQuery's estimate is "unknown" when it gave none, never 0. */
function bytes(n: number | undefined): string {
  if (n === undefined) return "unknown";
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

/** The widest summary table people get (a common terminal); --json keeps every name whole. */
const TABLE_WIDTH = 100;

/**
 * One row per action. Names lose the default project (`venezuelawatch.`), and assertions their
 * dataset (the type column says what they are; `--actions` takes the bare name); a name still
 * too long for TABLE_WIDTH wraps after a `_` or `.` onto indented lines of its own.
 */
export function summaryTable(actions: ActionResult[], warehouse = "duckdb", defaultDatabase?: string): string {
  const withBytes = warehouse === "bigquery";
  const headers = ["action", "type", "status", "rows", "seconds", ...(withBytes ? ["bytes processed"] : [])];
  const rows = actions.map((a) => [
    shortName(a, defaultDatabase),
    a.kind,
    a.status,
    String(a.rows ?? ""),
    a.seconds.toFixed(2),
    ...(withBytes ? [(a.status === "success" || a.status === "planned") && a.kind !== "assertion" ? bytes(a.bytesProcessed) : ""] : []),
  ]);
  const others = headers.slice(1).reduce((sum, h, i) => sum + 2 + Math.max(h.length, ...rows.map((r) => r[i + 1].length)), 0);
  const room = Math.max(24, TABLE_WIDTH - others);
  return formatTable(
    headers,
    rows.flatMap(([name, ...cells]) => wrap(name, room).map((part, i) => (i === 0 ? [part, ...cells] : [part]))),
  );
}

/** The name people see: without the default project; an assertion without its dataset. */
export function shortName(a: ActionResult, defaultDatabase: string | undefined): string {
  const name = defaultDatabase && a.name.startsWith(`${defaultDatabase}.`) ? a.name.slice(defaultDatabase.length + 1) : a.name;
  return a.kind === "assertion" ? name.split(".").pop()! : name;
}

/** `name` in pieces of at most `room` characters, cut after a `_` or `.` where there is one; later pieces indented. */
function wrap(name: string, room: number): string[] {
  const parts: string[] = [];
  let rest = name;
  let width = room;
  while (rest.length > width) {
    const cut = Math.max(rest.lastIndexOf("_", width - 1), rest.lastIndexOf(".", width - 1));
    const at = cut > 0 ? cut + 1 : width;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
    width = room - 2;
  }
  return [...parts, rest].map((p, i) => (i === 0 ? p : `  ${p}`));
}

export function failedAssertionDetails(actions: ActionResult[], defaultDatabase?: string): string[] {
  return actions
    .filter((a) => a.failingRows?.length)
    .map((a) => {
      const kept = a.failures && !a.failures.error ? ` (all ${a.failures.rows ?? "?"} kept in ${withoutDatabase(a.failures.table, defaultDatabase)})` : "";
      return `${shortName(a, defaultDatabase)} — first ${a.status === "warning" ? "rows it warns about" : "failing rows"}${kept}:\n${JSON.stringify(a.failingRows, null, 2)}`;
    });
}

/** One line per assertion whose failing rows could not be kept: the assertion's own outcome stands. */
export function failuresNotKept(actions: ActionResult[], defaultDatabase?: string): string[] {
  return actions
    .filter((a) => a.failures?.error)
    .map((a) => `${shortName(a, defaultDatabase)}: its failing rows were not kept in ${withoutDatabase(a.failures!.table, defaultDatabase)}: ${a.failures!.error}`);
}

function withoutDatabase(name: string, defaultDatabase: string | undefined): string {
  return defaultDatabase && name.startsWith(`${defaultDatabase}.`) ? name.slice(defaultDatabase.length + 1) : name;
}
