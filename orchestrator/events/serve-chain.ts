/**
 * Phase chaining in `vwatch serve`: the push route's handler, and what follows a served run (its
 * transform phase): the run's completion recorded as transform's and published, so that sync and
 * check follow through the bus. The bus is Pub/Sub when vwatch.yaml has production.pubsub, else
 * the in-process one (choose-bus.ts). The sync and check of a Dataform invocation read the
 * release's tables in BigQuery (dataform-runs.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { loadDeploySettings, SETTINGS_FILE } from "../cloud/settings";
import { log } from "../log";
import type { Session } from "../run/session";
import type { Bus } from "./bus";
import { chooseBus } from "./choose-bus";
import type { Phase, PhaseEvent } from "./event";
import { handlePush, type PushResponse } from "./handler";
import { ledger } from "./ledger";
import { DEFAULT_WORK, type PhaseWork } from "./phases";
import { onReleaseTables } from "./dataform-runs";
import { markPublished, recordCompleted, recordSkipped } from "./store";

export interface ServedRunEnd {
  runId: string;
  correlationId: string;
  asOf?: string;
  status: string;
  /** The run wrote its spikes itself: sync is recorded from it, not run again. */
  synced?: { read: number; inserted: number; alreadyPresent: number };
  /** The request asked for no write-back (`sync: false`): sync and check are recorded skipped. */
  noSync?: boolean;
  /** The run's write-back refused its vars (an experiment's): sync and check are recorded skipped. */
  syncRefused?: boolean;
}

export interface ServeChain {
  bus: Bus;
  handlePush(envelope: unknown): Promise<PushResponse>;
  onRunEnd(end: ServedRunEnd): Promise<void>;
}

export function serveChain(session: Session, options: { bus?: Bus; work?: Partial<Record<Phase, PhaseWork>> } = {}): ServeChain {
  const settingsFile = path.join(session.config.projectDir, SETTINGS_FILE);
  const settings = fs.existsSync(settingsFile) ? loadDeploySettings(session.config.projectDir) : undefined;
  const bus = options.bus ?? chooseBus(session, settings?.production);
  // A Dataform invocation's sync and check read where the service built the tables (dataform-runs.ts).
  const work = onReleaseTables({ ...DEFAULT_WORK, ...options.work }, settings);
  return {
    bus,
    handlePush: (envelope) => handlePush(session, envelope, {}, { bus, work }),
    async onRunEnd(end) {
      // A cancelled or interrupted run is triggered again; only an ended one starts what follows.
      if (end.status !== "succeeded" && end.status !== "failed") return;
      const event: PhaseEvent = { phase: "transform", runId: end.runId, correlationId: end.correlationId, asOf: end.asOf ?? null, status: end.status, counts: {} };
      const pg = await ledger(session);
      await recordCompleted(pg, event, `run:${end.runId}`);
      const skip = end.noSync
        ? "the run was asked for no write-back (sync: false)"
        : end.syncRefused
          ? "the run's vars differ from workflow_settings.yaml (an experiment): its spikes are written only when asked (`vwatch sync-spikes`, or sync: true)"
          : undefined;
      if (end.status === "succeeded" && skip) {
        await markPublished(pg, end.runId, "transform");
        await recordSkipped(pg, { runId: end.runId, phases: ["sync", "check"], correlationId: end.correlationId, asOf: event.asOf, because: skip });
        log.info(`events: run ${end.runId} transform ${end.status}: sync and check skipped: ${skip} (correlation ${end.correlationId})`);
        return;
      }
      // A served run that wrote its spikes itself: its write-back is the sync phase, and check follows it.
      const done: PhaseEvent = end.status === "succeeded" && end.synced ? { ...event, phase: "sync", counts: end.synced } : event;
      if (done.phase === "sync") {
        await markPublished(pg, end.runId, "transform");
        await recordCompleted(pg, done, `run:${end.runId}`);
      }
      const id = await bus.publish(done);
      await markPublished(pg, end.runId, done.phase);
      log.info(`events: run ${end.runId} ${done.phase} ${end.status}: completion published (message ${id}) (correlation ${end.correlationId})`);
    },
  };
}
