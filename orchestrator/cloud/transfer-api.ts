/**
 * The Data Transfer v1 calls vwatch makes, each with a timeout, retried with backoff when it failed
 * in a way that may pass, and failing as a one-line CloudError (transfer-errors.ts). A create is
 * not retried on a timeout (the service names the config: a retry could make two); only when the
 * quota refused it. Starting manual runs likewise.
 */
import type { protos } from "@google-cloud/bigquery-data-transfer";
import { DEFAULT_RETRY, guardedCall, type RetryOn, type RetryPolicy } from "./retry";
import type { DataTransferClient } from "./transfer-client";
import { toTransferError } from "./transfer-errors";

type dt = typeof protos.google.cloud.bigquery.datatransfer.v1;
type ProtoTransferConfig = protos.google.cloud.bigquery.datatransfer.v1.ITransferConfig;
/** A transfer config with its params as a plain object (the API's Struct converted at this boundary). */
export type TransferConfig = Omit<ProtoTransferConfig, "params"> & { params?: Record<string, string | number | boolean | null> };
export type TransferRun = protos.google.cloud.bigquery.datatransfer.v1.ITransferRun;
export type TransferMessage = protos.google.cloud.bigquery.datatransfer.v1.ITransferMessage;
export type { dt };

export interface TransferApiOptions {
  project: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export class TransferApi {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly client: DataTransferClient,
    private readonly options: TransferApiOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  private call<T>(method: string, resource: string, fn: (opts: { timeout: number }) => Promise<T>, retry: RetryOn = "always"): Promise<T> {
    return guardedCall({ timeoutMs: this.timeoutMs, policy: this.retry, retryOn: retry }, fn, (e, attempts, seconds) =>
      toTransferError(e, { method, resource, project: this.options.project, attempts, seconds }),
    );
  }

  /** Every scheduled query of a location (projects/P/locations/L), all pages. */
  async listScheduledQueries(parent: string): Promise<TransferConfig[]> {
    const out: TransferConfig[] = [];
    let pageToken: string | undefined;
    do {
      const [items, , raw] = (await this.call("ListTransferConfigs", parent, (o) =>
        this.client.listTransferConfigs({ parent, dataSourceIds: ["scheduled_query"], pageToken }, { ...o, autoPaginate: false }),
      )) as unknown as [ProtoTransferConfig[], unknown, { nextPageToken?: string | null } | undefined];
      out.push(...items.map(plainParams));
      pageToken = raw?.nextPageToken || undefined;
    } while (pageToken);
    return out;
  }

  createTransferConfig(parent: string, transferConfig: TransferConfig, serviceAccountName?: string) {
    return this.call("CreateTransferConfig", parent, async (o) => plainParams((await this.client.createTransferConfig({ parent, transferConfig: structParams(transferConfig), serviceAccountName }, o))[0]), "quota");
  }
  updateTransferConfig(transferConfig: TransferConfig, paths: string[], serviceAccountName?: string) {
    return this.call("UpdateTransferConfig", String(transferConfig.name), async (o) => plainParams((await this.client.updateTransferConfig({ transferConfig: structParams(transferConfig), updateMask: { paths }, serviceAccountName }, o))[0]));
  }
  deleteTransferConfig(name: string) {
    return this.call("DeleteTransferConfig", name, async (o) => void (await this.client.deleteTransferConfig({ name }, o)));
  }
  getTransferConfig(name: string) {
    return this.call("GetTransferConfig", name, async (o) => plainParams((await this.client.getTransferConfig({ name }, o))[0]));
  }

  /** Starts one run now (for `cloud run --via transfer`). */
  startManualRun(parent: string, at: Date = new Date()) {
    const requestedRunTime = { seconds: Math.floor(at.getTime() / 1000), nanos: 0 };
    return this.call("StartManualTransferRuns", parent, async (o) => (await this.client.startManualTransferRuns({ parent, requestedRunTime }, o))[0].runs ?? [], "quota");
  }
  getTransferRun(name: string) {
    return this.call("GetTransferRun", name, async (o) => (await this.client.getTransferRun({ name }, o))[0]);
  }
  /** One page of a config's runs (newest first, as the service orders them). */
  listTransferRuns(parent: string, page: { pageSize?: number; pageToken?: string } = {}) {
    return this.call("ListTransferRuns", parent, async (o) => {
      const [runs, , raw] = (await this.client.listTransferRuns({ parent, ...page }, { ...o, autoPaginate: false })) as unknown as [TransferRun[], unknown, { nextPageToken?: string | null } | undefined];
      return { runs, nextPageToken: raw?.nextPageToken || undefined };
    });
  }
  listTransferLogs(parent: string) {
    return this.call("ListTransferLogs", parent, async (o) => (await this.client.listTransferLogs({ parent }, { ...o, autoPaginate: false }))[0] as TransferMessage[]);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * `params` is a google.protobuf.Struct: the client takes and gives it as `{fields: {k: {stringValue}}}`
 * (on the wire it is plain JSON). vwatch handles plain objects of strings, numbers and booleans.
 */
function structParams(config: TransferConfig): ProtoTransferConfig {
  const params = config.params;
  if (!params) return config as ProtoTransferConfig;
  const value = (v: unknown) => (typeof v === "number" ? { numberValue: v } : typeof v === "boolean" ? { boolValue: v } : { stringValue: String(v) });
  return { ...config, params: { fields: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, value(v)])) } } as ProtoTransferConfig;
}

function plainParams(config: ProtoTransferConfig): TransferConfig {
  const fields = (config.params as { fields?: Record<string, any> } | null | undefined)?.fields;
  if (!fields) return { ...config, params: undefined };
  const plain = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v?.stringValue ?? v?.numberValue ?? v?.boolValue ?? null]));
  return { ...config, params: plain as never };
}
