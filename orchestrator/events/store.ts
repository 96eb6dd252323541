/**
 * What the push handler remembers in PostgreSQL (migration 0005_events.sql): the deliveries it
 * acknowledged, each phase's execution per run, and the dead letters. Every statement is one
 * atomic step, so concurrent deliveries of the same run cannot both run a phase.
 */
import type { PgSink } from "../postgres/connect";
import { migrate } from "../sink/migrate";
import type { Phase, PhaseEvent, PhaseStatus } from "./event";

export type ExecutionStatus = "running" | "retrying" | PhaseStatus;

export interface Execution {
  runId: string;
  phase: Phase;
  correlationId: string;
  asOf: string | null;
  status: ExecutionStatus;
  attempts: number;
  claimedBy: string | null;
  counts: Record<string, number>;
  error: string | null;
  completion: PhaseEvent | null;
  publishedAt: string | null;
}

const COLUMNS = `run_id as "runId", phase, correlation_id as "correlationId", to_char(as_of, 'YYYY-MM-DD') as "asOf", status, attempts,
  claimed_by as "claimedBy", counts, error, completion, published_at::text as "publishedAt"`;

const migrated = new WeakMap<PgSink, Promise<unknown>>();

/** The migrations applied, once per connection (concurrent deliveries wait for the same one). */
export async function ensureEventTables(pg: PgSink): Promise<void> {
  let done = migrated.get(pg);
  if (!done) {
    done = migrate(pg);
    done.catch(() => migrated.delete(pg));
    migrated.set(pg, done);
  }
  await done;
}

export async function wasDelivered(pg: PgSink, messageId: string): Promise<boolean> {
  return (await pg.execute("select 1 from vwatch_event_deliveries where message_id = $1", [messageId])).rowCount > 0;
}

export async function recordDelivery(
  pg: PgSink,
  d: { messageId: string; subscription?: string; runId?: string; phase?: string; outcome: string },
): Promise<void> {
  await pg.execute(
    `insert into vwatch_event_deliveries (message_id, subscription, run_id, phase, outcome) values ($1, $2, $3, $4, $5)
     on conflict (message_id) do nothing`,
    [d.messageId, d.subscription ?? null, d.runId ?? null, d.phase ?? null, d.outcome],
  );
}

export async function getExecution(pg: PgSink, runId: string, phase: Phase): Promise<Execution | undefined> {
  const { rows } = await pg.execute<Execution>(`select ${COLUMNS} from vwatch_phase_executions where run_id = $1 and phase = $2`, [runId, phase]);
  return rows[0];
}

export async function executionsOf(pg: PgSink, runId: string): Promise<Execution[]> {
  const { rows } = await pg.execute<Execution>(
    `select ${COLUMNS} from vwatch_phase_executions where run_id = $1 order by array_position(array['transform','sync','check'], phase)`,
    [runId],
  );
  return rows;
}

/** A phase that ran elsewhere (a CLI run, the Dataform service), recorded from its completion event; an existing record wins. */
export async function recordCompleted(pg: PgSink, event: PhaseEvent, messageId: string): Promise<void> {
  await pg.execute(
    `insert into vwatch_phase_executions (run_id, phase, correlation_id, as_of, status, attempts, claimed_by, counts, completion, published_at, finished_at)
     values ($1, $2, $3, $4, $5, 1, $6, $7, $8, now(), now())
     on conflict (run_id, phase) do nothing`,
    [event.runId, event.phase, event.correlationId, event.asOf, event.status, messageId, JSON.stringify(event.counts), JSON.stringify(event)],
  );
}

/** The advisory lock a delivery holds while it runs a phase: a claim is alive exactly as long as its lock. */
const lockKey = `hashtextextended('vwatch-phase:' || $1 || '/' || $2, 0)`;

/** Takes the phase's lock for this connection; false when another PostgreSQL session (another process) holds it. */
export async function tryLock(pg: PgSink, runId: string, phase: Phase): Promise<boolean> {
  const { rows } = await pg.execute<{ ok: boolean }>(`select pg_try_advisory_lock(${lockKey}) as ok`, [runId, phase]);
  return rows[0]?.ok === true;
}

