/**
 * Application Default Credentials for BigQuery, looked for in google-auth-library's order but
 * failing fast: GOOGLE_APPLICATION_CREDENTIALS, gcloud's well-known file, then the metadata server
 * of Google Cloud (Cloud Run, GCE, GKE), probed with a short timeout (it answers in milliseconds
 * there). Without any, the client library waits on the metadata server for many seconds, prints a
 * Node MetadataLookupWarning and fails later with an unrelated network error.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../errors";

/** Endpoints on the loopback interface (an emulator, the tests' fake) are called without credentials. */
export const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

const ADVICE =
  "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, " +
  "or run on Google Cloud (Cloud Run, GCE), whose metadata server provides them";

/** Where the credentials come from; a ConfigError with what to do when there are none. */
export async function findCredentials(env: NodeJS.ProcessEnv = process.env, probeMs = 2000, api = "BigQuery"): Promise<string> {
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (keyFile) {
    if (!fs.existsSync(keyFile)) throw new ConfigError(`GOOGLE_APPLICATION_CREDENTIALS names ${keyFile}, which does not exist; ${ADVICE}`);
    return "GOOGLE_APPLICATION_CREDENTIALS";
  }
  if (fs.existsSync(wellKnownFile(env))) return "gcloud application-default credentials";
  if (await metadataServer(env, probeMs)) return "the metadata server";
  throw new ConfigError(`no Google Cloud credentials found for ${api} (Application Default Credentials): ${ADVICE}`);
}

/** gcloud's application_default_credentials.json, where google-auth-library looks for it. */
function wellKnownFile(env: NodeJS.ProcessEnv): string {
  const dir = env.CLOUDSDK_CONFIG ?? (process.platform === "win32" ? path.join(env.APPDATA ?? "", "gcloud") : path.join(env.HOME ?? os.homedir(), ".config", "gcloud"));
  return path.join(dir, "application_default_credentials.json");
}

/** Whether Google Cloud's metadata server answers (GCE_METADATA_HOST and METADATA_SERVER_DETECTION as google-auth-library reads them). */
async function metadataServer(env: NodeJS.ProcessEnv, probeMs: number): Promise<boolean> {
  const detection = env.METADATA_SERVER_DETECTION?.trim().toLowerCase();
  if (detection === "assume-present") return true;
  if (detection === "none") return false;
  const host = env.GCE_METADATA_IP || env.GCE_METADATA_HOST || "169.254.169.254";
  try {
    const response = await fetch(`http://${host}/computeMetadata/v1/instance`, { headers: { "Metadata-Flavor": "Google" }, signal: AbortSignal.timeout(probeMs) });
    await response.body?.cancel();
    return response.headers.get("metadata-flavor") === "Google";
  } catch {
    return false;
  }
}
