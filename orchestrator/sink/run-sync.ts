import * as crypto from "crypto";
import type { Config } from "../config";
import { log } from "../log";
import { compileWithVars } from "../run/execute";
import { openWarehouse, outputTableName } from "../warehouse/open";
import { withSink } from "./connect";
import { syncSpikes, type SyncSpikesOptions, type SyncSpikesResult } from "./sync-spikes";
import { syncStatus, type SyncStatus } from "./sync-status";

export type RunSyncOptions = Pick<SyncSpikesOptions, "since" | "plan" | "batchSize" | "onBatch"> & {
  /** The vars the spikes were computed with (the output dataset); default workflow_settings.yaml. */
  vars?: Record<string, string>;
};

/** The sync's connection names itself, for operators (pg_stat_activity) and the tests. */
const APPLICATION_NAME = "vwatch sync-spikes";

/** Reads the warehouse's mention_spikes and writes them to PostgreSQL (see sync-spikes.ts). */
export async function runSync(config: Config, { vars, ...options }: RunSyncOptions = {}): Promise<SyncSpikesResult> {
  const graph = compileWithVars(config, vars);
  const warehouse = await openWarehouse(config, graph.projectConfig);
  // The sync lets the warehouse go once it has read it: a DuckDB file stays open to other
  // commands (say --status) while the sync writes to PostgreSQL.
  let open = true;
  const release = async () => {
    if (open) await warehouse.close();
    open = false;
  };
  try {
    return await withSink(
      config,
      (pg) => {
        log.info(`${options.plan ? "planning" : "syncing"} spikes into ${pg.target}`);
        return syncSpikes({
          warehouse,
          spikesTable: outputTableName(config, graph.projectConfig, "mention_spikes"),
          pg,
          runId: `sync-${new Date().toISOString()}-${crypto.randomBytes(3).toString("hex")}`,
          afterRead: release,
          ...options,
        });
      },
      { application_name: APPLICATION_NAME },
    );
  } finally {
    await release();
  }
}

/** The write-back's health (see sync-status.ts); writes nothing. */
export async function runSyncStatus(config: Config, { vars }: { vars?: Record<string, string> } = {}): Promise<SyncStatus> {
  const graph = compileWithVars(config, vars);
  const warehouse = await openWarehouse(config, graph.projectConfig);
  try {
    return await withSink(config, (pg) => syncStatus({ warehouse, spikesTable: outputTableName(config, graph.projectConfig, "mention_spikes"), pg }), {
      application_name: "vwatch sync-spikes --status",
    });
  } finally {
    await warehouse.close();
  }
}
