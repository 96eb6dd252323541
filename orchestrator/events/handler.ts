/**
 * The Pub/Sub push endpoint's logic (`POST /events/pubsub` calls it): a delivered completion
 * event starts the next phase of its run. Deliveries repeat and arrive in any order, so:
 * - a messageId acknowledged before → 204, no work;
 * - a malformed envelope or payload → a dead letter, 204 (retrying cannot help);
 * - a completion the ledger does not confirm yet (the phase still running here) → 503, held;
 * - the next phase runs once per run (run-phase.ts), its completion published on the bus;
 * - a transient fault (warehouse or PostgreSQL unreachable, the bus down) → 503, Pub/Sub redelivers;
 * - the 5th failed attempt → a dead letter, the later phases recorded as skipped, 204.
 */
import { log } from "../log";
import type { PgSink } from "../postgres/connect";
import type { Session } from "../run/session";
import { MAX_DELIVERY_ATTEMPTS, type Bus } from "./bus";
import { decodeEnvelope, decodePayload, type Delivery } from "./envelope";
import { ledger } from "./ledger";
import { laterPhases, nextPhase, type Phase, type PhaseEvent } from "./event";
import type { PhaseWork } from "./phases";
import { eventLine, runPhase } from "./run-phase";
import * as store from "./store";
import { isTransient } from "./transient";

export interface PushResponse {
  status: number;
  body: { outcome: string; message?: string; runId?: string; phase?: Phase; correlationId?: string };
}

export interface PushOptions {
  /** Where the next phase's completion is published. */
  bus: Bus;
  /** The phases' work; default phases.ts. */
  work?: Partial<Record<Phase, PhaseWork>>;
}

const ack = (outcome: string, e?: Partial<PhaseEvent>, message?: string): PushResponse => ({
  status: 204,
  body: { outcome, ...(message ? { message } : {}), ...(e ? { runId: e.runId, phase: e.phase, correlationId: e.correlationId } : {}) },
});
const retry = (outcome: string, message: string, e?: Partial<PhaseEvent>): PushResponse => ({
  status: 503,
  body: { outcome, message, ...(e ? { runId: e.runId, phase: e.phase, correlationId: e.correlationId } : {}) },
});

/** Handles one push delivery; never throws (a bug is answered 500, which Pub/Sub retries). */
export async function handlePush(session: Session, envelope: unknown, headers: Record<string, string | string[] | undefined>, options: PushOptions): Promise<PushResponse> {
  void headers; // authentication is the server's (OIDC push tokens); nothing here depends on headers
  try {
    return await handle(session, envelope, options);
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    if (isTransient(e)) {
      log.warn(`events: delivery not handled, to be redelivered: ${message}`);
      return retry("unavailable", message);
    }
    log.error(`events: delivery failed: ${message}`);
    return { status: 500, body: { outcome: "error", message } };
  }
}

async function handle(session: Session, envelope: unknown, options: PushOptions): Promise<PushResponse> {
  const decoded = decodeEnvelope(envelope);
  const pg = await ledger(session);
  if ("problem" in decoded) {
    if (decoded.messageId && (await store.wasDelivered(pg, decoded.messageId))) return ack("duplicate");
    await store.recordDeadLetter(pg, { messageId: decoded.messageId, subscription: decoded.subscription, reason: "malformed", error: decoded.problem, payload: JSON.stringify(envelope ?? null) });
    if (decoded.messageId) await store.recordDelivery(pg, { messageId: decoded.messageId, subscription: decoded.subscription, outcome: "dead-letter" });
    log.warn(`events: malformed delivery ${decoded.messageId ?? "(no messageId)"} dead-lettered: ${decoded.problem}`);
    return ack("dead-letter", undefined, decoded.problem);
  }
  const delivery = decoded.delivery;
  if (await store.wasDelivered(pg, delivery.messageId)) return ack("duplicate");
  const payload = decodePayload(delivery.data);
  if ("problem" in payload) {
    await store.recordDeadLetter(pg, { messageId: delivery.messageId, subscription: delivery.subscription, reason: "malformed", error: payload.problem, deliveryAttempt: delivery.deliveryAttempt, payload: delivery.data });
    return done(pg, delivery, undefined, ack("dead-letter", undefined, payload.problem));
  }
  const event = payload.event;
  return log.withFields({ correlationId: event.correlationId, runId: event.runId }, () => onCompletion(session, delivery, event, options));
}

