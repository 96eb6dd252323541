/**
 * What the chain's ledger says for `/health/detailed` and `vwatch runs`: dead letters waiting
 * (recorded since a time, newest first), phases running or waiting for a retry, and each run's
 * phases with their status.
 */
import type { Session } from "../run/session";
import type { Phase } from "./event";
import { ledger } from "./ledger";
import { deadLetters, type DeadLetter, type ExecutionStatus } from "./store";

export interface EventsHealth {
  deadLetters: { count: number; newest: (DeadLetter & { createdAt: string }) | null };
  running: number;
  retrying: number;
}

/** Dead letters recorded since `since` (default: the last 7 days), and phases not yet ended. */
export async function eventsHealth(session: Session, since = new Date(Date.now() - 7 * 86_400_000)): Promise<EventsHealth> {
  const pg = await ledger(session);
  const { rows } = await pg.execute<{ dead: number; running: number; retrying: number }>(
    `select (select count(*)::int from vwatch_dead_letters where created_at >= $1) as dead,
            (select count(*)::int from vwatch_phase_executions where status = 'running') as running,
            (select count(*)::int from vwatch_phase_executions where status = 'retrying') as retrying`,
    [since.toISOString()],
  );
  const [newest] = rows[0].dead > 0 ? await deadLetters(pg, 1) : [];
  return { deadLetters: { count: rows[0].dead, newest: newest ?? null }, running: rows[0].running, retrying: rows[0].retrying };
}

/** Each run's phases (runs given, or all), for a runs listing: {runId: {phase: status}}. */
export async function phasesOfRuns(session: Session, runIds: string[]): Promise<Record<string, Partial<Record<Phase, { status: ExecutionStatus; attempts: number; error: string | null }>>>> {
  const pg = await ledger(session);
  const { rows } = await pg.execute<{ runId: string; phase: Phase; status: ExecutionStatus; attempts: number; error: string | null }>(
    `select run_id as "runId", phase, status, attempts, error from vwatch_phase_executions where run_id = any($1::text[])`,
    [runIds],
  );
  const out: Record<string, Partial<Record<Phase, { status: ExecutionStatus; attempts: number; error: string | null }>>> = {};
  for (const r of rows) (out[r.runId] ??= {})[r.phase] = { status: r.status, attempts: r.attempts, error: r.error };
  return out;
}
