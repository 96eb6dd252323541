/**
 * A Dataform service workflow invocation as a local run's results: the same RunRecord
 * (run_results.json) and ActionResult per action, so the summary table, --json and the product's
 * after-run steps read a service run as they read a local one. Pure.
 */
import { targetName } from "../compile/graph";
import type { RunRecord } from "../run/results";
import { summarise } from "../run/results";
import type { ActionResult, ActionStatus } from "../run/run";
import type { CompilationResultAction, WorkflowInvocation, WorkflowInvocationAction } from "./dataform-api";

/** A protobuf Timestamp as the client decodes it ({seconds, nanos}), or an RFC 3339 string: milliseconds. */
export function timeMs(t: unknown): number | undefined {
  if (!t) return undefined;
  if (typeof t === "string") return Number.isNaN(Date.parse(t)) ? undefined : Date.parse(t);
  const { seconds, nanos } = t as { seconds?: unknown; nanos?: unknown };
  if (seconds === undefined || seconds === null) return undefined;
  return Number(seconds) * 1000 + Math.round(Number(nanos ?? 0) / 1e6);
}

export const isoTime = (t: unknown) => {
  const ms = timeMs(t);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

const ACTION_STATUS: Record<string, ActionStatus> = {
  PENDING: "pending",
  RUNNING: "running",
  SKIPPED: "skipped",
  DISABLED: "disabled",
  SUCCEEDED: "success",
  CANCELLED: "cancelled",
  FAILED: "failed",
};

/** The service's action state (a name; a number when enums come as integers) as a run's status. */
export function actionStatus(state: unknown): ActionStatus {
  const names = ["PENDING", "RUNNING", "SKIPPED", "DISABLED", "SUCCEEDED", "CANCELLED", "FAILED"];
  const name = typeof state === "number" ? names[state] : String(state ?? "PENDING");
  return ACTION_STATUS[name] ?? "pending";
}

const INVOCATION_STATES = ["STATE_UNSPECIFIED", "RUNNING", "SUCCEEDED", "CANCELLED", "FAILED", "CANCELING"];
export const invocationState = (state: unknown): string => (typeof state === "number" ? INVOCATION_STATES[state] : String(state ?? "STATE_UNSPECIFIED"));
export const isTerminal = (state: unknown) => ["SUCCEEDED", "CANCELLED", "FAILED"].includes(invocationState(state));

/** The kind a local run gives an action (table, view, incremental, operation, assertion), from the compiled action. */
export function actionKind(a: CompilationResultAction | undefined): string {
  if (!a) return "action";
  if (a.assertion) return "assertion";
  if (a.operations) return "operation";
  if (a.declaration) return "declaration";
  if (a.relation) {
    const type = String(a.relation.relationType ?? "TABLE");
    return type === "INCREMENTAL_TABLE" || type === "3" ? "incremental" : type === "VIEW" || type === "MATERIALIZED_VIEW" || type === "2" || type === "4" ? "view" : "table";
  }
  if (a.notebook) return "notebook";
  if (a.dataPreparation) return "data preparation";
  return "action";
}

/** Compiled actions by target name, for kinds and files. */
export function compiledIndex(compiled: CompilationResultAction[]): Map<string, CompilationResultAction> {
  return new Map(compiled.filter((a) => a.target?.name).map((a) => [targetName({ database: a.target!.database || undefined, schema: a.target!.schema || undefined, name: a.target!.name! }), a]));
}

export function actionName(a: WorkflowInvocationAction): string {
  const t = a.target ?? {};
  return targetName({ database: t.database || undefined, schema: t.schema || undefined, name: t.name ?? "?" });
}

/** One action as a local run reports it; `now` gives a running action its seconds so far. */
export function actionResult(a: WorkflowInvocationAction, compiled: Map<string, CompilationResultAction>, now: number): ActionResult {
  const name = actionName(a);
  const c = compiled.get(name);
  const status = actionStatus(a.state);
  const start = timeMs(a.invocationTiming?.startTime);
  const end = timeMs(a.invocationTiming?.endTime) ?? (status === "running" ? now : undefined);
  const jobId = a.bigqueryAction?.jobId || a.dataPreparationAction?.jobId || a.notebookAction?.jobId || undefined;
  const result: ActionResult = { name, kind: actionKind(c), ...(c?.filePath ? { fileName: c.filePath } : {}), status, seconds: start !== undefined && end !== undefined ? Math.max(0, (end - start) / 1000) : 0, ...(jobId ? { jobId } : {}) };
  if (status === "failed") result.error = { code: "FAILED", message: a.failureReason || "the Dataform service gave no reason" };
  if (status === "skipped") result.error = { code: "SKIPPED", message: "skipped because a dependency did not succeed" };
  if (status === "cancelled") result.error = { code: "CANCELLED", message: "cancelled" };
  return result;
}

export interface InvocationContext {
  invocation: WorkflowInvocation;
  actions: WorkflowInvocationAction[];
  compiled: CompilationResultAction[];
  /** The compiled project's defaults (the release's overrides), to shorten names. */
  project: RunRecord["project"];
  options: RunRecord["options"];
  /** Where the compiled code came from: the release config, or a Git commitish. */
  source?: { releaseConfig?: string; gitCommitish?: string; resolvedGitCommitSha?: string };
  now?: number;
}

/** The invocation as run_results.json holds a run; `dataform` says which invocation it was. */
export function invocationRecord(c: InvocationContext): RunRecord {
  const now = c.now ?? Date.now();
  const index = compiledIndex(c.compiled);
  const actions = c.actions.map((a) => actionResult(a, index, now));
  const name = String(c.invocation.name ?? "");
  return {
    runId: name.slice(name.lastIndexOf("/") + 1),
    startedAt: isoTime(c.invocation.invocationTiming?.startTime) ?? new Date(now).toISOString(),
    finishedAt: isoTime(c.invocation.invocationTiming?.endTime) ?? "",
    warehouse: "bigquery",
    project: c.project,
    options: c.options,
    dataform: {
      invocation: name,
      state: invocationState(c.invocation.state),
      compilationResult: c.invocation.resolvedCompilationResult || c.invocation.compilationResult || undefined,
      ...(c.invocation.workflowConfig ? { workflowConfig: c.invocation.workflowConfig } : {}),
      ...c.source,
    },
    summary: summarise(actions),
    actions,
  };
}
