/**
 * The production warehouse: BigQuery through @google-cloud/bigquery, authenticated with
 * Application Default Credentials. With `apiEndpoint` on the loopback interface (an emulator
 * or the tests' fake) requests carry no credentials.
 *
 * Every statement runs as a query job in the configured location with the configured labels.
 * query() binds named parameters (@name) and returns plain JS values, as the DuckDB adapter
 * does: INT64 → number when safe, else string; FLOAT64/NUMERIC → number; DATE, DATETIME, TIME
 * → strings as BigQuery writes them ('YYYY-MM-DD', …); TIMESTAMP → ISO string with Z
 * (millisecond precision); BOOL → boolean; arrays and structs → arrays and objects.
 */
import { BigQuery, type Job, type TableField } from "@google-cloud/bigquery";
import type { Target } from "../../compile/graph";
import { WarehouseError } from "../../errors";
import { bigqueryTableName } from "../../sql/names";
import { standardName } from "../../sql/types";
import type { StatementBuilder } from "../statements";
import { firstLine, safeInteger, type Column, type ExecuteResult, type TableMetadata, type Warehouse } from "../warehouse";
import { LOOPBACK } from "./credentials";
import { bigqueryStatements } from "./statements";

export interface BigQueryWarehouseOptions {
  projectId: string;
  location?: string;
  labels?: Record<string, string>;
  apiEndpoint?: string;
  /** Project of targets that name none (workflow_settings.yaml defaultProject). */
  defaultDatabase?: string;
  /** Dataset of targets that name none (workflow_settings.yaml defaultDataset). */
  defaultSchema?: string;
  /** The project's location (workflow_settings.yaml defaultLocation), for the datasets the plan creates. */
  defaultLocation?: string;
  /** First wait between job status polls; doubles up to 5 s. Default 250 ms. */
  pollIntervalMs?: number;
}

interface JobStatus {
  state?: string;
  errorResult?: { message?: string; reason?: string; location?: string };
}

interface JobStatistics {
  totalBytesProcessed?: string;
  query?: { totalBytesProcessed?: string; numDmlAffectedRows?: string; statementType?: string };
}

export class BigQueryWarehouse implements Warehouse {
  readonly dialect = "bigquery" as const;
  readonly local = false;

  constructor(
    private readonly client: BigQuery,
    private readonly opts: BigQueryWarehouseOptions,
  ) {}

  async execute(sql: string, options: { dryRun?: boolean } = {}): Promise<ExecuteResult> {
    const job = await this.submit(sql, { dryRun: options.dryRun });
    if (options.dryRun) return { bytesProcessed: bytesOf(job.metadata?.statistics) };
    const stats = await this.wait(job, sql);
    const result: ExecuteResult = { bytesProcessed: bytesOf(stats) };
    const query = stats?.query;
    if (query?.numDmlAffectedRows !== undefined) {
      result.rows = Number(query.numDmlAffectedRows);
    } else if (query?.statementType === "SELECT") {
      const [, , response] = await this.guard(sql, () => job.getQueryResults({ maxResults: 0, autoPaginate: false }));
      if (response?.totalRows !== undefined) result.rows = Number(response.totalRows);
    }
    return result;
  }

