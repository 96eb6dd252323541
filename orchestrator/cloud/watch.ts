/**
 * Follows a workflow invocation until it ends: polls the invocation and its actions with backoff
 * (from `initialDelayMs`, ×1.5 after each poll that saw no change, capped at `maxDelayMs`, back to
 * the start after a change) and reports each action's state change as it happens. A cancel
 * request (the first Ctrl-C) asks the service to cancel and keeps following until the invocation
 * is CANCELLED; `stop` (the second) ends the wait at once.
 */
import { CloudError, ConfigError, InterruptedError } from "../errors";
import type { ActionResult, ActionStatus } from "../run/run";
import type { CompilationResultAction, DataformApi, WorkflowInvocation, WorkflowInvocationAction } from "./dataform-api";
import { actionResult, compiledIndex, invocationState, isTerminal } from "./invocation-record";

export interface PollDelays {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_POLL: PollDelays = { initialDelayMs: 2000, maxDelayMs: 30_000 };

/**
 * How often `cloud run`, `cloud status --wait` and the server's Dataform runs poll: from 2 s, growing to 30 s while nothing
 * changes. VWATCH_CLOUD_POLL_MS sets the first interval in milliseconds (the cap is 15 times
 * it), for tests and CI jobs that want quicker or gentler polling.
 */
export function pollDelays(env: NodeJS.ProcessEnv = process.env): PollDelays {
  const raw = env.VWATCH_CLOUD_POLL_MS?.trim();
  if (!raw) return { initialDelayMs: 2000, maxDelayMs: 30_000 };
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1) throw new ConfigError(`VWATCH_CLOUD_POLL_MS must be a whole number of milliseconds (1 or more), got "${raw}"`);
  return { initialDelayMs: Number(raw), maxDelayMs: Number(raw) * 15 };
}

/** What the person at the terminal (or CI) asks while the invocation runs. */
export interface Interrupts {
  /** Resolves on the first Ctrl-C: cancel the invocation. */
  cancel: Promise<void>;
  /** Rejects on the second Ctrl-C: stop waiting now. */
  stop: Promise<never>;
}

export interface WatchEvents {
  /** An action's state changed (not for actions still PENDING); done/total count ended actions. */
  onAction?(result: ActionResult, previous: ActionStatus | undefined, done: number, total: number): void;
  /** A poll saw a change: every action of the invocation (pending ones too) and how many ended. */
  onPoll?(results: ActionResult[], done: number, total: number): void;
  /** The invocation's own state changed (RUNNING → CANCELING …). */
  onState?(state: string): void;
  /** The service was asked to cancel (or the invocation had ended already). */
  onCancel?(accepted: boolean): void;
}

export interface Watched {
  invocation: WorkflowInvocation;
  actions: WorkflowInvocationAction[];
  cancelled: boolean;
}

const ENDED = new Set<ActionStatus>(["success", "failed", "skipped", "disabled", "cancelled"]);

export async function watchInvocation(api: DataformApi, name: string, compiled: CompilationResultAction[], delays: PollDelays, events: WatchEvents = {}, interrupts?: Interrupts): Promise<Watched> {
  const index = compiledIndex(compiled);
  const seen = new Map<string, ActionStatus>();
  let state = "";
  let cancelAsked = false;
  let cancelSent = false;
  interrupts?.cancel.then(() => void (cancelAsked = true));
  const stop = interrupts?.stop ?? new Promise<never>(() => {});
  stop.catch(() => {});
  const guard = <T>(p: Promise<T>) => Promise.race([p, stop]);
  let delay = delays.initialDelayMs;

  try {
    for (;;) {
      const invocation = await guard(api.getWorkflowInvocation(name));
      const actions = await guard(api.queryWorkflowInvocationActions(name));
      let changed = false;
      const now = Date.now();
      const results = actions.map((a) => actionResult(a, index, now));
      const done = () => results.filter((r) => ENDED.has(seen.get(r.name) ?? "pending")).length;
      // Ends before starts: an action's dependents start after it ended, and the counts read so.
      const ordered = [...results.filter((r) => ENDED.has(r.status)), ...results.filter((r) => !ENDED.has(r.status))];
      for (const r of ordered) {
        const previous = seen.get(r.name);
        if (previous === r.status || (previous === undefined && r.status === "pending")) continue;
        seen.set(r.name, r.status);
        changed = true;
        events.onAction?.(r, previous, done(), results.length);
      }
      const now_state = invocationState(invocation.state);
      if (now_state !== state) {
        if (state) events.onState?.(now_state);
        state = now_state;
        changed = true;
      }
      if (changed) events.onPoll?.(results, done(), results.length);
      if (isTerminal(invocation.state)) return { invocation, actions, cancelled: now_state === "CANCELLED" };
      if (cancelAsked && !cancelSent) {
        cancelSent = true;
        try {
          await guard(api.cancelWorkflowInvocation(name));
          events.onCancel?.(true);
        } catch (e) {
          // Ended between the poll and the cancel: the next poll shows how.
          if (!(e instanceof CloudError && e.reason === "FAILED_PRECONDITION")) throw e;
          events.onCancel?.(false);
        }
        delay = delays.initialDelayMs;
        continue;
      }
      delay = changed ? delays.initialDelayMs : Math.min(delays.maxDelayMs, Math.round(delay * 1.5));
      await guard(sleepUntil(delay, cancelAsked ? undefined : interrupts?.cancel));
    }
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    if (e instanceof CloudError) throw new CloudError(e.reason, `${e.message}; the invocation ${name} goes on without vwatch watching it: \`vwatch cloud status ${name.slice(name.lastIndexOf("/") + 1)}\` shows it`, { cause: e });
    throw e;
  }
}

/** Waits `ms`, or less when `wake` resolves first (a Ctrl-C is answered at once, not after the wait). */
function sleepUntil(ms: number, wake?: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([slept, ...(wake ? [wake] : [])]).finally(() => clearTimeout(timer));
}