export async function unlock(pg: PgSink, runId: string, phase: Phase): Promise<void> {
  await pg.execute(`select pg_advisory_unlock(${lockKey})`, [runId, phase]);
}

/**
 * Takes the phase of a run for this delivery, its lock held (tryLock): a new execution, one whose
 * last attempt failed transiently, or one left 'running' by a claimer that is gone (its lock was
 * free). Returns the attempt number, or undefined when the phase has ended.
 */
export async function claim(pg: PgSink, c: { runId: string; phase: Phase; correlationId: string; asOf: string | null; messageId: string }): Promise<number | undefined> {
  const { rows } = await pg.execute<{ attempts: number }>(
    `insert into vwatch_phase_executions as e (run_id, phase, correlation_id, as_of, status, attempts, claimed_by)
     values ($1, $2, $3, $4, 'running', 1, $5)
     on conflict (run_id, phase) do update set status = 'running', attempts = e.attempts + 1, claimed_by = excluded.claimed_by, started_at = now(), error = null
     where e.status in ('running', 'retrying')
     returning attempts`,
    [c.runId, c.phase, c.correlationId, c.asOf, c.messageId],
  );
  return rows[0]?.attempts;
}

/** The phase ended (succeeded, failed): its counts and completion event, not yet published. */
export async function finish(pg: PgSink, completion: PhaseEvent, error?: string): Promise<void> {
  await pg.execute(
    `update vwatch_phase_executions set status = $3, counts = $4, completion = $5, error = $6, as_of = coalesce(as_of, $7::date), finished_at = now()
     where run_id = $1 and phase = $2`,
    [completion.runId, completion.phase, completion.status, JSON.stringify(completion.counts), JSON.stringify(completion), error ?? null, completion.asOf],
  );
}

/** The attempt failed transiently: the next delivery may take the phase again. */
export async function markRetrying(pg: PgSink, runId: string, phase: Phase, error: string): Promise<void> {
  await pg.execute(`update vwatch_phase_executions set status = 'retrying', error = $3 where run_id = $1 and phase = $2 and status = 'running'`, [runId, phase, error]);
}

export async function markPublished(pg: PgSink, runId: string, phase: Phase): Promise<void> {
  await pg.execute(`update vwatch_phase_executions set published_at = now() where run_id = $1 and phase = $2`, [runId, phase]);
}

/** Later phases that will not run because an earlier one did not succeed; existing records stay. */
export async function recordSkipped(pg: PgSink, s: { runId: string; phases: Phase[]; correlationId: string; asOf: string | null; because: string }): Promise<void> {
  for (const phase of s.phases) {
    await pg.execute(
      `insert into vwatch_phase_executions (run_id, phase, correlation_id, as_of, status, error, finished_at)
       values ($1, $2, $3, $4, 'skipped', $5, now())
       on conflict (run_id, phase) do nothing`,
      [s.runId, phase, s.correlationId, s.asOf, s.because],
    );
  }
}

export interface DeadLetter {
  messageId?: string;
  subscription?: string;
  runId?: string;
  phase?: string;
  correlationId?: string;
  reason: "malformed" | "attempts_exhausted";
  error: string;
  deliveryAttempt?: number;
  payload?: string;
}

export async function recordDeadLetter(pg: PgSink, d: DeadLetter): Promise<void> {
  await pg.execute(
    `insert into vwatch_dead_letters (message_id, subscription, run_id, phase, correlation_id, reason, error, delivery_attempt, payload)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [d.messageId ?? null, d.subscription ?? null, d.runId ?? null, d.phase ?? null, d.correlationId ?? null, d.reason, d.error, d.deliveryAttempt ?? null, d.payload?.slice(0, 10_000) ?? null],
  );
}

/** Dead letters recorded, newest first (for /health/detailed and `vwatch runs`). */
export async function deadLetters(pg: PgSink, limit = 100): Promise<(DeadLetter & { createdAt: string })[]> {
  const { rows } = await pg.execute<DeadLetter & { createdAt: string }>(
    `select message_id as "messageId", subscription, run_id as "runId", phase, correlation_id as "correlationId", reason, error,
       delivery_attempt as "deliveryAttempt", payload, created_at::text as "createdAt"
     from vwatch_dead_letters order by id desc limit $1`,
    [limit],
  );
  return rows;
}
