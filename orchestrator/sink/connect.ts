/**
 * The PostgreSQL sink: one connection with an `execute(sql, params)` seam, transactions and
 * COPY FROM STDIN. Every failure becomes a SinkError that names host, port and database and
 * never the password.
 */
import { pipeline } from "stream/promises";
import { Readable } from "stream";
import { Client, type ClientConfig } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { createWriteStream } from "fs";
import type { Config } from "../config";
import { SinkError } from "../errors";
import { log } from "../log";

export interface ExecuteResult<T> {
  rows: T[];
  rowCount: number;
}

export class PgSink {
  private inTransaction = false;

  private constructor(
    private readonly client: Client,
    /** host:port/database as a person would look for it; never the password. */
    readonly target: string,
    private readonly secret: string | undefined,
    private readonly onClose: () => Promise<void>,
  ) {}

  /** Connects with a pg client config (connectionString and/or host, port, …; PG* env vars fill the rest). */
  static async connect(options: ClientConfig, onClose: () => Promise<void> = async () => {}): Promise<PgSink> {
    const client = new Client({ connectionTimeoutMillis: 10_000, ...options });
    const c = client as unknown as { host: string; port: number; database: string; user: string; password?: string };
    const target = `${c.host}:${c.port}/${c.database}`;
    const secret = typeof c.password === "string" && c.password ? c.password : undefined;
    // A broken connection emits "error" outside any query; the next query reports it.
    client.on("error", () => undefined);
    try {
      await client.connect();
      // Timestamps without a zone (DuckDB TIMESTAMP) mean UTC, as in BigQuery.
      await client.query("set time zone 'UTC'");
    } catch (e) {
      await client.end().catch(() => undefined);
      await onClose().catch(() => undefined);
      throw sinkError(e, target, `user ${c.user}`, secret);
    }
    return new PgSink(client, target, secret, onClose);
  }

  async execute<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<ExecuteResult<T>> {
    return this.guard(sql, async () => {
      const result = await this.client.query(sql, params);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
    });
  }

  /** Runs fn, turning any failure into a SinkError that names the server and the statement, never the password. */
  private async guard<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw sinkError(e, this.target, firstWords(sql), this.secret);
    }
  }

  /** Runs fn inside BEGIN … COMMIT; any error rolls everything back and is rethrown. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new SinkError("nested transactions are not supported");
    await this.execute("begin");
    this.inTransaction = true;
    try {
      const result = await fn();
      await this.execute("commit");
      return result;
    } catch (e) {
      await this.client.query("rollback").catch(() => undefined);
      throw e;
    } finally {
      this.inTransaction = false;
    }
  }

  /** COPY … FROM STDIN fed with text chunks; returns the rows copied. */
  async copyIn(sql: string, chunks: Iterable<string>): Promise<number> {
    return this.guard(sql, async () => {
      const stream = this.client.query(copyFrom(sql));
      await pipeline(Readable.from(chunks, { objectMode: false }), stream);
      return Number(stream.rowCount ?? 0);
    });
  }

  /** The result columns of a query, without running it to completion (PostgreSQL type OIDs). */
  async describe(sql: string): Promise<{ name: string; dataTypeID: number }[]> {
    return this.guard(sql, async () => {
      const result = await this.client.query(`select * from (${sql}) as described limit 0`);
      return result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
    });
  }

  /** COPY … TO STDOUT into a file. */
  async copyOut(sql: string, file: string): Promise<void> {
    return this.guard(sql, () => pipeline(this.client.query(copyTo(sql)), createWriteStream(file)));
  }

  async close(): Promise<void> {
    try {
      await this.client.end().catch(() => undefined);
    } finally {
      await this.onClose();
    }
  }
}

/** DATABASE_URL, else PG* variables; undefined when neither is set (use embedded PostgreSQL). */
function connectionFromEnv(config: Pick<Config, "databaseUrl">, env: NodeJS.ProcessEnv = process.env): ClientConfig | undefined {
  if (config.databaseUrl) return { connectionString: config.databaseUrl };
  const pgVars = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE"];
  if (pgVars.some((name) => env[name])) return {};
  return undefined;
}

/**
 * Opens the configured PostgreSQL, or starts the embedded one under <home>/postgres when no
 * connection is configured; closing the sink stops a server it started.
 */
export async function openSink(
  config: Pick<Config, "databaseUrl" | "home">,
  env: NodeJS.ProcessEnv = process.env,
  /** Extra client settings, e.g. `options` for a search_path. */
  extra: ClientConfig = {},
): Promise<PgSink> {
  const configured = connectionFromEnv(config, env);
  if (configured) return PgSink.connect({ ...configured, ...extra });
  const { startEmbeddedPostgres } = await import("./embedded");
  const server = await startEmbeddedPostgres(config.home);
  log.info(`using embedded PostgreSQL at ${server.connection.host}:${server.connection.port}/${server.connection.database}`);
  return PgSink.connect({ ...server.connection, ...extra }, () => server.stop());
}

/** Opens the sink, runs fn, and closes it (stopping an embedded server it started). */
export async function withSink<T>(config: Pick<Config, "databaseUrl" | "home">, fn: (sink: PgSink) => Promise<T>): Promise<T> {
  const sink = await openSink(config);
  try {
    return await fn(sink);
  } finally {
    await sink.close();
  }
}

const REASONS: Record<string, string> = {
  "28P01": "authentication failed",
  "28000": "authentication rejected",
  "3D000": "database does not exist",
  "42501": "permission denied",
  "57014": "statement timeout or cancelled",
  "55P03": "lock not available",
  "25P02": "transaction aborted",
  "57P01": "server shut down",
};
const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE"]);

/** A pg or network error as a SinkError naming the server; the password is scrubbed if it ever appears. */
export function sinkError(e: unknown, target: string, doing: string, secret?: string): SinkError {
  if (e instanceof SinkError) return e;
  const err = e as { code?: string; message?: string };
  const code = err.code ?? "";
  let text = err.message ?? String(e);
  if (/timeout expired|Connection terminated due to connection timeout/i.test(text) || NETWORK.has(code)) {
    text = `cannot reach PostgreSQL at ${target} (${code || "connection timeout"}): ${text}`;
  } else {
    const reason = REASONS[code] ?? "PostgreSQL error";
    text = `${reason} at ${target} (${doing}${code ? `, SQLSTATE ${code}` : ""}): ${text}`;
  }
  const leaked = Boolean(secret && text.includes(secret));
  if (secret) text = text.split(secret).join("***");
  return new SinkError(text, { cause: leaked ? undefined : e });
}

function firstWords(sql: string): string {
  return sql.replace(/\s+/g, " ").trim().split(" ").slice(0, 3).join(" ").toLowerCase();
}
