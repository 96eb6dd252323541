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

type RestClientOptions = {
  [key: string]: string | number | boolean | undefined;
  apiEndpoint?: string;
  port?: number;
  protocol?: "http" | "https";
  fallback: true;
  authClient?: never;
};

/**
 * The options of a Google client on the REST transport for the endpoint `variable` names: the real
 * service with Application Default Credentials (looked up fast, with advice naming `api`), or a
 * local server, sent a static token on the loopback interface.
 */
export async function restClientOptions(env: NodeJS.ProcessEnv, variable: string, api: string): Promise<RestClientOptions> {
  const endpoint = emulatorEndpoint(env, variable);
  if (!endpoint?.loopback) await findCredentials(env, undefined, api);
  if (!endpoint) return { fallback: true };
  const { apiEndpoint, port, protocol } = endpoint;
  if (!endpoint.loopback) return { apiEndpoint, port, protocol, fallback: true };
  // A fake or an emulator on this machine checks no credentials; the client still wants a token to send.
  const { OAuth2Client } = await import("google-auth-library");
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: "local-emulator", expiry_date: Date.now() + 24 * 3600 * 1000 });
  return { apiEndpoint, port, protocol, fallback: true, authClient: authClient as never };
}

export async function createDataformClient(env: NodeJS.ProcessEnv = process.env): Promise<DataformClient> {
  const options = await restClientOptions(env, "DATAFORM_EMULATOR_HOST", "the Dataform API");
  const { v1: dataform } = await import("@google-cloud/dataform");
  return new dataform.DataformClient(options);
}

