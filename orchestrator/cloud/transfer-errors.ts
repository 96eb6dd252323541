/**
 * Data Transfer API errors as one-line CloudErrors, with the advice that fits a scheduled query:
 * the API not enabled, a missing permission (on the project, or on the BigQuery connection that
 * EXTERNAL_QUERY uses, named), a location the service does not serve or that does not match the
 * datasets. Other statuses fall back to the shared mapping (google-errors.ts).
 */
import { CloudError } from "../errors";
import { googleStatus, toCloudError, type CallContext } from "./google-errors";

const SERVICE = "bigquerydatatransfer.googleapis.com";

export function toTransferError(e: unknown, ctx: CallContext): unknown {
  const s = googleStatus(e);
  if (!s) return e;
  const text = s.message.split("\n")[0];
  const make = (reason: ConstructorParameters<typeof CloudError>[0], message: string) => new CloudError(reason, message, { cause: e });
  if (s.reason === "SERVICE_DISABLED" || (s.status === "PERMISSION_DENIED" && /has not been used in project|is disabled/i.test(text))) {
    return make("SERVICE_DISABLED", `the BigQuery Data Transfer API is not enabled: enable ${SERVICE} in project ${ctx.project} (gcloud services enable ${SERVICE} --project ${ctx.project}), wait a few minutes, then run again`);
  }
  const connection = /connections?[ /]((?:projects\/)?[\w.-]+(?:[./](?:locations\/)?[\w-]+[./](?:connections\/)?[\w-]+))/i.exec(text);
  if (s.status === "PERMISSION_DENIED" && /bigquery\.connections\.use/.test(text) && connection) {
    return make(
      "PERMISSION_DENIED",
      `the scheduled query's service account may not use the BigQuery connection ${connection[1]} that EXTERNAL_QUERY reads through (bigquery.connections.use denied, ${ctx.method} of ${ctx.resource}): grant it roles/bigquery.connectionUser on that connection`,
    );
  }
  if (s.status === "PERMISSION_DENIED") {
    const permission = s.metadata?.permission ?? /Permission '?([\w.]+)'?/.exec(text)?.[1] ?? "bigquery.transfers.update";
    return make("PERMISSION_DENIED", `permission ${permission} denied on ${ctx.resource} (${ctx.method}): grant the credentials vwatch uses roles/bigquery.admin, or bigquery.transfers.update and bigquery.transfers.get, on project ${ctx.project}`);
  }
  if ((s.status === "INVALID_ARGUMENT" || s.status === "NOT_FOUND" || s.status === "FAILED_PRECONDITION") && /location/i.test(text)) {
    return make("INVALID_ARGUMENT", `wrong location for ${ctx.resource} (${ctx.method}): ${text}; set production.scheduledQueries[].location in vwatch.yaml to where the datasets are (e.g. us)`);
  }
  const mapped = toCloudError(e, ctx);
  if (mapped instanceof CloudError) mapped.message = mapped.message.replace(/the Dataform API/g, "the BigQuery Data Transfer API");
  return mapped;
}
