/** A finished run's record (run_results.json's shape) as a ledger row. */
import type { RunRecord } from "../run/results";
import type { Selection } from "../plan/select";
import type { LedgerAction, LedgerRun, RanOn, RunTrigger } from "./runs";

/** What a run's actions add up to: failed when any failed or was skipped (the CLI's exit code 1), else succeeded. */
export function outcome(summary: Record<string, number>): "succeeded" | "failed" {
  return (summary.failed ?? 0) > 0 || (summary.skipped ?? 0) > 0 ? "failed" : "succeeded";
}

/** A Dataform invocation's own end state, when it says more than its actions (cancelled, failed). */
function dataformStatus(record: RunRecord): "cancelled" | "failed" | undefined {
  const state = (record.dataform as { state?: string } | undefined)?.state;
  return state === "CANCELLED" ? "cancelled" : state === "FAILED" ? "failed" : undefined;
}

export function ledgerActions(record: Pick<RunRecord, "actions">): LedgerAction[] {
  return record.actions.map((a) => ({
    name: a.name,
    status: a.status,
    ...(a.rows !== undefined ? { rows: a.rows } : {}),
    seconds: Math.round(a.seconds * 1000) / 1000,
    ...(a.error ? { error: a.error.message } : {}),
  }));
}

/** The selection as the ledger shows it: only the fields given. */
export function selectionOf(selection: Selection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["tags", "actions", "includeDeps", "includeDependents"] as const) if (selection[key] !== undefined) out[key] = selection[key];
  return out;
}

export function fromRecord(record: RunRecord, context: { trigger: RunTrigger; correlationId?: string; selection: Selection }): LedgerRun {
  const asOf = (record.asOf as { day?: string } | undefined)?.day;
  const sync = record.sync;
  return {
    id: record.runId,
    trigger: context.trigger,
    correlationId: context.correlationId ?? record.runId,
    ranOn: (record.dataform ? "dataform" : record.warehouse) as RanOn,
    selection: selectionOf(context.selection),
    vars: record.options.vars ?? {},
    fullRefresh: Boolean(record.options.fullRefresh),
    ...(asOf ? { asOf } : {}),
    startedAt: record.startedAt,
    endedAt: record.finishedAt,
    status: dataformStatus(record) ?? outcome(record.summary),
    actions: ledgerActions(record),
    progress: { done: record.actions.length, total: record.actions.length },
    ...(sync !== undefined ? { sync } : {}),
  };
}