/** Acknowledges: the messageId is recorded so that a repeat does nothing. */
async function done(pg: PgSink, delivery: Delivery, e: PhaseEvent | undefined, response: PushResponse): Promise<PushResponse> {
  await store.recordDelivery(pg, { messageId: delivery.messageId, subscription: delivery.subscription, runId: e?.runId, phase: e?.phase, outcome: response.body.outcome });
  return response;
}

async function onCompletion(session: Session, delivery: Delivery, event: PhaseEvent, options: PushOptions): Promise<PushResponse> {
  let pg = await ledger(session);
  let recorded = await store.getExecution(pg, event.runId, event.phase);
  if (!recorded && event.phase === "transform") {
    // The first phase ran elsewhere (a CLI or server run, the Dataform service): its event is the record.
    await store.recordCompleted(pg, event, delivery.messageId);
    recorded = await store.getExecution(pg, event.runId, event.phase);
  }
  if (!recorded || recorded.status === "running" || recorded.status === "retrying") {
    // Delivered before the phase finished here (reordered, or a duplicate raced ahead): not run early.
    const why = `${event.phase} of run ${event.runId} has not finished here yet`;
    if ((delivery.deliveryAttempt ?? 0) >= MAX_DELIVERY_ATTEMPTS) {
      await store.recordDeadLetter(pg, { ...deadLetterOf(delivery, event), reason: "attempts_exhausted", error: `held ${delivery.deliveryAttempt} times: ${why}` });
      return done(pg, delivery, event, ack("dead-letter", event, why));
    }
    log.info(eventLine(event, event.phase, `completion held: ${why}`));
    return retry("held", why, event);
  }
  // The ledger's record is the truth: the correlation id and as_of of the run, whatever a copy says.
  const run = { runId: recorded.runId, correlationId: recorded.correlationId, asOf: recorded.asOf };
  const next = nextPhase(event.phase);
  if (!next) return done(pg, delivery, event, ack("run-complete", event));
  if (recorded.status !== "succeeded") {
    await store.recordSkipped(pg, { ...run, phases: laterPhases(event.phase), because: `${event.phase} ${recorded.status}` });
    return done(pg, delivery, event, ack("downstream-skipped", event));
  }
  const result = await runPhase(session, next, run, { messageId: delivery.messageId, work: options.work });
  pg = await ledger(session);
  if (result.kind === "transient") {
    const attempt = Math.max(delivery.deliveryAttempt ?? 0, result.attempt);
    if (attempt < MAX_DELIVERY_ATTEMPTS) return retry("retry", result.error.message, { ...run, phase: next });
    const error = `${next} failed ${attempt} times: ${result.error.message}`;
    const failed: PhaseEvent = { phase: next, ...run, status: "failed", counts: {} };
    await store.finish(pg, failed, error);
    await store.recordSkipped(pg, { ...run, phases: laterPhases(next), because: `${next} failed after ${attempt} attempts` });
    await store.recordDeadLetter(pg, { ...deadLetterOf(delivery, event), reason: "attempts_exhausted", error, deliveryAttempt: attempt });
    log.error(eventLine(run, next, `dead-lettered: ${error}`));
    return done(pg, delivery, event, ack("dead-letter", { ...run, phase: next }, error));
  }
  if (result.kind === "ran") {
    await publish(options.bus, pg, result.completion);
    return done(pg, delivery, event, ack("ran", result.completion));
  }
  // Taken: finished before or run by another delivery. A completion this message recorded but did
  // not get to publish (the process stopped in between) is published now.
  const x = result.execution;
  if (x?.status === "running" && x.claimedBy === delivery.messageId) {
    // This message's earlier delivery still holds the phase (its connection not yet gone): acknowledging would lose the run.
    return retry("busy", `${next} of run ${run.runId} is still held by an earlier delivery of this message`, { ...run, phase: next });
  }
  if (x?.completion && !x.publishedAt && x.claimedBy === delivery.messageId) await publish(options.bus, pg, x.completion);
  return done(pg, delivery, event, ack("already-handled", { ...run, phase: next }));
}

async function publish(bus: Bus, pg: PgSink, completion: PhaseEvent): Promise<void> {
  const id = await bus.publish(completion);
  await store.markPublished(pg, completion.runId, completion.phase);
  log.info(eventLine(completion, completion.phase, `completion published (message ${id})`));
}

function deadLetterOf(delivery: Delivery, event: PhaseEvent): Omit<store.DeadLetter, "reason" | "error"> {
  return { messageId: delivery.messageId, subscription: delivery.subscription, runId: event.runId, phase: event.phase, correlationId: event.correlationId, deliveryAttempt: delivery.deliveryAttempt, payload: delivery.data };
}
