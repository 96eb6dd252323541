/**
 * The BigQuery Data Transfer v1 client over REST, like the Dataform one (client.ts):
 * BIGQUERY_DATATRANSFER_EMULATOR_HOST=http://host:port points it at a local server; on the
 * loopback interface no credentials are needed (a static token is sent).
 */
import type { v1 } from "@google-cloud/bigquery-data-transfer";
import { restClientOptions } from "./client";

export type DataTransferClient = v1.DataTransferServiceClient;
export const TRANSFER_EMULATOR_VARIABLE = "BIGQUERY_DATATRANSFER_EMULATOR_HOST";

export async function createDataTransferClient(env: NodeJS.ProcessEnv = process.env): Promise<DataTransferClient> {
  const options = await restClientOptions(env, TRANSFER_EMULATOR_VARIABLE, "the BigQuery Data Transfer API");
  const { v1: transfer } = await import("@google-cloud/bigquery-data-transfer");
  return new transfer.DataTransferServiceClient(options);
}
