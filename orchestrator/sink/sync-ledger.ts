import type { PgSink } from "../postgres/connect";

/**
 * The sync ledger (vwatch_sync_ledger, migrations 0002 and 0003): one row per sync. A sync first
 * takes a session-level advisory lock derived from its run id, then records itself 'running' in
 * its own committed statement (before it reads the warehouse); it completes the row inside its
 * transaction ('succeeded') or after a rollback ('failed'). A row still 'running' whose lock can
 * be taken belongs to a session that is gone (killed, cut off): the next sync marks it 'abandoned'.
 */
export interface LedgerCounts {
  rowsRead: number;
  inserted: number;
  alreadyPresent: number;
}

/** The advisory lock key of a run, as SQL over the parameter $1 (the run id). */
const RUN_LOCK = "hashtextextended('vwatch-sync:' || $1, 0)";
export const ABANDONED_ERROR = "abandoned: its session ended (process killed or connection lost) before it finished; it wrote nothing";

export async function recordStarted(pg: PgSink, runId: string, since: string | null): Promise<void> {
  // The lock first: a row is never 'running' without its lock held.
  await pg.execute(`select pg_advisory_lock(${RUN_LOCK})`, [runId]);
  await pg.execute(
    "insert into vwatch_sync_ledger (run_id, started_at, since, status, backend_pid) values ($1, now(), $2, 'running', pg_backend_pid())",
    [runId, since],
  );
}

/** Inside the sync's transaction, so the ledger says succeeded exactly when the rows are there. */
export async function recordSucceeded(pg: PgSink, runId: string, since: string | null, counts: LedgerCounts): Promise<void> {
  await pg.execute(
    `update vwatch_sync_ledger
     set finished_at = clock_timestamp(), since = $2, rows_read = $3, inserted = $4, already_present = $5, status = 'succeeded', error = null
     where run_id = $1`,
    [runId, since, counts.rowsRead, counts.inserted, counts.alreadyPresent],
  );
}

/** After the rollback, outside any transaction. */
export async function recordFailed(pg: PgSink, runId: string, since: string | null, error: string, rowsRead?: number): Promise<void> {
  await pg.execute(
    `insert into vwatch_sync_ledger (run_id, started_at, finished_at, since, rows_read, inserted, already_present, status, error)
     values ($1, now(), clock_timestamp(), $2, $3, 0, null, 'failed', $4)
     on conflict (run_id) do update
     set finished_at = excluded.finished_at, rows_read = excluded.rows_read, inserted = 0, status = 'failed', error = excluded.error`,
    [runId, since, rowsRead ?? null, error],
  );
}

/** Lets go of the run's lock (closing the connection does too). */
export async function releaseRun(pg: PgSink, runId: string): Promise<void> {
  await pg.execute(`select pg_advisory_unlock(${RUN_LOCK})`, [runId]);
}

/** Whether the run's session is gone: its lock can be taken (and is let go at once). */
export async function runIsDead(pg: PgSink, runId: string): Promise<boolean> {
  const got = (await pg.execute<{ got: boolean }>(`select pg_try_advisory_lock(${RUN_LOCK}) as got`, [runId])).rows[0].got;
  if (got) await releaseRun(pg, runId);
  return got;
}

/** Marks 'running' rows of dead sessions 'abandoned'; returns their run ids. */
export async function markAbandoned(pg: PgSink, ownRunId: string): Promise<string[]> {
  const running = await pg.execute<{ run_id: string }>("select run_id from vwatch_sync_ledger where status = 'running' and run_id <> $1 order by started_at", [ownRunId]);
  const marked: string[] = [];
  for (const { run_id } of running.rows) {
    const got = (await pg.execute<{ got: boolean }>(`select pg_try_advisory_lock(${RUN_LOCK}) as got`, [run_id])).rows[0].got;
    if (!got) continue; // alive
    try {
      const updated = await pg.execute(
        "update vwatch_sync_ledger set status = 'abandoned', finished_at = clock_timestamp(), error = $2 where run_id = $1 and status = 'running'",
        [run_id, ABANDONED_ERROR],
      );
      if (updated.rowCount) marked.push(run_id);
    } finally {
      await releaseRun(pg, run_id);
    }
  }
  return marked;
}
