/**
 * The BigQuery Data Transfer v1 client over REST, like the Dataform one (client.ts):
 * BIGQUERY_DATATRANSFER_EMULATOR_HOST=http://host:port points it at a local server; on the
 * loopback interface no credentials are needed (a static token is sent).
 */
import type { v1 } from "@google-cloud/bigquery-data-transfer";
import { adcOrAdvice, emulatorEndpoint } from "./client";

export type DataTransferClient = v1.DataTransferServiceClient;
export const TRANSFER_EMULATOR_VARIABLE = "BIGQUERY_DATATRANSFER_EMULATOR_HOST";

export async function createDataTransferClient(env: NodeJS.ProcessEnv = process.env): Promise<DataTransferClient> {
  const endpoint = emulatorEndpoint(env, TRANSFER_EMULATOR_VARIABLE);
  if (!endpoint?.loopback) await adcOrAdvice(env, "the BigQuery Data Transfer API");
  const { v1: transfer } = await import("@google-cloud/bigquery-data-transfer");
  if (!endpoint) return new transfer.DataTransferServiceClient({ fallback: true });
  const { apiEndpoint, port, protocol } = endpoint;
  if (!endpoint.loopback) return new transfer.DataTransferServiceClient({ apiEndpoint, port, protocol, fallback: true });
  const { OAuth2Client } = await import("google-auth-library");
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: "local-emulator", expiry_date: Date.now() + 24 * 3600 * 1000 });
  return new transfer.DataTransferServiceClient({ apiEndpoint, port, protocol, fallback: true, authClient: authClient as never });
}
