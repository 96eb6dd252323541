/**
 * The body Pub/Sub push sends (https://cloud.google.com/pubsub/docs/push):
 * `{"message": {"data": base64, "attributes": {…}, "messageId": "…", "publishTime": "…"},
 * "subscription": "projects/P/subscriptions/S", "deliveryAttempt": N}` (deliveryAttempt only on a
 * subscription with a dead-letter policy), and the two payloads its data may hold: a phase's
 * completion event, or the Dataform service's workflow-invocation completion log entry routed to the
 * topic by a Cloud Logging sink.
 */
import { z } from "zod";
import { parsePhaseEvent, type PhaseEvent } from "./event";

const envelopeSchema = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().min(1).optional(),
    message_id: z.string().min(1).optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().optional(),
  deliveryAttempt: z.number().int().positive().optional(),
});

export interface Delivery {
  messageId: string;
  subscription?: string;
  deliveryAttempt?: number;
  attributes: Record<string, string>;
  /** The decoded message data (UTF-8). */
  data: string;
}

/** The push body as a delivery, or what is wrong with it. A delivery without a messageId cannot be acknowledged once. */
export function decodeEnvelope(body: unknown): { delivery: Delivery } | { problem: string; messageId?: string; subscription?: string } {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    return { problem: `not a Pub/Sub push envelope: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` };
  }
  const { message, subscription, deliveryAttempt } = parsed.data;
  const messageId = message.messageId ?? message.message_id;
  if (!messageId) return { problem: "not a Pub/Sub push envelope: message.messageId: missing", subscription };
  if (message.data === undefined) return { problem: "message.data: missing", messageId, subscription };
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(message.data)) return { problem: "message.data: not base64", messageId, subscription };
  return { delivery: { messageId, subscription, deliveryAttempt, attributes: message.attributes ?? {}, data: Buffer.from(message.data, "base64").toString("utf8") } };
}

const LOG_ENTRY_TYPE = "type.googleapis.com/google.cloud.dataform.logging.v1.WorkflowInvocationCompletionLogEntry";

/** The Dataform service's completion log entry (https://cloud.google.com/dataform/docs/cloud-logging). */
const logEntrySchema = z.object({
  insertId: z.string().optional(),
  timestamp: z.string().min(10),
  logName: z.string().optional(),
  jsonPayload: z.object({
    "@type": z.literal(LOG_ENTRY_TYPE).optional(),
    workflowInvocationId: z.string().min(1),
    workflowConfigId: z.string().optional(),
    releaseConfigId: z.string().optional(),
    terminalState: z.enum(["SUCCEEDED", "FAILED", "CANCELLED"]),
  }),
  resource: z.object({
    type: z.literal("dataform.googleapis.com/Repository"),
    labels: z.object({ repository_id: z.string().min(1), resource_container: z.string().min(1), location: z.string().min(1) }),
  }),
});

function isDataformLogEntry(value: unknown): boolean {
  const v = value as { jsonPayload?: { "@type"?: unknown }; logName?: unknown } | null;
  return Boolean(v && typeof v === "object" && (v.jsonPayload?.["@type"] === LOG_ENTRY_TYPE || (typeof v.logName === "string" && v.logName.endsWith("workflow_invocation_completion"))));
}

/**
 * The Dataform service's completion as the transform phase's completion event: the run is the
 * workflow invocation (its full name), correlated by its id; as_of is the UTC day it ended (the
 * service runs the project with `as_of` empty, which scores current_date()).
 */
function fromLogEntry(value: unknown): { event: PhaseEvent } | { problem: string } {
  const parsed = logEntrySchema.safeParse(value);
  if (!parsed.success) return { problem: `Dataform completion log entry: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
  const { jsonPayload: p, resource, timestamp } = parsed.data;
  const { resource_container: project, location, repository_id: repository } = resource.labels;
  return {
    event: {
      phase: "transform",
      runId: `projects/${project}/locations/${location}/repositories/${repository}/workflowInvocations/${p.workflowInvocationId}`,
      correlationId: `dataform-${p.workflowInvocationId}`,
      asOf: timestamp.slice(0, 10),
      status: p.terminalState === "SUCCEEDED" ? "succeeded" : "failed",
      counts: {},
    },
  };
}

/** The message data as a completion event: a phase event, or a Dataform completion log entry. */
export function decodePayload(data: string): { event: PhaseEvent; source: "phase-event" | "dataform-log" } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { problem: "message.data: not JSON" };
  }
  if (isDataformLogEntry(value)) {
    const r = fromLogEntry(value);
    return "event" in r ? { event: r.event, source: "dataform-log" } : r;
  }
  const r = parsePhaseEvent(value);
  return "event" in r ? { event: r.event, source: "phase-event" } : { problem: `phase event: ${r.problem}` };
}

/** A push body for a message, as Pub/Sub sends it (the in-process bus and the tests use it). */
export function pushBody(m: { data: string; messageId: string; attributes?: Record<string, string>; publishTime?: string }, subscription: string, deliveryAttempt?: number): unknown {
  return {
    message: { data: Buffer.from(m.data, "utf8").toString("base64"), attributes: m.attributes ?? {}, messageId: m.messageId, publishTime: m.publishTime ?? new Date().toISOString() },
    subscription,
    ...(deliveryAttempt !== undefined ? { deliveryAttempt } : {}),
  };
}
