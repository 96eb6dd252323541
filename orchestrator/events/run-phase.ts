/**
 * Runs one phase of one run, at most once per run however often and in whatever order its trigger
 * is delivered: the execution is claimed in PostgreSQL first (store.ts claim, under an advisory lock
 * that lives exactly as long as the claimer's connection), the work done, and its completion event
 * recorded. A transient fault leaves the phase to the next delivery.
 */
import { log } from "../log";
import type { Session } from "../run/session";
import type { Phase, PhaseEvent } from "./event";
import { DEFAULT_WORK, type PhaseOutcome, type PhaseWork } from "./phases";
import { ledger, oneAtATime } from "./ledger";
import { claim, finish, getExecution, markRetrying, tryLock, unlock, type Execution } from "./store";
import { isTransient } from "./transient";

export interface RunPhaseOptions {
  /** The delivery running it (its messageId, recorded as the claimer). */
  messageId: string;
  /** The phases' work; default phases.ts. */
  work?: Partial<Record<Phase, PhaseWork>>;
}

export type RunPhaseResult =
  /** The phase ran (this attempt) and ended: its completion event, recorded, not yet published. */
  | { kind: "ran"; completion: PhaseEvent; attempt: number }
  /** Another delivery runs it, or it ended before: nothing done. */
  | { kind: "taken"; execution: Execution | undefined }
  /** The attempt met a fault that may pass; the phase is left for the next delivery. */
  | { kind: "transient"; attempt: number; error: Error };

/** One log line with the run, the phase and the correlation id. */
export function eventLine(e: { runId: string; correlationId: string }, phase: Phase, text: string): string {
  return `events: run ${e.runId} ${phase}: ${text} (correlation ${e.correlationId})`;
}

/**
 * Runs `phase` for the run the trigger names (its runId, correlationId and asOf carried into the
 * completion event). Failures of PostgreSQL itself are thrown (the caller answers 503).
 */
export async function runPhase(session: Session, phase: Phase, trigger: Pick<PhaseEvent, "runId" | "correlationId" | "asOf">, options: RunPhaseOptions): Promise<RunPhaseResult> {
  const pg = await ledger(session);
  const { runId, correlationId, asOf } = trigger;
  const key = `${runId}/${phase}`;
  // One process: deliveries share the session's connection, on which advisory locks are re-entrant.
  if (active.has(key)) return { kind: "taken", execution: await getExecution(pg, runId, phase) };
  active.add(key);
  try {
    if (!(await tryLock(pg, runId, phase))) return { kind: "taken", execution: await getExecution(pg, runId, phase) };
    try {
      const attempt = await claim(pg, { runId, phase, correlationId, asOf, messageId: options.messageId });
      if (attempt === undefined) return { kind: "taken", execution: await getExecution(pg, runId, phase) };
      // Every line the phase's work logs carries the run's correlation id (a field of the server's JSON logs).
      return await oneAtATime(() => log.withFields({ correlationId, runId, phase }, () => attemptPhase(session, phase, trigger, attempt, options)));
    } finally {
      // On a lost connection the server released the lock already.
      await unlock(pg, runId, phase).catch(() => undefined);
    }
  } finally {
    active.delete(key);
  }
}

/** Runs phases of this process now ("run/phase"). */
const active = new Set<string>();

async function attemptPhase(session: Session, phase: Phase, trigger: Pick<PhaseEvent, "runId" | "correlationId" | "asOf">, attempt: number, options: RunPhaseOptions): Promise<RunPhaseResult> {
  const { runId, correlationId, asOf } = trigger;
  log.info(eventLine(trigger, phase, `attempt ${attempt} started`));
  const work = options.work?.[phase] ?? DEFAULT_WORK[phase];
  let outcome: PhaseOutcome;
  try {
    outcome = await work(session, { runId, asOf });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (isTransient(e)) {
      log.warn(eventLine(trigger, phase, `attempt ${attempt} failed, to be retried: ${error.message}`));
      // PostgreSQL may be the fault: the claim then stays 'running' with its lock gone, and the next delivery takes it.
      const again = await ledger(session).catch(() => undefined);
      if (again) await markRetrying(again, runId, phase, error.message).catch(() => undefined);
      return { kind: "transient", attempt, error };
    }
    outcome = { status: "failed" as const, counts: {}, error: error.message };
  }
  const completion: PhaseEvent = { phase, runId, correlationId, asOf: asOf ?? outcome.asOf ?? null, status: outcome.status, counts: outcome.counts };
  await finish(await ledger(session), completion, outcome.error);
  log.info(eventLine(trigger, phase, `${outcome.status}${outcome.error ? `: ${outcome.error}` : ""} ${JSON.stringify(outcome.counts)}`));
  return { kind: "ran", completion, attempt };
}
