/**
 * `vwatch sync-spikes --status`: is the write-back keeping up? The last successful sync, the
 * spikes PostgreSQL lacks (found as a sync finds them, spike-gap.ts), recent failed or abandoned
 * syncs and a sync running now. Writes nothing: a 'running' row whose session is gone is reported
 * as abandoned (the next sync marks it so).
 */
import type { Warehouse } from "../warehouse/warehouse";
import type { PgSink } from "../postgres/connect";
import { lineKey } from "./spike-rows";
import { findSpikeGap, presentIndexes, tableExists } from "./spike-gap";
import { ABANDONED_ERROR, runIsDead } from "./sync-ledger";

export interface LedgerEntry {
  runId: string;
  status: "running" | "succeeded" | "failed" | "abandoned";
  startedAt: string;
  finishedAt: string | null;
  rowsRead: number | null;
  inserted: number | null;
  error: string | null;
  backendPid: number | null;
}

export interface SyncStatus {
  target: string;
  /** No spike behind and the latest finished sync succeeded (or there was none and nothing is behind). */
  healthy: boolean;
  rowsBehind: number;
  daysBehind: number;
  lastSuccess: LedgerEntry | null;
  /** The latest sync that is not running now. */
  lastSync: LedgerEntry | null;
  /** Failed or abandoned syncs started in the last PROBLEM_DAYS days, newest first (at most PROBLEM_ROWS). */
  problems: LedgerEntry[];
  running: LedgerEntry[];
}

const PROBLEM_DAYS = 7;
const PROBLEM_ROWS = 10;

export async function syncStatus(options: { warehouse: Warehouse; spikesTable: string; pg: PgSink }): Promise<SyncStatus> {
  const { warehouse, spikesTable, pg } = options;
  const { rowsBehind, daysBehind } = await behind(warehouse, spikesTable, pg);
  const entries = (await tableExists(pg, "vwatch_sync_ledger")) ? await recentEntries(pg) : { recent: [], lastSuccess: null };
  const running: LedgerEntry[] = [];
  const finished: LedgerEntry[] = [];
  for (const entry of entries.recent) {
    if (entry.status === "running" && !(await runIsDead(pg, entry.runId))) running.push(entry);
    else finished.push(entry.status === "running" ? { ...entry, status: "abandoned", error: ABANDONED_ERROR } : entry);
  }
  const lastSync = finished[0] ?? entries.lastSuccess;
  const cutoff = Date.now() - PROBLEM_DAYS * 86_400_000;
  return {
    target: pg.target,
    healthy: rowsBehind === 0 && (lastSync === null || lastSync.status === "succeeded"),
    rowsBehind,
    daysBehind,
    lastSuccess: entries.lastSuccess,
    lastSync,
    problems: finished.filter((e) => (e.status === "failed" || e.status === "abandoned") && Date.parse(e.startedAt) >= cutoff).slice(0, PROBLEM_ROWS),
    running,
  };
}

/** The spikes of the warehouse PostgreSQL lacks, and on how many days. */
async function behind(warehouse: Warehouse, spikesTable: string, pg: PgSink): Promise<{ rowsBehind: number; daysBehind: number }> {
  const gap = await findSpikeGap(warehouse, spikesTable, pg, null);
  const ready = await tableExists(pg);
  const found = ready ? await presentIndexes(pg, gap.lines) : new Set<number>();
  const missing = gap.lines.filter((_, i) => !found.has(i));
  return { rowsBehind: missing.length, daysBehind: new Set(missing.map((l) => lineKey(l)[1])).size };
}

/** The newest ledger rows (newest first) and the last success, however old. */
async function recentEntries(pg: PgSink): Promise<{ recent: LedgerEntry[]; lastSuccess: LedgerEntry | null }> {
  // select *: backend_pid exists only from migration 0003 on, and --status migrates nothing.
  const columns = `*, to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as started,
    to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as finished`;
  const recent = await pg.execute<Record<string, unknown>>(`select ${columns} from vwatch_sync_ledger order by started_at desc limit 50`);
  const success = await pg.execute<Record<string, unknown>>(
    `select ${columns} from vwatch_sync_ledger where status = 'succeeded' order by finished_at desc limit 1`,
  );
  return { recent: recent.rows.map(entry), lastSuccess: success.rows[0] ? entry(success.rows[0]) : null };
}

function entry(r: Record<string, unknown>): LedgerEntry {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    runId: String(r.run_id),
    status: r.status as LedgerEntry["status"],
    startedAt: String(r.started),
    finishedAt: (r.finished as string | null) ?? null,
    rowsRead: num(r.rows_read),
    inserted: num(r.inserted),
    error: (r.error as string | null) ?? null,
    backendPid: num(r.backend_pid),
  };
}
