import type { PgSink } from "./connect";

/**
 * The sync ledger (vwatch_sync_ledger, created by migration 0002): a row is written as
 * 'running' before a sync's transaction, completed inside it, and marked 'failed' after a
 * rollback. A row still 'running' belongs to a sync that was killed.
 */
export interface LedgerCounts {
  rowsRead: number;
  inserted: number;
  alreadyPresent: number;
}

export async function recordStarted(pg: PgSink, runId: string, since: string | null): Promise<void> {
  await pg.execute("insert into vwatch_sync_ledger (run_id, started_at, since, status) values ($1, now(), $2, 'running')", [runId, since]);
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
