/**
 * The production bus: completion events published to Pub/Sub (vwatch.yaml's `production.pubsub`),
 * whose push subscriptions deliver them to the service's /events/pubsub. The client library is
 * loaded on first use; PUBSUB_EMULATOR_HOST (host:port) points it at an emulator or a local fake
 * over insecure gRPC, as the library supports.
 */
import type { PubsubSettings } from "../cloud/settings-schema";
import { googleStatus } from "../cloud/google-errors";
import { CloudError, type CloudReason } from "../errors";
import { eventAttributes, type Bus } from "./bus";
import type { Phase, PhaseEvent } from "./event";

type PubSub = import("@google-cloud/pubsub").PubSub;

/** Every call ends within this by default (retries of UNAVAILABLE included), so a push handler can answer 503 in time. */
const TIMEOUT_MS = 10_000;

/** The topic id a phase's completion goes to. */
export function topicFor(settings: Pick<PubsubSettings, "topic" | "topics">, phase: Phase): string {
  const id = settings.topics?.[phase] ?? settings.topic;
  if (!id) throw new CloudError("INVALID_ARGUMENT", "production.pubsub needs topic or topics");
  return id;
}

const REASONS: Record<string, CloudReason> = {
  NOT_FOUND: "NOT_FOUND",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  ALREADY_EXISTS: "ALREADY_EXISTS",
  FAILED_PRECONDITION: "FAILED_PRECONDITION",
  UNAVAILABLE: "UNAVAILABLE",
  DEADLINE_EXCEEDED: "UNAVAILABLE",
  RESOURCE_EXHAUSTED: "UNAVAILABLE",
  INTERNAL: "UNAVAILABLE",
};

/** A Pub/Sub call's failure as one line naming the call and the resource, with what to do. */
export function pubsubError(e: unknown, method: string, resource: string): unknown {
  const s = googleStatus(e);
  if (!s) return e;
  const reason = REASONS[s.status] ?? "OTHER";
  // gax lists every retried error after " : Previous errors": the first says it all.
  const text = s.message.split("\n")[0].split(" : Previous errors")[0].replace(/\s+/g, " ").trim().slice(0, 300);
  const advice: Partial<Record<CloudReason, string>> = {
    NOT_FOUND: "; create it (docs/phase-chaining.md) or fix production.pubsub in vwatch.yaml",
    PERMISSION_DENIED: "; grant the service's account roles/pubsub.publisher on it",
    UNAVAILABLE: "; try again later",
  };
  return new CloudError(reason, `Pub/Sub ${method} of ${resource} failed (${s.status}${text ? `: ${text}` : ""})${advice[reason] ?? ""}`, { cause: e });
}

export class PubsubBus implements Bus {
  private client?: Promise<PubSub>;

  constructor(
    private readonly project: string,
    private readonly settings: Pick<PubsubSettings, "topic" | "topics">,
    /** How long a call may take, retries included. */
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  private pubsub(): Promise<PubSub> {
    this.client ??= import("@google-cloud/pubsub").then(({ PubSub }) => new PubSub({ projectId: this.project }));
    return this.client;
  }

  topicName(phase: Phase): string {
    return `projects/${this.project}/topics/${topicFor(this.settings, phase)}`;
  }

  async publish(event: PhaseEvent): Promise<string> {
    const pubsub = await this.pubsub();
    const name = this.topicName(event.phase);
    const topic = pubsub.topic(name, {
      batching: { maxMessages: 1 },
      gaxOpts: {
        timeout: this.timeoutMs,
        retry: {
          retryCodes: [14, 4, 8], // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED
          backoffSettings: {
            initialRetryDelayMillis: 100,
            retryDelayMultiplier: 2,
            maxRetryDelayMillis: 2_000,
            initialRpcTimeoutMillis: 5_000,
            rpcTimeoutMultiplier: 1,
            maxRpcTimeoutMillis: 5_000,
            totalTimeoutMillis: this.timeoutMs,
          },
        },
      },
    });
    try {
      return await topic.publishMessage({ data: Buffer.from(JSON.stringify(event), "utf8"), attributes: eventAttributes(event) });
    } catch (e) {
      throw pubsubError(e, "Publish", name);
    }
  }

  /**
   * The topics the events go to, and the dead-letter topic: those missing are created (GetTopic,
   * then CreateTopic on NOT_FOUND). Returns the names created.
   */
  async ensureTopics(deadLetterTopic: string): Promise<string[]> {
    const pubsub = await this.pubsub();
    const ids = new Set([...(["transform", "sync", "check"] as Phase[]).map((p) => topicFor(this.settings, p)), deadLetterTopic]);
    const created: string[] = [];
    for (const id of ids) {
      const name = `projects/${this.project}/topics/${id}`;
      try {
        await pubsub.topic(name).getMetadata({ timeout: this.timeoutMs });
        continue;
      } catch (e) {
        if (googleStatus(e)?.status !== "NOT_FOUND") throw pubsubError(e, "GetTopic", name);
      }
      try {
        await pubsub.createTopic({ name, labels: { "managed-by": "vwatch" } });
        created.push(name);
      } catch (e) {
        // Created meanwhile by another process: what we wanted.
        if (googleStatus(e)?.status !== "ALREADY_EXISTS") throw pubsubError(e, "CreateTopic", name);
      }
    }
    return created;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await (await client)?.close();
  }
}
