/**
 * Where completion events go: Pub/Sub in production (pubsub-publisher.ts), the in-process bus
 * locally and in tests (memory-bus.ts). Both deliver through the same push handler.
 */
import type { PhaseEvent } from "./event";

/** Pub/Sub's limit as the project sets it: a dead-letter policy with at most 5 delivery attempts. */
export const MAX_DELIVERY_ATTEMPTS = 5;

export interface Bus {
  /** Publishes a completion event; resolves to its message id once the bus holds it. */
  publish(event: PhaseEvent): Promise<string>;
}

/** The message attributes every completion event carries (subscriptions may filter on `phase`). */
export function eventAttributes(event: PhaseEvent): Record<string, string> {
  return { phase: event.phase, status: event.status, runId: event.runId, correlationId: event.correlationId };
}
