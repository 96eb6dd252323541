/**
 * The run ledger (migration 0004_run_ledger): one row per run in PostgreSQL, written through a
 * one-method seam (`execute(sql, params)`) that both the CLI's single connection (PgSink) and the
 * server's pool provide. Runs the server starts are claimed before they run (status queued, then
 * running, then how they ended); runs from the CLI are written once they ended.
 */
export interface Sql {
  execute<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
}

export type RunTrigger = "cli" | "server" | "ci" | "schedule" | "event";
export type RanOn = "duckdb" | "bigquery" | "dataform";
export type LedgerStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "interrupted";
export const FINISHED: LedgerStatus[] = ["succeeded", "failed", "cancelled", "interrupted"];

export interface LedgerAction {
  name: string;
  status: string;
  rows?: number;
  seconds?: number;
  error?: string;
}

export interface LedgerRun {
  id: string;
  trigger: RunTrigger;
  correlationId: string;
  idempotencyKey?: string;
  ranOn: RanOn;
  selection: Record<string, unknown>;
  vars: Record<string, string>;
  fullRefresh: boolean;
  asOf?: string;
  startedAt: string;
  endedAt?: string;
  status: LedgerStatus;
  actions: LedgerAction[];
  progress?: { done: number; total: number };
  sync?: unknown;
  checks?: unknown;
  error?: string;
  /** When its server last showed it alive (ledger/heartbeat.ts); read only. */
  heartbeatAt?: string;
}

const COLUMNS =
  "id, trigger, correlation_id, idempotency_key, ran_on, selection, vars, full_refresh, as_of::text as as_of, started_at, ended_at, status, actions, progress, sync, checks, error, heartbeat_at";

interface Row {
  id: string;
  trigger: RunTrigger;
  correlation_id: string;
  idempotency_key: string | null;
  ran_on: RanOn;
  selection: Record<string, unknown>;
  vars: Record<string, string>;
  full_refresh: boolean;
  as_of: string | null;
  started_at: Date;
  ended_at: Date | null;
  status: LedgerStatus;
  actions: LedgerAction[];
  progress: { done: number; total: number } | null;
  sync: unknown;
  checks: unknown;
  error: string | null;
  heartbeat_at: Date | null;
}

