import { describe, expect, it } from "vitest";
import { googleStatus, isTransient, toCloudError } from "../../orchestrator/cloud/google-errors";
import { backoffDelay, withRetry } from "../../orchestrator/cloud/retry";
import { CloudError } from "../../orchestrator/errors";

const ctx = { method: "CreateWorkflowConfig", resource: "projects/vw-project/locations/us-central1/repositories/r/workflowConfigs/daily", project: "vw-project" };

/** An error as the REST transport surfaces it: `code` the HTTP status, the message Google's JSON body. */
const rest = (code: number, status: string, message: string, details: unknown[] = []) =>
  Object.assign(new Error(JSON.stringify({ error: { code, message, status, details } })), { code });

/** An error as the gRPC transport surfaces it: `code` the gRPC code. */
const grpc = (code: number, details: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code} ${details}`), { code, details, ...extra });

const disabledInfo = { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "SERVICE_DISABLED", domain: "googleapis.com", metadata: { service: "dataform.googleapis.com", consumer: "projects/123" } };

function mapped(e: unknown): CloudError {
  const out = toCloudError(e, ctx);
  expect(out).toBeInstanceOf(CloudError);
  return out as CloudError;
}

describe("Google API errors as typed one-line errors", () => {
  it("an API not enabled (403 with ErrorInfo SERVICE_DISABLED) says to enable dataform.googleapis.com in the project, over REST and gRPC", () => {
    const expected = "the Dataform API is not enabled: enable dataform.googleapis.com in project vw-project (gcloud services enable dataform.googleapis.com --project vw-project), wait a few minutes, then run again";
    for (const e of [rest(403, "PERMISSION_DENIED", "Dataform API has not been used in project 123 before or it is disabled.", [disabledInfo]), grpc(7, "Dataform API has not been used in project 123 before or it is disabled.", { reason: "SERVICE_DISABLED", errorInfoMetadata: disabledInfo.metadata })]) {
      const c = mapped(e);
      expect([c.reason, c.message, c.isSetup]).toEqual(["SERVICE_DISABLED", expected, true]);
    }
  });

  it("a permission denied names the permission and the role that grants it", () => {
    const fromInfo = mapped(rest(403, "PERMISSION_DENIED", "Permission 'dataform.workflowConfigs.create' denied on resource '//dataform.googleapis.com/x' (or it may not exist).", [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "IAM_PERMISSION_DENIED", metadata: { permission: "dataform.workflowConfigs.create" } }]));
    expect(fromInfo.message).toBe(`permission dataform.workflowConfigs.create denied on ${ctx.resource} (CreateWorkflowConfig): grant the credentials vwatch uses roles/dataform.admin (Dataform Admin) on project vw-project (or on the repository)`);
    // Without ErrorInfo: from the message, else from the method.
    expect(toCloudError(rest(403, "PERMISSION_DENIED", "Permission 'dataform.workflowInvocations.create' denied"), ctx)).toMatchObject({ message: expect.stringContaining("permission dataform.workflowInvocations.create denied on") });
    expect((toCloudError(grpc(7, "The caller does not have permission"), { ...ctx, method: "GetRepository" }) as Error).message).toContain("permission dataform.repositories.get denied on");
    expect((toCloudError(grpc(7, "no"), { ...ctx, method: "GetRepository" }) as Error).message).toContain("roles/dataform.viewer (Dataform Viewer)");
    expect((toCloudError(grpc(7, "no"), { ...ctx, method: "CreateWorkflowInvocation" }) as Error).message).toContain("roles/dataform.editor (Dataform Editor)");
  });

  it("reads the status from the HTTP code or the gRPC code alike", () => {
    expect(googleStatus(rest(404, "NOT_FOUND", "gone"))?.status).toBe("NOT_FOUND");
    expect(googleStatus(grpc(5, "gone"))?.status).toBe("NOT_FOUND");
    expect(googleStatus(Object.assign(new Error("Not Found"), { code: 404 }))?.status).toBe("NOT_FOUND");
    expect(googleStatus(grpc(6, "exists"))?.status).toBe("ALREADY_EXISTS");
    expect(googleStatus(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))?.status).toBe("UNAVAILABLE");
    expect(googleStatus(new Error("plain"))).toBeUndefined();
  });

  it("NOT_FOUND, ALREADY_EXISTS and INVALID_ARGUMENT (with the field) as one line each", () => {
    expect(mapped(rest(404, "NOT_FOUND", "Resource 'x' was not found")).message).toBe(`not found: ${ctx.resource} (CreateWorkflowConfig): Resource 'x' was not found`);
    const exists = mapped(grpc(6, "exists"));
    expect([exists.reason, exists.isSetup, exists.message]).toEqual(["ALREADY_EXISTS", false, `${ctx.resource} already exists (CreateWorkflowConfig); another deploy may be running: run vwatch deploy again`]);
    const bad = mapped(rest(400, "INVALID_ARGUMENT", "bad", [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "workflow_config.cron_schedule", description: "not a valid cron schedule" }] }]));
    expect(bad.message).toBe(`the Dataform API refused CreateWorkflowConfig of ${ctx.resource}: workflow_config.cron_schedule: not a valid cron schedule`);
  });

  it("transient errors are retryable (429, 503, 504 and their gRPC codes); after the attempts the message says how many", () => {
    expect([rest(429, "RESOURCE_EXHAUSTED", "quota"), rest(503, "UNAVAILABLE", "x"), rest(504, "DEADLINE_EXCEEDED", "x"), grpc(14, "x"), grpc(8, "x"), grpc(4, "x")].every(isTransient)).toBe(true);
    expect([rest(400, "INVALID_ARGUMENT", "x"), grpc(7, "x"), grpc(5, "x")].some(isTransient)).toBe(false);
    const c = toCloudError(rest(503, "UNAVAILABLE", "try later"), { ...ctx, attempts: 5, seconds: 7.52 }) as CloudError;
    expect([c.reason, c.isSetup, c.message]).toEqual(["UNAVAILABLE", false, `the Dataform API failed CreateWorkflowConfig of ${ctx.resource} after 5 attempts over 7.5 s (UNAVAILABLE: try later); try again later`]);
  });

  it("an error that is not Google's passes through unchanged (a bug stays a bug)", () => {
    const bug = new TypeError("x is undefined");
    expect(toCloudError(bug, ctx)).toBe(bug);
  });
});

describe("retry with backoff", () => {
  it("waits initial × 2^(n-1), capped, ±20 %", () => {
    const policy = { attempts: 6, initialDelayMs: 500, maxDelayMs: 3000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0.5))).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(backoffDelay(policy, 1, () => 0)).toBe(400);
    expect(backoffDelay(policy, 1, () => 1)).toBe(600);
  });

  it("retries only what is retryable, up to the attempts, and records how many were made", async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    let calls = 0;
    const flaky = async () => (++calls < 3 ? Promise.reject(Object.assign(new Error("busy"), { code: 503 })) : "ok");
    expect(await withRetry(flaky, isTransient, { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000 }, sleep)).toBe("ok");
    expect([calls, waits.length]).toEqual([3, 2]);

    calls = 0;
    const down = () => (calls++, Promise.reject(Object.assign(new Error("busy"), { code: 503 })));
    const err = await withRetry(down, isTransient, { attempts: 4, initialDelayMs: 1, maxDelayMs: 1 }, sleep).catch((e) => e);
    expect([calls, err.attempts]).toEqual([4, 4]);

    calls = 0;
    const denied = () => (calls++, Promise.reject(Object.assign(new Error("no"), { code: 403 })));
    await withRetry(denied, isTransient, { attempts: 4, initialDelayMs: 1, maxDelayMs: 1 }, sleep).catch(() => {});
    expect(calls).toBe(1);
  });
});
