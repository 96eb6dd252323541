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
import { markPublished, recordCompleted } from "./store";

export interface ServedRunEnd {
  runId: string;
  correlationId: string;
  asOf?: string;
  status: string;
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
      const id = await bus.publish(event);
      await markPublished(pg, end.runId, "transform");
      log.info(`events: run ${end.runId} transform ${end.status}: completion published (message ${id}) (correlation ${end.correlationId})`);
    },
  };
}
