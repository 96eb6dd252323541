/**
 * Google API errors as our typed errors. The REST transport surfaces an error whose `code` is the
 * HTTP status (404) and whose message is Google's JSON error body; the gRPC transport one whose
 * `code` is the gRPC code (5) with `details`, `reason` and `errorInfoMetadata`. Both are read here.
 */
import { CloudError, type CloudReason } from "../errors";
import { permissionFor, roleFor } from "./permissions";

/** What a Google API error says, whichever transport carried it. */
export interface GoogleStatus {
  /** The canonical status name: NOT_FOUND, PERMISSION_DENIED, UNAVAILABLE, … */
  status: string;
  message: string;
  /** ErrorInfo.reason (SERVICE_DISABLED, IAM_PERMISSION_DENIED, …) and its metadata. */
  reason?: string;
  metadata?: Record<string, string>;
  fieldViolations: { field: string; description: string }[];
}

const HTTP_STATUS: Record<number, string> = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS", 412: "FAILED_PRECONDITION", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 501: "UNIMPLEMENTED", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED" };
const GRPC_STATUS = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];

/** Statuses worth another attempt: the service overloaded, unavailable or slow, a quota. */
export const TRANSIENT = new Set(["UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"]);

/** Network faults below HTTP (the connection refused or cut), also worth another attempt. */
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET", "ABORT_ERR"]);

export function googleStatus(e: unknown): GoogleStatus | undefined {
  const err = e as { code?: unknown; message?: unknown; response?: { data?: unknown }; details?: unknown; reason?: unknown; errorInfoMetadata?: unknown; statusDetails?: unknown };
  if (!err || typeof err !== "object") return undefined;
  const body = errorBody(err.response?.data) ?? errorBody(typeof err.message === "string" ? safeJson(err.message) : undefined);
  if (body) {
    const status = typeof body.status === "string" ? body.status : (HTTP_STATUS[Number(body.code)] ?? "UNKNOWN");
    return { status, message: String(body.message ?? ""), ...detailsOf(Array.isArray(body.details) ? body.details : []) };
  }
  if (typeof err.code === "number" && err.code >= 0 && err.code < GRPC_STATUS.length) {
    const parsed = detailsOf(Array.isArray(err.statusDetails) ? err.statusDetails : []);
    return {
      status: GRPC_STATUS[err.code],
      message: typeof err.details === "string" ? err.details : String(err.message ?? ""),
      ...parsed,
      reason: typeof err.reason === "string" ? err.reason : parsed.reason,
      metadata: (err.errorInfoMetadata as Record<string, string>) ?? parsed.metadata,
    };
  }
  if (typeof err.code === "number" && HTTP_STATUS[err.code]) return { status: HTTP_STATUS[err.code], message: String(err.message ?? ""), fieldViolations: [] };
  if (typeof err.code === "string" && NETWORK.has(err.code)) return { status: "UNAVAILABLE", message: `${err.code}: ${String(err.message ?? "")}`, fieldViolations: [] };
  if ((e as Error).name === "AbortError" || (e as Error).name === "TimeoutError") return { status: "DEADLINE_EXCEEDED", message: String((e as Error).message || "the call timed out"), fieldViolations: [] };
  return undefined;
}

export function isTransient(e: unknown): boolean {
  const s = googleStatus(e);
  return s !== undefined && TRANSIENT.has(s.status);
}

export interface CallContext {
  /** The RPC, e.g. CreateWorkflowConfig. */
  method: string;
  /** The resource the call is about (a name, or the parent of a create). */
  resource: string;
  /** The Google Cloud project, for the advice. */
  project: string;
  /** How many attempts were made (more than one when transient errors were retried). */
  attempts?: number;
  seconds?: number;
}

/** The typed, one-line error for a failed Dataform API call; unknown errors are returned unchanged. */
export function toCloudError(e: unknown, ctx: CallContext): unknown {
  const s = googleStatus(e);
  if (!s) return e;
  const text = s.message.split("\n")[0];
  const make = (reason: CloudReason, message: string) => new CloudError(reason, message, { cause: e });
  if (s.reason === "SERVICE_DISABLED" || (s.status === "PERMISSION_DENIED" && /has not been used in project|is disabled/i.test(text))) {
    const service = s.metadata?.service ?? "dataform.googleapis.com";
    return make("SERVICE_DISABLED", `the Dataform API is not enabled: enable ${service} in project ${ctx.project} (gcloud services enable ${service} --project ${ctx.project}), wait a few minutes, then run again`);
  }
  switch (s.status) {
    case "PERMISSION_DENIED": {
      const permission = s.metadata?.permission ?? /Permission '([^']+)'/.exec(text)?.[1] ?? permissionFor(ctx.method);
      const role = roleFor(permission);
      return make("PERMISSION_DENIED", `permission ${permission} denied on ${ctx.resource} (${ctx.method}): grant the credentials vwatch uses ${role} on project ${ctx.project} (or on the repository)`);
    }
    case "UNAUTHENTICATED":
      return make("UNAUTHENTICATED", `the Dataform API refused the credentials (${ctx.method}): ${text}; run \`gcloud auth application-default login\` or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file`);
    case "NOT_FOUND":
      return make("NOT_FOUND", `not found: ${ctx.resource} (${ctx.method})${text ? `: ${text}` : ""}`);
    case "ALREADY_EXISTS":
      return make("ALREADY_EXISTS", `${ctx.resource} already exists (${ctx.method}); another deploy may be running: run vwatch deploy again`);
    case "INVALID_ARGUMENT":
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE": {
      const fields = s.fieldViolations.map((v) => (v.description.startsWith(v.field) ? v.description : `${v.field}: ${v.description}`)).join("; ");
      return make(s.status === "FAILED_PRECONDITION" ? "FAILED_PRECONDITION" : "INVALID_ARGUMENT", `the Dataform API refused ${ctx.method} of ${ctx.resource}: ${fields || text}`);
    }
    default: {
      if (TRANSIENT.has(s.status) || s.status === "INTERNAL" || s.status === "UNKNOWN") {
        const tries = ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts${ctx.seconds !== undefined ? ` over ${ctx.seconds.toFixed(1)} s` : ""}` : "";
        return make("UNAVAILABLE", `the Dataform API failed ${ctx.method} of ${ctx.resource}${tries} (${s.status}${text ? `: ${text}` : ""}); try again later`);
      }
      return make("OTHER", `the Dataform API failed ${ctx.method} of ${ctx.resource} (${s.status}${text ? `: ${text}` : ""})`);
    }
  }
}

function safeJson(text: string): unknown {
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorBody(data: unknown): { code?: unknown; status?: unknown; message?: unknown; details?: unknown } | undefined {
  const body = typeof data === "string" ? safeJson(data) : data;
  const error = (body as { error?: unknown } | undefined)?.error;
  return error && typeof error === "object" ? (error as any) : undefined;
}

function detailsOf(details: any[]): Pick<GoogleStatus, "reason" | "metadata" | "fieldViolations"> {
  const info = details.find((d) => String(d?.["@type"] ?? "").endsWith("google.rpc.ErrorInfo") || (d?.reason && d?.domain));
  const bad = details.find((d) => String(d?.["@type"] ?? "").endsWith("google.rpc.BadRequest") || Array.isArray(d?.fieldViolations));
  return {
    reason: info?.reason,
    metadata: info?.metadata,
    fieldViolations: (bad?.fieldViolations ?? []).map((v: any) => ({ field: String(v.field ?? ""), description: String(v.description ?? "") })),
  };
}
