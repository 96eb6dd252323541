import { Client } from "pg";
import { loadConfig } from "../../orchestrator/config";
import { TransientError } from "../../orchestrator/errors";
import type { Bus } from "../../orchestrator/events/bus";
import { pushBody } from "../../orchestrator/events/envelope";
import type { Phase, PhaseEvent } from "../../orchestrator/events/event";
import type { PhaseWork } from "../../orchestrator/events/phases";
import { Session } from "../../orchestrator/run/session";
import { repoRoot, tempHome } from "./project";

/** A session on this repository's project whose PostgreSQL is `url` (DATABASE_URL). */
export function eventSession(url: string): Session {
  return new Session(loadConfig({ home: tempHome(), projectDir: repoRoot }, { DATABASE_URL: url }));
}

/** A bus that only records what is published (the handler's output), with message ids m1, m2, … */
export function recordingBus(): Bus & { published: PhaseEvent[] } {
  const published: PhaseEvent[] = [];
  return {
    published,
    async publish(event) {
      published.push(event);
      return `m${published.length}`;
    },
  };
}

/**
 * Phase work that records each call ("run/phase") and succeeds with counts {calls: n}, except that
 * `failures["run/phase"]` = k makes the first k calls of that phase fail transiently, and
 * `broken["run/phase"]` = message makes every call fail for real.
 */
export function fakeWork(opts: { failures?: Record<string, number>; broken?: Record<string, string>; delayMs?: () => number } = {}) {
  const calls = new Map<string, number>();
  const succeeded = new Map<string, number>();
  const work = {} as Record<Phase, PhaseWork>;
  for (const phase of ["transform", "sync", "check"] as Phase[]) {
    work[phase] = async (_session, { runId }) => {
      const key = `${runId}/${phase}`;
      const n = (calls.get(key) ?? 0) + 1;
      calls.set(key, n);
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs!()));
      if (opts.broken?.[key]) throw new Error(opts.broken[key]);
      if (n <= (opts.failures?.[key] ?? 0)) throw new TransientError(`injected: ${key} unreachable (call ${n})`);
      succeeded.set(key, (succeeded.get(key) ?? 0) + 1);
      return { status: "succeeded", counts: { calls: n } };
    };
  }
  return { work, calls, succeeded };
}

export const completion = (e: Partial<PhaseEvent> & Pick<PhaseEvent, "runId" | "phase">): PhaseEvent => ({
  correlationId: `corr-${e.runId}`,
  asOf: "2026-11-26",
  status: "succeeded",
  counts: {},
  ...e,
});

/** A push body carrying `payload` (an object is JSON-encoded). */
export function push(payload: unknown, messageId: string, deliveryAttempt?: number): unknown {
  return pushBody({ data: typeof payload === "string" ? payload : JSON.stringify(payload), messageId }, "projects/p/subscriptions/vwatch-phases", deliveryAttempt);
}

/** Rows of a query on a database of the test server. */
export async function rowsOf(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

/** The Dataform service's workflow-invocation completion, as a Cloud Logging sink publishes it to Pub/Sub. */
export const dataformCompletionEntry = (id: string, terminalState: string) => ({
  insertId: "14ip1tza5",
  jsonPayload: {
    terminalState,
    workflowInvocationId: id,
    workflowConfigId: "daily",
    releaseConfigId: "production",
    "@type": "type.googleapis.com/google.cloud.dataform.logging.v1.WorkflowInvocationCompletionLogEntry",
  },
  resource: { type: "dataform.googleapis.com/Repository", labels: { repository_id: "venezuelawatch-analytics", resource_container: "venezuelawatch", location: "us-central1" } },
  timestamp: "2026-11-26T02:31:06.965981805Z",
  severity: "INFO",
  logName: "projects/venezuelawatch/logs/dataform.googleapis.com%2Fworkflow_invocation_completion",
  receiveTimestamp: "2026-11-26T02:31:07.362371980Z",
});

/** The workflow invocation's resource name that entry's id stands for. */
export const invocationName = (id: string) => `projects/venezuelawatch/locations/us-central1/repositories/venezuelawatch-analytics/workflowInvocations/${id}`;
