/**
 * The in-process bus: Pub/Sub's delivery semantics without Pub/Sub, for local runs and tests.
 * Every published event is delivered through the push handler as Pub/Sub push would send it
 * (same envelope); a 2xx acknowledges it, anything else (or a throw) is redelivered with
 * exponential backoff, at most `maxAttempts` times (`deliveryAttempt` counts them), then it goes to
 * the dead letters. At-least-once: an acknowledged message may be delivered again (duplicateRate),
 * an event may be stored twice under two ids (republishRate), and deliveries overlap and arrive
 * out of order (jitterMs).
 */
import { randomUUID } from "crypto";
import { MAX_DELIVERY_ATTEMPTS, eventAttributes, type Bus } from "./bus";
import { pushBody } from "./envelope";
import type { PhaseEvent } from "./event";

export type PushEndpoint = (body: unknown) => Promise<{ status: number }>;

export interface MemoryBusOptions {
  subscription?: string;
  /** Redelivery backoff: min·2^(attempt−1), at most max (Pub/Sub's retry policy: 10 s to 600 s). */
  backoffMs?: { min: number; max: number };
  maxAttempts?: number;
  /** A delivery is held back up to this long (so deliveries reorder). */
  jitterMs?: number;
  /** The share of acknowledged messages delivered once more (at-least-once). */
  duplicateRate?: number;
  /**
   * The share of published events stored twice under two message ids, as a publisher's retry
   * after a lost answer does: only the ledger, not the messageId, can tell them apart.
   */
  republishRate?: number;
  /** Randomness (seed it for a test that must replay). */
  random?: () => number;
}

export interface DeliveryRecord {
  messageId: string;
  attempt: number;
  status: number;
}

export interface BusDeadLetter {
  messageId: string;
  event: PhaseEvent;
  attempts: number;
  lastStatus: number;
}

export class MemoryBus implements Bus {
  readonly deliveries: DeliveryRecord[] = [];
  readonly deadLetters: BusDeadLetter[] = [];
  /** Every message the bus holds; `copy` marks the second of a republished event. */
  readonly published: { messageId: string; event: PhaseEvent; copy?: boolean }[] = [];
  private endpoint?: PushEndpoint;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private readonly o: Required<MemoryBusOptions>;

  constructor(options: MemoryBusOptions = {}) {
    this.o = {
      subscription: "projects/local/subscriptions/vwatch-phases",
      backoffMs: { min: 100, max: 5_000 },
      maxAttempts: MAX_DELIVERY_ATTEMPTS,
      jitterMs: 0,
      duplicateRate: 0,
      republishRate: 0,
      random: Math.random,
      ...options,
    };
  }

  /** Where deliveries go (the push handler). */
  setEndpoint(endpoint: PushEndpoint): void {
    this.endpoint = endpoint;
  }

  async publish(event: PhaseEvent): Promise<string> {
    const messageId = randomUUID();
    this.published.push({ messageId, event });
    this.schedule({ messageId, event, publishTime: new Date().toISOString() }, 1, this.jitter());
    if (this.o.random() < this.o.republishRate) {
      const copy = randomUUID();
      this.published.push({ messageId: copy, event, copy: true });
      this.schedule({ messageId: copy, event, publishTime: new Date().toISOString() }, 1, this.jitter());
    }
    return messageId;
  }

  /** Resolves once no delivery is pending (every message acknowledged or dead-lettered). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private jitter(): number {
    return Math.floor(this.o.random() * this.o.jitterMs);
  }

  private schedule(m: { messageId: string; event: PhaseEvent; publishTime: string }, attempt: number, delay: number): void {
    this.pending++;
    setTimeout(() => {
      void this.deliver(m, attempt).finally(() => {
        this.pending--;
        if (this.pending === 0) this.waiters.splice(0).forEach((w) => w());
      });
    }, delay);
  }

  private async deliver(m: { messageId: string; event: PhaseEvent; publishTime: string }, attempt: number): Promise<void> {
    if (!this.endpoint) throw new Error("MemoryBus: no push endpoint set");
    const body = pushBody({ data: JSON.stringify(m.event), messageId: m.messageId, attributes: eventAttributes(m.event), publishTime: m.publishTime }, this.o.subscription, attempt);
    const status = await this.endpoint(body).then(
      (r) => r.status,
      () => 500,
    );
    this.deliveries.push({ messageId: m.messageId, attempt, status });
    if (status >= 200 && status < 300) {
      if (this.o.random() < this.o.duplicateRate) this.schedule(m, attempt, this.jitter());
      return;
    }
    if (attempt >= this.o.maxAttempts) {
      this.deadLetters.push({ messageId: m.messageId, event: m.event, attempts: attempt, lastStatus: status });
      return;
    }
    const backoff = Math.min(this.o.backoffMs.max, this.o.backoffMs.min * 2 ** (attempt - 1));
    this.schedule(m, attempt + 1, backoff + this.jitter());
  }
}
