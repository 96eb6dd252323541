/**
 * Runs one phase of one run, at most once per run however often and in whatever order its trigger
 * is delivered: the execution is claimed in PostgreSQL first (store.ts claim), the work done, and
 * its completion event recorded. A transient fault leaves the phase to the next delivery.
 */
import { log } from "../log";
import type { Session } from "../run/session";
import type { Phase, PhaseEvent } from "./event";
import { DEFAULT_WORK, type PhaseWork } from "./phases";
import { claim, ensureEventTables, finish, getExecution, markRetrying, type Execution } from "./store";
import { isTransient } from "./transient";

export interface RunPhaseOptions {
  /** The delivery running it (its messageId): a redelivery of the same message may take over its earlier attempt. */
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
  const pg = await session.postgres();
  await ensureEventTables(pg);
  const { runId, correlationId, asOf } = trigger;
  const attempt = await claim(pg, { runId, phase, correlationId, asOf, messageId: options.messageId });
  if (attempt === undefined) return { kind: "taken", execution: await getExecution(pg, runId, phase) };
  log.info(eventLine(trigger, phase, `attempt ${attempt} started`));
  const work = options.work?.[phase] ?? DEFAULT_WORK[phase];
  let outcome;
  try {
    outcome = await work(session, { runId, asOf });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (isTransient(e)) {
      log.warn(eventLine(trigger, phase, `attempt ${attempt} failed, to be retried: ${error.message}`));
      // PostgreSQL may be the fault: the claim then stays 'running', and this message's redelivery takes it over.
      const again = await session.postgres().catch(() => undefined);
      if (again) await markRetrying(again, runId, phase, error.message).catch(() => undefined);
      return { kind: "transient", attempt, error };
    }
    outcome = { status: "failed" as const, counts: {}, error: error.message };
  }
  const completion: PhaseEvent = { phase, runId, correlationId, asOf, status: outcome.status, counts: outcome.counts };
  await finish(await session.postgres(), completion, outcome.error);
  log.info(eventLine(trigger, phase, `${outcome.status}${outcome.error ? `: ${outcome.error}` : ""} ${JSON.stringify(outcome.counts)}`));
  return { kind: "ran", completion, attempt };
}
