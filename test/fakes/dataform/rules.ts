/**
 * The rules the Dataform v1 API enforces, as the fake applies them: resource name patterns, ids,
 * required fields, update masks, cron schedules and time zones, labels, and Google's error format
 * (`{"error": {"code", "message", "status", "details"}}`). Written independently of vwatch's own
 * checks, so a bug in one is not hidden by the same bug in the other.
 */

export class ApiError extends Error {
  constructor(
    readonly httpCode: number,
    readonly status: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }

  body() {
    return { error: { code: this.httpCode, message: this.message, status: this.status, details: this.details } };
  }
}

export const badRequest = (message: string, field?: string) =>
  new ApiError(400, "INVALID_ARGUMENT", message, field ? [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field, description: message }] }] : []);
export const notFound = (name: string) => new ApiError(404, "NOT_FOUND", `Resource '${name}' was not found`, [{ "@type": "type.googleapis.com/google.rpc.ResourceInfo", resourceName: name }]);
export const alreadyExists = (name: string) => new ApiError(409, "ALREADY_EXISTS", `Resource '${name}' already exists`, [{ "@type": "type.googleapis.com/google.rpc.ResourceInfo", resourceName: name }]);
export const failedPrecondition = (message: string) => new ApiError(400, "FAILED_PRECONDITION", message);

/** What Google answers when the API is not enabled in the project (ErrorInfo SERVICE_DISABLED). */
export function serviceDisabled(project: string): ApiError {
  return new ApiError(403, "PERMISSION_DENIED", `Dataform API has not been used in project ${project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/dataform.googleapis.com/overview?project=${project} then retry.`, [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "SERVICE_DISABLED",
      domain: "googleapis.com",
      metadata: { service: "dataform.googleapis.com", consumer: `projects/${project}`, serviceTitle: "Dataform API" },
    },
    { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Google developers console API activation", url: `https://console.developers.google.com/apis/api/dataform.googleapis.com/overview?project=${project}` }] },
  ]);
}

/** What Google answers when the caller lacks an IAM permission (ErrorInfo IAM_PERMISSION_DENIED). */
export function permissionDenied(permission: string, resource: string): ApiError {
  return new ApiError(403, "PERMISSION_DENIED", `Permission '${permission}' denied on resource '//dataform.googleapis.com/${resource}' (or it may not exist).`, [
    { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "IAM_PERMISSION_DENIED", domain: "dataform.googleapis.com", metadata: { permission, resource } },
  ]);
}

export const PROJECT = "[a-z][a-z0-9-]{4,28}[a-z0-9]|\\d{6,20}";
export const LOCATION = "[a-z]+(?:-[a-z]+)+\\d+";
/** Resource ids (the last component of a name). */
export const ID = /^[a-zA-Z_][a-zA-Z0-9_-]{0,62}$/;

export function checkId(id: string | undefined, field: string): string {
  if (!id) throw badRequest(`${field} is required`, field);
  if (!ID.test(id)) throw badRequest(`${field} "${id}" must match ${ID.source}`, field);
  return id;
}

export function required(value: unknown, field: string): void {
  if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) throw badRequest(`${field} is required`, field);
}

const SECRET_VERSION = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/;
export function checkSecretVersion(value: unknown, field: string): void {
  if (value !== undefined && value !== "" && !SECRET_VERSION.test(String(value))) throw badRequest(`${field} must be in the format projects/*/secrets/*/versions/*`, field);
}

/** Label keys and values as Google Cloud allows them. */
export function checkLabels(labels: unknown, field: string): void {
  if (labels === undefined) return;
  if (!labels || typeof labels !== "object") throw badRequest(`${field} must be a map`, field);
  for (const [k, v] of Object.entries(labels)) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(k)) throw badRequest(`label key "${k}" must start with a lowercase letter and hold at most 63 lowercase letters, digits, _ and -`, field);
    if (typeof v !== "string" || !/^[a-z0-9_-]{0,63}$/.test(v)) throw badRequest(`label value of "${k}" must hold at most 63 lowercase letters, digits, _ and -`, field);
  }
}

const CRON_RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const NAMES = [undefined, undefined, undefined, "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(" "), "SUN MON TUE WED THU FRI SAT".split(" ")];

/** Unix cron, five fields. */
export function checkCron(cron: unknown, field: string): void {
  if (cron === undefined || cron === "") return;
  const fields = String(cron).trim().split(/\s+/);
  const bad = () => badRequest(`${field} "${cron}" is not a valid cron schedule`, field);
  if (fields.length !== 5) throw bad();
  fields.forEach((f, i) => {
    for (const part of f.split(",")) {
      const [range, step] = part.split("/");
      if (step !== undefined && !/^[1-9]\d*$/.test(step)) throw bad();
      if (range === "*") continue;
      for (const v of range.split("-")) {
        const named = NAMES[i]?.indexOf(v.toUpperCase()) ?? -1;
        const n = /^\d+$/.test(v) ? Number(v) : named >= 0 ? named + (i === 3 ? 1 : 0) : NaN;
        if (!(n >= CRON_RANGES[i][0] && n <= CRON_RANGES[i][1])) throw bad();
      }
    }
  });
}

export function checkTimeZone(zone: unknown, field: string): void {
  if (zone === undefined || zone === "") return;
  try {
    if (!/^[A-Za-z]/.test(String(zone))) throw new Error();
    new Intl.DateTimeFormat("en", { timeZone: String(zone) });
  } catch {
    throw badRequest(`${field} "${zone}" is not a valid time zone`, field);
  }
}

/** snake_case mask paths → camelCase JSON keys. */
export const camel = (path: string) => path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Applies a PATCH: with a mask, only the masked fields change (a masked field absent from the body
 * is cleared); without one, every updatable field takes the body's value. Unknown or output-only
 * paths are INVALID_ARGUMENT.
 */
export function applyMask(existing: Record<string, any>, body: Record<string, any>, mask: string | undefined, updatable: Record<string, string[] | true>): Record<string, any> {
  const paths = mask ? mask.split(",").map((p) => p.trim()).filter(Boolean) : Object.keys(updatable);
  const next = structuredClone(existing);
  for (const path of paths) {
    const [top, sub, ...rest] = path.split(".");
    const allowed = updatable[top];
    if (!allowed || rest.length || (sub !== undefined && (allowed === true || !allowed.includes(sub)))) {
      throw badRequest(`invalid update mask path "${path}"`, "update_mask");
    }
    const key = camel(top);
    if (sub === undefined) {
      if (body[key] === undefined) delete next[key];
      else next[key] = structuredClone(body[key]);
    } else {
      const subKey = camel(sub);
      next[key] = { ...(next[key] ?? {}) };
      if (body[key]?.[subKey] === undefined) delete next[key][subKey];
      else next[key][subKey] = structuredClone(body[key][subKey]);
    }
  }
  return next;
}

/** Opaque page tokens: the offset, base64. */
export function page<T>(items: T[], query: Record<string, string>, maxPageSize: number): { items: T[]; nextPageToken?: string } {
  const size = Math.min(Number(query.pageSize) > 0 ? Number(query.pageSize) : maxPageSize, maxPageSize);
  let offset = 0;
  if (query.pageToken) {
    offset = Number(Buffer.from(query.pageToken, "base64").toString("utf8").replace(/^offset:/, ""));
    if (!Number.isInteger(offset) || offset < 0) throw badRequest("page_token is not valid", "page_token");
  }
  const slice = items.slice(offset, offset + size);
  return { items: slice, nextPageToken: offset + size < items.length ? Buffer.from(`offset:${offset + size}`).toString("base64") : undefined };
}