function fromRow(r: Row): LedgerRun {
  const run: LedgerRun = {
    id: r.id,
    trigger: r.trigger,
    correlationId: r.correlation_id,
    ranOn: r.ran_on,
    selection: r.selection,
    vars: r.vars,
    fullRefresh: r.full_refresh,
    startedAt: new Date(r.started_at).toISOString(),
    status: r.status,
    actions: r.actions,
  };
  if (r.idempotency_key !== null) run.idempotencyKey = r.idempotency_key;
  if (r.as_of !== null) run.asOf = r.as_of;
  if (r.ended_at !== null) run.endedAt = new Date(r.ended_at).toISOString();
  if (r.progress !== null) run.progress = r.progress;
  if (r.sync !== null) run.sync = r.sync;
  if (r.checks !== null) run.checks = r.checks;
  if (r.error !== null) run.error = r.error;
  if (r.heartbeat_at !== null) run.heartbeatAt = new Date(r.heartbeat_at).toISOString();
  return run;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** Inserts a run; a run whose id is recorded already is left as it is (a pending file flushed twice). Whether it was new. */
export async function insertRun(sql: Sql, run: LedgerRun): Promise<boolean> {
  const r = await sql.execute(
    `insert into vwatch_runs (id, trigger, correlation_id, idempotency_key, ran_on, selection, vars, full_refresh, as_of, started_at, ended_at, status, actions, progress, sync, checks, error, heartbeat_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, now())
     on conflict (id) do nothing`,
    [
      run.id,
      run.trigger,
      run.correlationId,
      run.idempotencyKey ?? null,
      run.ranOn,
      json(run.selection),
      json(run.vars),
      run.fullRefresh,
      run.asOf ?? null,
      run.startedAt,
      run.endedAt ?? null,
      run.status,
      json(run.actions),
      json(run.progress),
      json(run.sync),
      json(run.checks),
      run.error ?? null,
    ],
  );
  return r.rowCount === 1;
}

export async function getRun(sql: Sql, id: string): Promise<LedgerRun | undefined> {
  const { rows } = await sql.execute<Row>(`select ${COLUMNS} from vwatch_runs where id = $1`, [id]);
  return rows[0] && fromRow(rows[0]);
}

export async function runByKey(sql: Sql, key: string): Promise<LedgerRun | undefined> {
  const { rows } = await sql.execute<Row>(`select ${COLUMNS} from vwatch_runs where idempotency_key = $1`, [key]);
  return rows[0] && fromRow(rows[0]);
}

/** The unfinished run on a warehouse, if one is. */
export async function activeRun(sql: Sql, ranOn: RanOn): Promise<LedgerRun | undefined> {
  const { rows } = await sql.execute<Row>(`select ${COLUMNS} from vwatch_runs where ran_on = $1 and status in ('queued', 'running')`, [ranOn]);
  return rows[0] && fromRow(rows[0]);
}

/** The newest runs first, optionally only those with a status. */
export async function listRuns(sql: Sql, { limit = 20, status }: { limit?: number; status?: LedgerStatus } = {}): Promise<LedgerRun[]> {
  const { rows } = status
    ? await sql.execute<Row>(`select ${COLUMNS} from vwatch_runs where status = $1 order by started_at desc, id limit $2`, [status, limit])
    : await sql.execute<Row>(`select ${COLUMNS} from vwatch_runs order by started_at desc, id limit $1`, [limit]);
  return rows.map(fromRow);
}

/** The last run that succeeded, if any. */
export async function lastSucceeded(sql: Sql): Promise<LedgerRun | undefined> {
  return (await listRuns(sql, { limit: 1, status: "succeeded" }))[0];
}

/** Updates an unfinished run (status, actions, progress…); a finished run is never changed again. Whether it was updated. */
export async function updateRun(sql: Sql, id: string, change: Partial<Pick<LedgerRun, "status" | "actions" | "progress" | "asOf" | "vars" | "sync" | "checks" | "error" | "endedAt">>): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (change.status) set("status", change.status);
  if (change.actions) set("actions", json(change.actions));
  if (change.progress) set("progress", json(change.progress));
  if (change.asOf) set("as_of", change.asOf);
  if (change.vars) set("vars", json(change.vars));
  if (change.sync !== undefined) set("sync", json(change.sync));
  if (change.checks !== undefined) set("checks", json(change.checks));
  if (change.error !== undefined) set("error", change.error);
  if (change.endedAt) set("ended_at", change.endedAt);
  if (!sets.length) return false;
  // Every write shows the run's server alive (ledger/heartbeat.ts).
  sets.push("heartbeat_at = now()");
  const r = await sql.execute(`update vwatch_runs set ${sets.join(", ")} where id = $1 and status in ('queued', 'running')`, params);
  return r.rowCount === 1;
}

/** Refreshes an unfinished run's heartbeat (ledger/heartbeat.ts); false once the run is finished. */
export async function beat(sql: Sql, id: string): Promise<boolean> {
  const r = await sql.execute(`update vwatch_runs set heartbeat_at = now() where id = $1 and status in ('queued', 'running')`, [id]);
  return r.rowCount === 1;
}

/**
 * Marks interrupted the unfinished run on a warehouse whose heartbeat is older than staleSeconds
 * (by PostgreSQL's clock, which every instance shares): its server was killed without a SIGTERM.
 * Its id, if there was one.
 */
export async function interruptAbandoned(sql: Sql, ranOn: RanOn, staleSeconds: number): Promise<string | undefined> {
  const { rows } = await sql.execute<{ id: string }>(
    `update vwatch_runs
        set status = 'interrupted', ended_at = now(),
            error = 'interrupted: the server running it stopped sending heartbeats at ' || to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' (killed without a SIGTERM?); a later trigger took the warehouse over'
      where ran_on = $1 and status in ('queued', 'running') and heartbeat_at < now() - make_interval(secs => $2)
      returning id`,
    [ranOn, staleSeconds],
  );
  return rows[0]?.id;
}

/** Marks unfinished runs interrupted (those of a process that is stopping, or all of them when a server starts). Their ids. */
export async function markInterrupted(sql: Sql, reason: string, ids?: string[]): Promise<string[]> {
  const { rows } = ids
    ? await sql.execute<{ id: string }>(
        `update vwatch_runs set status = 'interrupted', ended_at = now(), error = $1 where status in ('queued', 'running') and id = any($2) returning id`,
        [reason, ids],
      )
    : await sql.execute<{ id: string }>(`update vwatch_runs set status = 'interrupted', ended_at = now(), error = $1 where status in ('queued', 'running') returning id`, [reason]);
  return rows.map((r) => r.id);
}
