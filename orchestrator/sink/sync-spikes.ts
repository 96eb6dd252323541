/**
 * Writes the warehouse's spikes (mention_spikes) into the application's PostgreSQL table
 * data_pipeline_mentionspike with INSERT … ON CONFLICT (event_id, spike_date) DO NOTHING
 * semantics: new (event_id, spike_date) rows are added, existing rows are never changed.
 *
 * How, and why this way:
 * - What is read: every spike day of the warehouse whose keys PostgreSQL does not have in full
 *   (spike-gap.ts), from `since` on when given; so a sync after any outage catches up.
 * - One transaction per sync: it commits entirely or leaves the table as it was (a killed or
 *   stalled sync is rolled back by the server; every session is bounded, see connect.ts).
 * - The transaction first takes SHARE ROW EXCLUSIVE on the table: readers go on, other writers
 *   (another sync, the application) wait until we commit. With no concurrent inserts, probing
 *   which keys exist (one unnest query on the unique index per batch, skipped when the batch's
 *   days hold no rows) is exact, and the new rows go straight in with COPY — nearly as fast as a
 *   raw COPY. This is what ON CONFLICT DO NOTHING would do, without its per-row cost (COPY into a
 *   staging table and INSERT … ON CONFLICT measured ~0.6x raw COPY).
 * - The ledger (sync-ledger.ts) records the start in its own committed statement before the
 *   warehouse is read, the success inside the transaction, a failure after the rollback; runs
 *   left 'running' by dead sessions are marked 'abandoned' first.
 */
import { InputError, SinkError, VwatchError } from "../errors";
import type { Warehouse } from "../warehouse/warehouse";
import { RETRY_ADVICE, type PgSink } from "../postgres/connect";
import { migrate } from "./migrate";
import { checkDay } from "../days";
import { copyChunks, slices, lineKey, parseLine, SPIKE_COLUMNS, type DayRange, type SpikeRow } from "./spike-rows";
import { findSpikeGap, presentIndexes, SPIKES_PG_TABLE, tableExists } from "./spike-gap";
import { markAbandoned, recordFailed, recordStarted, recordSucceeded, releaseRun } from "./sync-ledger";

export { SPIKES_PG_TABLE };
export const DEFAULT_BATCH_SIZE = 50_000;

export interface SyncSpikesOptions {
  warehouse: Warehouse;
  /** The spikes table's BigQuery name (`project.dataset.table`, sql/names.ts): the queries are BigQuery SQL. */
  spikesTable: string;
  pg: PgSink;
  /** YYYY-MM-DD: only spike days from this one on. Default: every day. */
  since?: string;
  runId: string;
  /** Report what would be inserted and what is already present; write nothing. */
  plan?: boolean;
  batchSize?: number;
  /** Called once the warehouse has been read, before the transaction: a DuckDB file can be let go for other commands. */
  afterRead?: () => Promise<void>;
  /** Called after each batch is written (inside the transaction). */
  onBatch?: (progress: { batch: number; batches: number; rowsDone: number; rows: number }) => void | Promise<void>;
}

export interface SyncSpikesResult {
  runId: string;
  plan: boolean;
  /** The --since given; null: every spike day. */
  since: string | null;
  /** The latest spike day in the warehouse (from `since` on); null when there is none. */
  asOf: string | null;
  /** Spike days compared with PostgreSQL, and those read because they differed. */
  daysCompared: number;
  daysRead: number;
  ranges: DayRange[];
  read: number;
  /** Rows inserted (for a plan: that would be inserted). */
  inserted: number;
  alreadyPresent: number;
  /** Plans only: the rows that would be inserted and the keys already present. */
  toInsert?: SpikeRow[];
  present?: { event_id: string; spike_date: string }[];
  migrationsApplied?: string[];
  /** Runs of earlier syncs whose sessions were gone, marked 'abandoned' by this one. */
  abandoned?: string[];
}

