/** How a Dataform service invocation is shown to people: progress lines, its summary, the runs list. Pure. */
import { formatTable } from "../log";
import type { RunRecord } from "../run/results";
import type { ActionResult, ActionStatus } from "../run/run";
import { shortName, summaryTable } from "../run/summary";
import type { RecentRun } from "./recent-runs";

/** A progress line as a local run prints one (`[3/12] success  name (table, 4.20s)`), for a start too. */
export function progressLine(r: ActionResult, done: number, total: number): string {
  if (r.status === "running") return `[${done}/${total}] running  ${r.name} (${r.kind})`;
  const detail = r.status === "failed" ? r.error?.message : undefined;
  return `[${done}/${total}] ${r.status.padEnd(8)} ${r.name} (${r.kind}, ${r.seconds.toFixed(2)}s)${detail ? `\n      ${detail}` : ""}`;
}

/** The table; a bytes column only when some job said its bytes. */
export function invocationTable(record: RunRecord): string {
  const withBytes = record.actions.some((a) => a.bytesProcessed !== undefined);
  return summaryTable(record.actions, withBytes ? "bigquery" : "dataform", record.project.defaultDatabase);
}

const COUNTED: [ActionStatus, string][] = [
  ["success", "succeeded"],
  ["failed", "failed"],
  ["skipped", "skipped"],
  ["cancelled", "cancelled"],
  ["disabled", "disabled"],
  ["running", "running"],
  ["pending", "pending"],
];

/** `12 succeeded, 1 failed, 3 skipped` (and cancelled, disabled, running, pending when there are some). */
export function countsLine(record: RunRecord): string {
  const s = record.summary;
  return COUNTED.filter(([k]) => ["success", "failed", "skipped"].includes(k) || (s[k] ?? 0) > 0)
    .map(([k, word]) => `${s[k] ?? 0} ${word}`)
    .join(", ");
}

/** The lines after the table: each failed action with the service's reason. */
export function failureLines(record: RunRecord): string[] {
  return record.actions.filter((a) => a.status === "failed").map((a) => `failed: ${shortName(a, record.project.defaultDatabase)}: ${a.error?.message ?? "(no message)"}`);
}

/** The head of `cloud status`: the invocation, its state and timing. */
export function statusHead(record: RunRecord): string[] {
  const d = record.dataform as { invocation: string; state: string; compilationResult?: string; workflowConfig?: string };
  const seconds = record.finishedAt ? (Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000 : undefined;
  return [
    `invocation ${d.invocation}`,
    `  state     ${d.state}`,
    `  started   ${record.startedAt}`,
    `  finished  ${record.finishedAt ? `${record.finishedAt} (${duration(seconds!)})` : "-"}`,
    `  trigger   ${d.workflowConfig ? `workflow config ${d.workflowConfig.slice(d.workflowConfig.lastIndexOf("/") + 1)}` : "manual"}`,
    ...(d.compilationResult ? [`  compiled  ${d.compilationResult}`] : []),
  ];
}

export function runsTable(runs: RecentRun[]): string {
  return formatTable(
    ["invocation", "state", "trigger", "started", "took"],
    runs.map((r) => [r.id, r.state, r.trigger, r.startTime?.replace(/\.\d+Z$/, "Z") ?? "", r.seconds !== undefined ? duration(r.seconds) : r.error ? r.error.slice(0, 60) : ""]),
  );
}

/** "42 s", "3 min 5 s", "2 h 10 min". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
