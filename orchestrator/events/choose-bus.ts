/**
 * The bus a process publishes on: Pub/Sub when vwatch.yaml has `production.pubsub` and the
 * process runs against it (the server on Cloud Run, or PUBSUB_EMULATOR_HOST set), else the
 * in-process bus delivering to this session's push handler.
 */
import type { ProductionSettings } from "../cloud/settings-schema";
import type { Session } from "../run/session";
import type { Bus } from "./bus";
import { localBus } from "./chain";
import { PubsubBus } from "./pubsub-publisher";

export function chooseBus(session: Session, production?: Pick<ProductionSettings, "project" | "pubsub">, usePubsub = true): Bus {
  if (usePubsub && production?.pubsub) return new PubsubBus(production.project, production.pubsub);
  return localBus(session);
}
