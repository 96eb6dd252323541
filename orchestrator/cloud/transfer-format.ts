/** How runs of scheduled queries are shown to people (`vwatch cloud runs --transfers`). Pure. */
import { formatTable } from "../log";
import { lastSegment } from "./names";
import type { RecentTransferRun } from "./transfer-runs";

const short = (t: string | undefined) => t?.replace(/\.\d+Z$/, "Z") ?? "";

/** One row per run, newest first: the scheduled query, the run's id, state, times and error. */
export function transferRunsTable(runs: RecentTransferRun[]): string {
  return formatTable(
    ["scheduled query", "run", "state", "run time", "started", "ended", "error"],
    runs.map((r) => [r.query, lastSegment(r.name), r.state, short(r.runTime), short(r.startTime), short(r.endTime), r.error ? r.error.slice(0, 80) : ""]),
  );
}
