import * as crypto from "crypto";
import type { Config } from "../config";
import { log } from "../log";
import { compileWithVars } from "../run/execute";
import { openWarehouse, outputTableName } from "../warehouse/open";
import { withSink } from "./connect";
import { syncSpikes, type SyncSpikesOptions, type SyncSpikesResult } from "./sync-spikes";

export type RunSyncOptions = Pick<SyncSpikesOptions, "since" | "plan" | "batchSize" | "onBatch"> & {
  /** The vars the spikes were computed with (lookback_days, dataset); default workflow_settings.yaml. */
  vars?: Record<string, string>;
};

/** Reads the warehouse's mention_spikes and writes them to PostgreSQL (see sync-spikes.ts). */
export async function runSync(config: Config, { vars, ...options }: RunSyncOptions = {}): Promise<SyncSpikesResult> {
  const graph = compileWithVars(config, vars);
  const lookbackDays = Number(graph.projectConfig.vars?.lookback_days ?? 30);
  const warehouse = await openWarehouse(config, graph.projectConfig);
  try {
    return await withSink(config, (pg) => {
      log.info(`${options.plan ? "planning" : "syncing"} spikes into ${pg.target}`);
      return syncSpikes({
        warehouse,
        spikesTable: outputTableName(config, graph.projectConfig, "mention_spikes"),
        pg,
        lookbackDays,
        runId: `sync-${new Date().toISOString()}-${crypto.randomBytes(3).toString("hex")}`,
        ...options,
      });
    });
  } finally {
    await warehouse.close();
  }
}