  async query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    const job = await this.submit(sql, { params });
    await this.wait(job, sql);
    const out: Record<string, unknown>[] = [];
    let pageToken: string | undefined;
    do {
      const [, , response] = await this.guard(sql, () =>
        job.getQueryResults({ autoPaginate: false, skipParsing: true, ...(pageToken ? { pageToken } : {}) }),
      );
      const fields = (response?.schema?.fields ?? []) as TableField[];
      for (const row of (response?.rows ?? []) as FvRow[]) out.push(record(fields, row));
      pageToken = response?.pageToken ?? undefined;
    } while (pageToken);
    return out as T[];
  }

  /** Hand-written SQL is BigQuery SQL already. */
  async run<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return this.query<T>(sql, params);
  }

  relation(target: Target): string {
    return bigqueryTableName(target, { defaultDatabase: this.opts.defaultDatabase, defaultSchema: this.opts.defaultSchema });
  }

  async statements(): Promise<StatementBuilder> {
    return bigqueryStatements({ defaultDatabase: this.opts.defaultDatabase, defaultSchema: this.opts.defaultSchema, defaultLocation: this.opts.defaultLocation });
  }

  /** A dry-run job: the bytes the statement would scan, as BigQuery estimates them. */
  async estimateBytes(sql: string): Promise<number | undefined> {
    return (await this.execute(sql, { dryRun: true })).bytesProcessed;
  }

  async tableMetadata(target: Target): Promise<TableMetadata | undefined> {
    if (!target.schema) throw new WarehouseError(`table ${target.name} has no dataset`);
    const projectId = target.database ?? this.opts.defaultDatabase ?? this.opts.projectId;
    let metadata: { type?: string; schema?: { fields?: TableField[] } };
    try {
      [metadata] = await this.client.dataset(target.schema, { projectId }).table(target.name).getMetadata();
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw new WarehouseError(`cannot read ${projectId}.${target.schema}.${target.name}: ${(e as Error).message}`, { cause: e });
    }
    return {
      target,
      kind: metadata.type === "VIEW" || metadata.type === "MATERIALIZED_VIEW" ? "view" : "table",
      columns: (metadata.schema?.fields ?? []).map((f): Column => ({ name: f.name ?? "", type: columnType(f) })),
    };
  }

  async jobBytes(jobId: string): Promise<number | undefined> {
    let metadata: { statistics?: JobStatistics } | undefined;
    try {
      [metadata] = await this.client.job(jobId, { location: this.opts.location }).getMetadata();
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw new WarehouseError(`cannot read BigQuery job ${jobId}: ${(e as Error).message}`, { cause: e });
    }
    const bytes = metadata?.statistics?.totalBytesProcessed ?? metadata?.statistics?.query?.totalBytesProcessed;
    return bytes === undefined || bytes === null ? undefined : Number(bytes);
  }

  async close(): Promise<void> {
    // The REST client holds no connection that needs closing.
  }

  private async submit(sql: string, o: { dryRun?: boolean; params?: Record<string, unknown> }): Promise<Job> {
    const types: Record<string, string> = {};
    for (const [name, value] of Object.entries(o.params ?? {})) if (value === null || value === undefined) types[name] = "STRING";
    const [job] = await this.guard(sql, () =>
      this.client.createQueryJob({
        query: sql,
        useLegacySql: false,
        location: this.opts.location,
        labels: this.opts.labels,
        dryRun: o.dryRun,
        ...(o.params ? { params: o.params, types } : {}),
      }),
    );
    return job;
  }

  /** Polls the job until DONE; a failed job becomes a WarehouseError with its message. */
  private async wait(job: Job, sql: string): Promise<JobStatistics | undefined> {
    let metadata = job.metadata as { status?: JobStatus; statistics?: JobStatistics } | undefined;
    let delay = this.opts.pollIntervalMs ?? 250;
    while (metadata?.status?.state !== "DONE") {
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
      [metadata] = await this.guard(sql, () => job.getMetadata());
    }
    const failure = metadata.status?.errorResult;
    if (failure) throw this.jobError(sql, failure.message ?? failure.reason ?? "job failed", job.id, undefined);
    return metadata.statistics;
  }

  private async guard<R>(sql: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof WarehouseError) throw e;
      const api = e as { message?: string; errors?: { message?: string }[]; response?: { jobReference?: { jobId?: string } } };
      const message = api.errors?.[0]?.message ?? api.message ?? String(e);
      throw this.jobError(sql, message, api.response?.jobReference?.jobId, e);
    }
  }

  private jobError(sql: string, message: string, jobId: string | undefined, cause: unknown): WarehouseError {
    const where = [this.opts.location && `location ${this.opts.location}`, jobId && `job ${jobId}`].filter(Boolean).join(", ");
    return new WarehouseError(`BigQuery: ${message}${where ? ` (${where})` : ""}\n  in: ${firstLine(sql)}`, { cause });
  }
}

export function openBigQuery(opts: BigQueryWarehouseOptions): BigQueryWarehouse {
  const local = opts.apiEndpoint !== undefined && LOOPBACK.test(opts.apiEndpoint);
  const client = new BigQuery({
    projectId: opts.projectId,
    location: opts.location,
    apiEndpoint: opts.apiEndpoint,
    // A client that adds no credentials: emulators and fakes do not check them, and looking up
    // Application Default Credentials would probe the GCE metadata server.
    ...(local ? { authClient: { getRequestHeaders: async () => new Headers() } as never } : {}),
  });
  return new BigQueryWarehouse(client, opts);
}

function bytesOf(stats: JobStatistics | undefined): number | undefined {
  const bytes = stats?.query?.totalBytesProcessed ?? stats?.totalBytesProcessed;
  return bytes === undefined || bytes === null ? undefined : Number(bytes);
}

/** A column type in Standard SQL names: INTEGER → INT64, RECORD → STRUCT, REPEATED → ARRAY<…>. */
function columnType(field: TableField): string {
  const base = standardName(String(field.type ?? ""));
  return field.mode === "REPEATED" ? `ARRAY<${base}>` : base;
}

interface FvRow {
  f: { v: unknown }[];
}

function record(fields: TableField[], row: FvRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fields.forEach((field, i) => (out[field.name ?? `f${i}`] = value(field, row.f[i]?.v)));
  return out;
}

function value(field: TableField, v: unknown): unknown {
  if (v === null || v === undefined) return field.mode === "REPEATED" ? [] : null;
  if (field.mode === "REPEATED") return (v as { v: unknown }[]).map((item) => value({ ...field, mode: "NULLABLE" }, item.v));
  const type = columnType(field);
  if (type === "STRUCT") return record(field.fields ?? [], v as FvRow);
  const text = String(v);
  switch (type) {
    case "INT64":
      return safeInteger(text);
    case "FLOAT64":
    case "NUMERIC":
    case "BIGNUMERIC":
      return Number(text);
    case "BOOL":
      return text === "true";
    case "TIMESTAMP":
      // formatOptions.useInt64Timestamp (the client's default): microseconds since the epoch.
      return new Date(/^-?\d+$/.test(text) ? Number(BigInt(text) / 1000n) : Number(text) * 1000).toISOString();
    default:
      return text;
  }
}
