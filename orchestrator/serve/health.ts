/**
 * `GET /health/detailed`: can the service do its job? The warehouse and PostgreSQL answer, the
 * migrations are all applied, the last successful run is recent enough for the schedule, the
 * spikes PostgreSQL lacks (the sync's gap), the dead letters waiting, the version. Any problem
 * makes it 503, each named in `problems`. The warehouse side (a query and the spike gap, the
 * costly part) is measured once for concurrent callers and kept for a few seconds, so a burst of
 * health checks costs one measurement; the PostgreSQL side goes through the bounded pool.
 */
import { lastSucceeded, type Sql } from "../ledger/runs";
import type { Session } from "../run/session";

export interface HealthReport {
  status: "ok" | "unhealthy";
  version: string;
  problems: string[];
  warehouse: { ok: boolean; dialect: string; error?: string };
  postgres: { ok: boolean; error?: string };
  migrations: { current: boolean; pending: string[] } | null;
  lastSuccessfulRun: { id: string; endedAt: string; ageHours: number; staleAfterHours: number } | null;
  runningRun: string | null;
  spikesBehind: { rows: number; days: number } | null;
  deadLetters: number | null;
}

export interface HealthDeps {
  session: Session;
  sql: Sql;
  version: string;
  staleAfterHours: number;
  /** Names of the migrations this version ships. */
  migrations: string[];
  runningRun(): string | undefined;
  /** The spikes PostgreSQL lacks (the sync's status); undefined when the project writes none back. */
  spikesBehind?(): Promise<{ rows: number; days: number } | undefined>;
  now?: () => number;
}

/** The table phase chaining records dead letters in, counted when it exists. */
export const DEAD_LETTER_TABLE = "vwatch_dead_letters";
const WAREHOUSE_CACHE_MS = 5_000;

const errorText = (e: unknown) => ((e as Error)?.message ?? String(e)).split("\n")[0];

export function healthChecker(deps: HealthDeps): () => Promise<HealthReport> {
  let warehouseProbe: { at: number; result: Promise<{ warehouse: HealthReport["warehouse"]; spikes: HealthReport["spikesBehind"]; spikesError?: string }> } | undefined;
  const now = deps.now ?? Date.now;

  const probeWarehouse = () => {
    if (warehouseProbe && now() - warehouseProbe.at < WAREHOUSE_CACHE_MS) return warehouseProbe.result;
    const result = (async () => {
      const dialect = deps.session.config.warehouse;
      try {
        await (await deps.session.warehouse()).query("select 1 as ok");
      } catch (e) {
        return { warehouse: { ok: false, dialect, error: errorText(e) }, spikes: null };
      }
      // A DuckDB file is the run's while it runs: its gap is measured between runs.
      if (!deps.spikesBehind || deps.runningRun()) return { warehouse: { ok: true, dialect }, spikes: null };
      try {
        return { warehouse: { ok: true, dialect }, spikes: (await deps.spikesBehind()) ?? null };
      } catch (e) {
        return { warehouse: { ok: true, dialect }, spikes: null, spikesError: errorText(e) };
      }
    })();
    warehouseProbe = { at: now(), result };
    return result;
  };

  return async () => {
    const problems: string[] = [];
    const report: HealthReport = {
      status: "ok",
      version: deps.version,
      problems,
      warehouse: { ok: false, dialect: deps.session.config.warehouse },
      postgres: { ok: false },
      migrations: null,
      lastSuccessfulRun: null,
      runningRun: deps.runningRun() ?? null,
      spikesBehind: null,
      deadLetters: null,
    };
    const [probe] = await Promise.all([
      probeWarehouse(),
      (async () => {
        try {
          const applied = new Set((await deps.sql.execute<{ name: string }>("select name from vwatch_schema_migrations")).rows.map((r) => r.name));
          report.postgres = { ok: true };
          const pending = deps.migrations.filter((m) => !applied.has(m));
          report.migrations = { current: pending.length === 0, pending };
          if (pending.length) problems.push(`migrations not applied: ${pending.join(", ")}`);
          const last = await lastSucceeded(deps.sql);
          if (!last) problems.push("no successful run recorded yet");
          else {
            const ended = last.endedAt ?? last.startedAt;
            const ageHours = Math.round(((now() - Date.parse(ended)) / 3_600_000) * 100) / 100;
            report.lastSuccessfulRun = { id: last.id, endedAt: ended, ageHours, staleAfterHours: deps.staleAfterHours };
            if (ageHours > deps.staleAfterHours) problems.push(`the last successful run (${last.id}) ended ${ageHours} h ago, more than ${deps.staleAfterHours} h (the schedule's interval and a grace)`);
          }
          const [{ exists }] = (await deps.sql.execute<{ exists: boolean }>("select to_regclass($1) is not null as exists", [DEAD_LETTER_TABLE])).rows;
          // The last 7 days, as phase chaining reports them (events/health.ts): an old dead letter,
          // dealt with since, does not keep the service unhealthy for ever.
          report.deadLetters = exists
            ? Number((await deps.sql.execute<{ n: string }>(`select count(*) as n from ${DEAD_LETTER_TABLE} where created_at >= now() - interval '7 days'`)).rows[0].n)
            : 0;
          if (report.deadLetters) problems.push(`${report.deadLetters} dead letter(s) in the last 7 days (${DEAD_LETTER_TABLE})`);
        } catch (e) {
          report.postgres = { ok: false, error: errorText(e) };
          problems.push(`PostgreSQL: ${errorText(e)}`);
        }
      })(),
    ]);
    report.warehouse = probe.warehouse;
    report.spikesBehind = probe.spikes;
    if (!probe.warehouse.ok) problems.push(`warehouse: ${probe.warehouse.error}`);
    if (probe.spikesError) problems.push(`spikes not measured: ${probe.spikesError}`);
    if (probe.spikes?.rows) problems.push(`${probe.spikes.rows} spike(s) over ${probe.spikes.days} day(s) not yet written to PostgreSQL`);
    report.status = problems.length ? "unhealthy" : "ok";
    return report;
  };
}
