import * as crypto from "crypto";
import type { Config } from "../config";
import { log } from "../log";
import { compileWithVars } from "../run/execute";
import { openWarehouse, outputTableName } from "../warehouse/open";
import { openSink } from "./connect";
import { syncSpikes, type SyncSpikesOptions, type SyncSpikesResult } from "./sync-spikes";

export type RunSyncOptions = Pick<SyncSpikesOptions, "since" | "plan" | "batchSize" | "onBatch"> & {
  /** The vars the spikes were computed with (lookback_days, dataset); default workflow_settings.yaml. */
  vars?: Record<string, string>;
};

/** Reads the warehouse's mention_spikes and writes them to PostgreSQL (see sync-spikes.ts). */
export async function runSync(config: Config, options: RunSyncOptions = {}): Promise<SyncSpikesResult> {
  const graph = compileWithVars(config, options.vars);
  const lookbackDays = Number(graph.projectConfig.vars?.lookback_days ?? 30);
  const warehouse = await openWarehouse(config, graph.projectConfig);
  try {
    const pg = await openSink(config);
    try {
      log.info(`${options.plan ? "planning" : "syncing"} spikes into ${pg.target}`);
      return await syncSpikes({
        warehouse,
        spikesTable: outputTableName(config, graph.projectConfig, "mention_spikes"),
        pg,
        lookbackDays,
        runId: `sync-${new Date().toISOString()}-${crypto.randomBytes(3).toString("hex")}`,
        ...options,
      });
    } finally {
      await pg.close();
    }
  } finally {
    await warehouse.close();
  }
}
