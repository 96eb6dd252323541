import * as crypto from "crypto";
import { ConfigError } from "../errors";
import { log } from "../log";
import type { PgSink } from "../postgres/connect";
import type { Session } from "../run/session";
import { bigqueryTableName } from "../sql/names";
import { syncSpikes, type SyncSpikesOptions, type SyncSpikesResult } from "./sync-spikes";
import { syncStatus, type SyncStatus } from "./sync-status";
import { SPIKES_MODEL } from "./spikes-model";

export type RunSyncOptions = Pick<SyncSpikesOptions, "since" | "plan" | "batchSize" | "onBatch"> & {
  /** The vars the spikes were computed with (the output dataset); default workflow_settings.yaml. */
  vars?: Record<string, string>;
};

/** The BigQuery name of the session's mention_spikes for these vars. */
function spikesTable(session: Session, vars: Record<string, string> | undefined): string {
  const graph = session.graph(vars);
  const table = (graph.tables ?? []).find((t) => t.target.name === SPIKES_MODEL);
  if (!table) throw new ConfigError(`the project has no model ${SPIKES_MODEL}; the write-back reads it`);
  return bigqueryTableName(table.target, graph.projectConfig);
}

/** Runs fn with the session's PostgreSQL connection named for operators (pg_stat_activity) and the tests. */
async function named<T>(pg: PgSink, name: string, fn: () => Promise<T>): Promise<T> {
  await pg.execute(`set application_name = '${name}'`);
  try {
    return await fn();
  } finally {
    await pg.execute("reset application_name").catch(() => undefined);
  }
}

/** Reads the warehouse's mention_spikes and writes them to PostgreSQL (see sync-spikes.ts). */
export async function runSync(session: Session, { vars, ...options }: RunSyncOptions = {}): Promise<SyncSpikesResult> {
  const table = spikesTable(session, vars);
  const warehouse = await session.warehouse();
  const pg = await session.postgres();
  log.info(`${options.plan ? "planning" : "syncing"} spikes into ${pg.target}`);
  return named(pg, "vwatch sync-spikes", () =>
    syncSpikes({
      warehouse,
      spikesTable: table,
      pg,
      runId: `sync-${new Date().toISOString()}-${crypto.randomBytes(3).toString("hex")}`,
      // The sync lets the warehouse go once it has read it: a DuckDB file stays open to other
      // commands (say --status) while the sync writes to PostgreSQL.
      afterRead: () => session.releaseWarehouse(),
      ...options,
    }),
  );
}

/** The write-back's health (see sync-status.ts); writes nothing. */
export async function runSyncStatus(session: Session, { vars }: { vars?: Record<string, string> } = {}): Promise<SyncStatus> {
  const table = spikesTable(session, vars);
  const warehouse = await session.warehouse();
  const pg = await session.postgres();
  return named(pg, "vwatch sync-spikes --status", () => syncStatus({ warehouse, spikesTable: table, pg }));
}
