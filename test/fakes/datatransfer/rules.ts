/**
 * The rules the BigQuery Data Transfer v1 API enforces, as the fake applies them: names with or
 * without `locations/L`, required fields, the update mask (required on a PATCH), schedules, the
 * service account e-mail, the locations it serves, and Google's error format. Written apart from
 * vwatch's own checks (transfer-schedule.ts), so a bug in one is not hidden by the same in the other.
 */
import { ApiError, badRequest } from "../dataform/rules";

export { ApiError, badRequest, notFound, page } from "../dataform/rules";

export const PROJECT = "[a-z][a-z0-9-]{4,28}[a-z0-9]|\\d{6,20}";
/** Locations the fake serves (a few real ones): anything else is refused as the service does. */
export const LOCATIONS = new Set(["us", "eu", "us-central1", "us-east1", "europe-west1", "asia-northeast1", "southamerica-east1"]);

export function checkLocation(location: string): void {
  if (!LOCATIONS.has(location)) throw badRequest(`Location '${location}' is not supported by the BigQuery Data Transfer Service.`, "parent");
}

export function serviceDisabled(project: string): ApiError {
  return new ApiError(403, "PERMISSION_DENIED", `BigQuery Data Transfer API has not been used in project ${project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/bigquerydatatransfer.googleapis.com/overview?project=${project} then retry.`, [
    { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "SERVICE_DISABLED", domain: "googleapis.com", metadata: { service: "bigquerydatatransfer.googleapis.com", consumer: `projects/${project}` } },
  ]);
}

export function permissionDenied(permission: string, resource: string): ApiError {
  return new ApiError(403, "PERMISSION_DENIED", `The caller does not have permission '${permission}' on '${resource}'`, [
    { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "IAM_PERMISSION_DENIED", domain: "bigquerydatatransfer.googleapis.com", metadata: { permission, resource } },
  ]);
}

/** The service dry-runs a scheduled query as its owner: a connection the owner may not use is refused. */
export function connectionDenied(connection: string, project: string): ApiError {
  const [p, location, id] = connection.split(".");
  return new ApiError(403, "PERMISSION_DENIED", `Access Denied: Connection projects/${p}/locations/${location}/connections/${id}: Permission bigquery.connections.use denied on connection projects/${p}/locations/${location}/connections/${id} (or it may not exist). Project: ${project}`);
}

/** App Engine cron ("groc") as the service accepts it: a small independent grammar. */
export function checkSchedule(schedule: unknown): void {
  if (schedule === undefined || schedule === "") return;
  const s = String(schedule).trim().toLowerCase();
  const time = "([01][0-9]|2[0-3]):[0-5][0-9]";
  const day = "(mon|tue|wed|thu|fri|sat|sun)[a-z]*";
  const month = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*";
  const forms = [
    new RegExp(`^every [1-9][0-9]* (minutes|mins|hours)( synchronized| from ${time} to ${time})?$`),
    new RegExp(`^every (day|${day}(,${day})*)( of (month|quarter|${month}(,${month})*))? ${time}$`),
    new RegExp(`^(1st|2nd|3rd|4th|5th|first|second|third|fourth|fifth)(,(1st|2nd|3rd|4th|5th|first|second|third|fourth|fifth))* (day|${day}(,${day})*) of (month|quarter|${month}(,${month})*) ${time}$`),
    new RegExp(`^([1-9]|[12][0-9]|3[01])(,([1-9]|[12][0-9]|3[01]))* of (month|${month}(,${month})*) ${time}$`),
  ];
  if (!forms.some((f) => f.test(s))) throw badRequest(`Invalid schedule '${schedule}'. Schedule should be in the format of 'every 24 hours', 'every day 09:00' or '1st monday of month 00:00'.`, "transfer_config.schedule");
}

export function checkServiceAccount(email: string | undefined): void {
  if (email !== undefined && email !== "" && !/^[a-z0-9._-]+@[a-z0-9.-]+\.iam\.gserviceaccount\.com$/i.test(email)) {
    throw badRequest(`Invalid service account name '${email}'.`, "service_account_name");
  }
}
