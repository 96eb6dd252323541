/** A node's last-run status as the diagram colours it, from a run's action status or the ledger's. */
import type { LedgerRun } from "../ledger/runs";

export type NodeStatus = "succeeded" | "failed" | "skipped" | "warning" | "not run";
export const NODE_STATUSES: NodeStatus[] = ["succeeded", "failed", "skipped", "warning", "not run"];

/** An action status (run results: success, failed, skipped, disabled, warning, cancelled, …) as one of the diagram's five. */
export function nodeStatus(status: string | undefined): NodeStatus {
  switch (status) {
    case "success":
    case "succeeded":
      return "succeeded";
    case "failed":
    case "cancelled":
    case "interrupted":
      return "failed";
    case "skipped":
    case "disabled":
      return "skipped";
    case "warning":
      return "warning";
    default:
      return "not run";
  }
}

/** Each action's status in the newest run (of `runs`, newest first, as listRuns returns them) that ran it. */
export function lastStatuses(runs: Pick<LedgerRun, "actions">[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const run of runs) for (const a of run.actions) if (!out.has(a.name) && a.status !== "planned") out.set(a.name, a.status);
  return out;
}
