/**
 * Starting the daily chain: the transform phase runs here (a local run, run/execute.ts) and its
 * completion is published; the bus delivers it to the push handler, which runs sync, whose
 * completion starts check. Locally the bus is in-process (localBus); in production Pub/Sub.
 */
import { randomUUID } from "crypto";
import type { Session } from "../run/session";
import type { Bus } from "./bus";
import { handlePush } from "./handler";
import { ledger } from "./ledger";
import { MemoryBus, type MemoryBusOptions } from "./memory-bus";
import type { Phase } from "./event";
import type { PhaseWork } from "./phases";
import { runPhase, type RunPhaseResult } from "./run-phase";
import { markPublished } from "./store";

export interface StartOptions {
  /** Default a new UUID. */
  runId?: string;
  /** Default the run id: one id through every phase, log line and record of the run. */
  correlationId?: string;
  /** The day to score; default what the run pins (the latest mention day loaded). */
  asOf?: string | null;
  work?: Partial<Record<Phase, PhaseWork>>;
}

/** Runs transform for a new run (once: a start repeated with the same runId does nothing) and publishes its completion. */
export async function startRun(session: Session, bus: Bus, options: StartOptions = {}): Promise<RunPhaseResult> {
  const runId = options.runId ?? randomUUID();
  const trigger = { runId, correlationId: options.correlationId ?? runId, asOf: options.asOf ?? null };
  const result = await runPhase(session, "transform", trigger, { messageId: `start:${runId}`, work: options.work });
  if (result.kind === "ran") {
    await bus.publish(result.completion);
    await markPublished(await ledger(session), runId, "transform");
  }
  return result;
}

/** The in-process bus delivering to this session's push handler (Pub/Sub's semantics, see memory-bus.ts). */
export function localBus(session: Session, options: MemoryBusOptions & { work?: Partial<Record<Phase, PhaseWork>> } = {}): MemoryBus {
  const { work, ...busOptions } = options;
  const bus = new MemoryBus(busOptions);
  bus.setEndpoint((body) => handlePush(session, body, {}, { bus, work }));
  return bus;
}
