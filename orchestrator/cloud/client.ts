/**
 * The Dataform v1 client (the package's top-level DataformClient is v1beta1). It speaks the HTTP/JSON
 * (REST) transport everywhere, so production and the tests' fake see the same requests.
 * DATAFORM_EMULATOR_HOST=http://host:port points it at a local server: on the loopback interface
 * no credentials are needed (a static token is sent); elsewhere Application Default Credentials,
 * looked up fast, with advice when there are none.
 */
import type { v1 } from "@google-cloud/dataform";
import { ConfigError } from "../errors";
import { findCredentials, LOOPBACK } from "../warehouse/bigquery/credentials";

export type DataformClient = v1.DataformClient;

interface Endpoint {
  apiEndpoint: string;
  port: number;
  protocol: "http" | "https";
  loopback: boolean;
}

/** The endpoint DATAFORM_EMULATOR_HOST (or another such variable) names, or undefined for the real service. */
export function emulatorEndpoint(env: NodeJS.ProcessEnv = process.env, variable = "DATAFORM_EMULATOR_HOST"): Endpoint | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  const m = /^(https?):\/\/(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?\/?$/.exec(raw);
  if (!m) throw new ConfigError(`${variable} must be http://host:port, got "${raw}"`);
  const protocol = m[1] as "http" | "https";
  return { apiEndpoint: m[2].replace(/^\[|\]$/g, ""), port: m[3] ? Number(m[3]) : protocol === "http" ? 80 : 443, protocol, loopback: LOOPBACK.test(raw) };
}

export async function createDataformClient(env: NodeJS.ProcessEnv = process.env): Promise<DataformClient> {
  const endpoint = emulatorEndpoint(env);
  if (!endpoint?.loopback) await adcOrAdvice(env);
  const { v1: dataform } = await import("@google-cloud/dataform");
  if (!endpoint) return new dataform.DataformClient({ fallback: true });
  const { apiEndpoint, port, protocol } = endpoint;
  if (!endpoint.loopback) return new dataform.DataformClient({ apiEndpoint, port, protocol, fallback: true });
  // A fake or an emulator on this machine checks no credentials; the client still wants a token to send.
  const { OAuth2Client } = await import("google-auth-library");
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: "local-emulator", expiry_date: Date.now() + 24 * 3600 * 1000 });
  return new dataform.DataformClient({ apiEndpoint, port, protocol, fallback: true, authClient: authClient as never });
}

/** Application Default Credentials, found fast; the advice names the API. */
export async function adcOrAdvice(env: NodeJS.ProcessEnv, api = "the Dataform API"): Promise<void> {
  try {
    await findCredentials(env);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.message.replace("for BigQuery", `for ${api}`));
    throw e;
  }
}