export async function syncSpikes(options: SyncSpikesOptions): Promise<SyncSpikesResult> {
  const { warehouse, spikesTable, pg, runId } = options;
  const plan = Boolean(options.plan);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`--batch-size must be a whole number > 0, got ${batchSize}`);
  if (options.since !== undefined) checkDay(options.since, "--since");
  const since = options.since ?? null;
  if (plan) return planSync(options, since, batchSize);

  const migrationsApplied = (await migrate(pg)).applied;
  await recordStarted(pg, runId, since);
  let read: number | undefined;
  let inTransaction = false;
  try {
    const abandoned = await markAbandoned(pg, runId);
    const gap = await findSpikeGap(warehouse, spikesTable, pg, since);
    const rowsRead = (read = gap.read);
    await options.afterRead?.();
    const batches = [...slices(gap.lines, batchSize)];
    inTransaction = true;
    const inserted = await pg.transaction(async () => {
      await pg.execute(`lock table ${SPIKES_PG_TABLE} in share row exclusive mode`);
      let count = 0;
      let done = 0;
      for (let b = 0; b < batches.length; b++) {
        const batch = batches[b];
        const found = await presentIndexes(pg, batch);
        const fresh = found.size === 0 ? batch : batch.filter((_, i) => !found.has(i));
        if (fresh.length > 0) count += await pg.copyIn(`copy ${SPIKES_PG_TABLE} (${SPIKE_COLUMNS.join(", ")}) from stdin`, copyChunks(fresh));
        done += batch.length;
        await options.onBatch?.({ batch: b + 1, batches: batches.length, rowsDone: done, rows: gap.lines.length });
      }
      await recordSucceeded(pg, runId, since, { rowsRead, inserted: count, alreadyPresent: rowsRead - count });
      return count;
    });
    await releaseRun(pg, runId).catch(() => undefined);
    const { lines: _lines, ...counts } = gap;
    return { runId, plan, since, ...counts, inserted, alreadyPresent: rowsRead - inserted, migrationsApplied, abandoned };
  } catch (e) {
    const message = e instanceof VwatchError ? e.message : (e as Error)?.message ?? String(e);
    // Best effort: when the server itself is gone, the row stays 'running' and the next sync marks it abandoned.
    await recordFailed(pg, runId, since, message, read).catch(() => undefined);
    await releaseRun(pg, runId).catch(() => undefined);
    if (!(e instanceof SinkError)) throw e;
    const what = e.message.endsWith(RETRY_ADVICE) ? e.message.slice(0, -RETRY_ADVICE.length) : e.message;
    throw new SinkError(
      `sync-spikes stopped: ${what}; nothing was written${inTransaction ? " (the transaction was rolled back)" : ""}; the next sync catches up`,
      { cause: e },
    );
  }
}

/** What a sync would insert and what is already there; writes nothing (not even the tables). */
async function planSync(options: SyncSpikesOptions, since: string | null, batchSize: number): Promise<SyncSpikesResult> {
  const { warehouse, spikesTable, pg, runId } = options;
  const gap = await findSpikeGap(warehouse, spikesTable, pg, since);
  // Before the first migration the table may not exist yet: then everything is new.
  const tableReady = await tableExists(pg);
  const toInsert: SpikeRow[] = [];
  const present: { event_id: string; spike_date: string }[] = [];
  for (const batch of slices(gap.lines, batchSize)) {
    const found = tableReady ? await presentIndexes(pg, batch) : new Set<number>();
    batch.forEach((line, i) => {
      if (!found.has(i)) return toInsert.push(parseLine(line));
      const [event_id, spike_date] = lineKey(line);
      present.push({ event_id, spike_date });
    });
  }
  const { lines: _lines, ...counts } = gap;
  return { runId, plan: true, since, ...counts, inserted: toInsert.length, alreadyPresent: gap.read - toInsert.length, toInsert, present };
}
