/**
 * A fake workflow invocation: the actions its invocation config selects from a compilation result,
 * moving PENDING → RUNNING → SUCCEEDED / FAILED (SKIPPED after a failed dependency) one step per
 * poll, the invocation RUNNING → SUCCEEDED / FAILED, or CANCELING → CANCELLED when cancelled.
 * A test scripts failures by action name.
 */
import { sameTarget, targetKey, type FakeAction, type FakeTarget } from "./actions";

export interface InvocationConfig {
  includedTargets?: FakeTarget[];
  includedTags?: string[];
  transitiveDependenciesIncluded?: boolean;
  transitiveDependentsIncluded?: boolean;
  fullyRefreshIncrementalTablesEnabled?: boolean;
  serviceAccount?: string;
}

export interface InvocationScript {
  /** Actions (by name or database.schema.name) that fail, with the failure reason the service reports. */
  fail?: Record<string, string>;
  /**
   * How many polls each step takes (default 1): actions that take a while, as real ones do. A
   * cancelled invocation still stops at the next poll.
   */
  pollsPerStep?: number;
  /** Told each BigQuery job the service starts (say, to run it on a BigQuery fake, whose jobs.get then answers for it). */
  onJobStart?(jobId: string, sql: string): void;
}

const INVOCATION_STATE = ["STATE_UNSPECIFIED", "RUNNING", "SUCCEEDED", "CANCELLED", "FAILED", "CANCELING"];
const ACTION_STATE = ["PENDING", "RUNNING", "SKIPPED", "DISABLED", "SUCCEEDED", "CANCELLED", "FAILED"];
type ActionState = "PENDING" | "RUNNING" | "SKIPPED" | "DISABLED" | "SUCCEEDED" | "CANCELLED" | "FAILED";
const TERMINAL = new Set(["SKIPPED", "DISABLED", "SUCCEEDED", "CANCELLED", "FAILED"]);

/** The actions an invocation config selects, in the compilation result's order; declarations never run. */
export function selectActions(all: FakeAction[], config: InvocationConfig = {}): FakeAction[] {
  const runnable = all.filter((a) => a.kind !== "declaration");
  const targets = config.includedTargets ?? [];
  const tags = config.includedTags ?? [];
  if (!targets.length && !tags.length) return runnable;
  const matches = (a: FakeAction, t: FakeTarget) => a.target.name === t.name && (!t.schema || t.schema === a.target.schema) && (!t.database || t.database === a.target.database);
  const chosen = new Set(runnable.filter((a) => targets.some((t) => matches(a, t)) || (a.tags ?? []).some((t) => tags.includes(t))));
  const grow = (next: (a: FakeAction) => FakeAction[]) => {
    const queue = [...chosen];
    while (queue.length) for (const b of next(queue.pop()!)) if (!chosen.has(b)) (chosen.add(b), queue.push(b));
  };
  if (config.transitiveDependenciesIncluded) grow((a) => runnable.filter((b) => (a.dependencies ?? []).some((d) => sameTarget(d, b.target))));
  if (config.transitiveDependentsIncluded) grow((a) => runnable.filter((b) => (b.dependencies ?? []).some((d) => sameTarget(d, a.target))));
  return runnable.filter((a) => chosen.has(a));
}

interface ActionRun {
  action: FakeAction;
  state: ActionState;
  failureReason?: string;
  jobId?: string;
  startTime?: string;
  endTime?: string;
}

export class FakeInvocation {
  state: "RUNNING" | "SUCCEEDED" | "CANCELLED" | "FAILED" | "CANCELING" = "RUNNING";
  readonly startTime = new Date().toISOString();
  endTime?: string;
  readonly runs: ActionRun[];
  private polls = 0;

  constructor(
    readonly name: string,
    readonly source: { compilationResult?: string; workflowConfig?: string },
    readonly resolvedCompilationResult: string,
    readonly invocationConfig: InvocationConfig | undefined,
    actions: FakeAction[],
    private readonly script: InvocationScript = {},
  ) {
    this.runs = selectActions(actions, invocationConfig).map((action) => ({ action, state: "PENDING" }));
    if (!this.runs.length) this.finish();
  }

  get terminal(): boolean {
    return ["SUCCEEDED", "CANCELLED", "FAILED"].includes(this.state);
  }

  /** One step: running actions end, actions whose dependencies ended start (or are skipped). */
  advance(): void {
    if (this.terminal) return;
    if (this.state !== "CANCELING" && ++this.polls % (this.script.pollsPerStep ?? 1) !== 0) return;
    const now = () => new Date().toISOString();
    for (const run of this.runs.filter((r) => r.state === "RUNNING")) {
      const reason = this.script.fail?.[run.action.target.name] ?? this.script.fail?.[targetKey(run.action.target)];
      run.state = this.state === "CANCELING" ? "CANCELLED" : reason ? "FAILED" : "SUCCEEDED";
      if (reason && run.state === "FAILED") run.failureReason = reason;
      run.endTime = now();
    }
    if (this.state !== "CANCELING") {
      const started = new Set<ActionRun>();
      for (const run of this.runs.filter((r) => r.state === "PENDING")) {
        const deps = this.runs.filter((d) => (run.action.dependencies ?? []).some((t) => sameTarget(t, d.action.target)));
        if (!deps.every((d) => TERMINAL.has(d.state) && !started.has(d))) continue;
        if (run.action.disabled) run.state = "DISABLED";
        else if (deps.some((d) => !["SUCCEEDED", "DISABLED"].includes(d.state))) run.state = "SKIPPED";
        else {
          run.state = "RUNNING";
          run.startTime = now();
          run.jobId = `dataform_${this.name.split("/").pop()}_${this.runs.indexOf(run)}`;
          this.script.onJobStart?.(run.jobId, run.action.sql ?? "");
          started.add(run);
        }
      }
    }
    if (this.runs.every((r) => TERMINAL.has(r.state))) this.finish();
  }

  cancel(): void {
    for (const run of this.runs.filter((r) => r.state === "PENDING")) run.state = "CANCELLED";
    if (this.runs.some((r) => r.state === "RUNNING")) this.state = "CANCELING";
    else this.finish(true);
  }

  private finish(cancelled = this.state === "CANCELING"): void {
    this.state = cancelled ? "CANCELLED" : this.runs.some((r) => r.state === "FAILED" || r.state === "SKIPPED") ? "FAILED" : "SUCCEEDED";
    this.endTime = new Date().toISOString();
  }

  toJson(intEnums: boolean): Record<string, unknown> {
    return {
      name: this.name,
      ...this.source,
      invocationConfig: this.invocationConfig,
      state: intEnums ? INVOCATION_STATE.indexOf(this.state) : this.state,
      invocationTiming: { startTime: this.startTime, ...(this.endTime ? { endTime: this.endTime } : {}) },
      resolvedCompilationResult: this.resolvedCompilationResult,
    };
  }

  actionsJson(intEnums: boolean): Record<string, unknown>[] {
    return this.runs.map((r) => ({
      target: r.action.target,
      canonicalTarget: r.action.target,
      state: intEnums ? ACTION_STATE.indexOf(r.state) : r.state,
      ...(r.failureReason ? { failureReason: r.failureReason } : {}),
      ...(r.startTime ? { invocationTiming: { startTime: r.startTime, ...(r.endTime ? { endTime: r.endTime } : {}) } } : {}),
      bigqueryAction: { sqlScript: r.action.sql ?? "", ...(r.jobId ? { jobId: r.jobId } : {}) },
    }));
  }
}
