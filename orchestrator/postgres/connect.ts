/**
 * A PostgreSQL connection (the sink of the write-back, the source of EXTERNAL_QUERY): one connection with an `execute(sql, params)` seam, transactions and
 * COPY FROM STDIN. Every failure becomes a SinkError that names host, port and database and
 * never the password; a connection that cannot work as configured (no such database, wrong or
 * missing password, unknown host) is a ConfigError.
 *
 * Every session is bounded (config.ts, VWATCH_PG_*): the server ends it when it sits idle inside a
 * transaction (a stopped vwatch must not hold its locks) and cancels long statements and lock
 * waits; TCP keepalive notices a dead peer; and the client gives up on a statement the server
 * does not answer (a frozen backend), closing the connection so the server rolls back.
 */
import { pipeline } from "stream/promises";
import { Readable } from "stream";
import { Client, type ClientConfig } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { createWriteStream } from "fs";
import { DEFAULT_PG_LIMITS, type Config, type PgLimits } from "../config";
import { SinkError } from "../errors";
import { log } from "../log";
import { connectError, firstWords, isConnectionLoss, scrub, sinkError, type ConnectionSource } from "./pg-errors";

export interface ExecuteResult<T> {
  rows: T[];
  rowCount: number;
}

/** Where the connection settings came from, for messages that say what to fix. */

export interface ConnectOptions {
  limits?: PgLimits;
  source?: ConnectionSource;
}

/** The advice ending a lost-connection message; a caller with better advice replaces it. */
export const RETRY_ADVICE = "; check that it runs, then run the command again";

export class PgSink {
  private inTransaction = false;
  /** The error that broke the connection outside any query (the server ended the session), if any. */
  private lost: Error | undefined;
  private gone = false;

  private constructor(
    private readonly client: Client,
    /** host:port/database as a person would look for it; never the password. */
    readonly target: string,
    private readonly secret: string | undefined,
    private readonly onClose: () => Promise<void>,
    readonly limits: PgLimits,
  ) {
    client.on("error", (e) => {
      this.lost ??= e;
    });
    client.on("end", () => {
      this.gone = true;
    });
  }

  /** Connects with a pg client config (connectionString and/or host, port, …; PG* env vars fill the rest). */
  static async connect(options: ClientConfig, onClose: () => Promise<void> = async () => {}, connect: ConnectOptions = {}): Promise<PgSink> {
    const limits = connect.limits ?? DEFAULT_PG_LIMITS;
    const ms = (s: number) => Math.max(1, Math.round(s * 1000));
    const client = new Client({
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: "vwatch",
      ...options,
      // Startup parameters, so they hold from the first statement on.
      statement_timeout: ms(limits.statementSeconds),
      lock_timeout: ms(limits.lockSeconds),
      idle_in_transaction_session_timeout: ms(limits.idleSeconds),
    });
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
      const source = connect.source ?? (options.connectionString ? "DATABASE_URL" : "PG* variables");
      throw connectError(e, { host: c.host, port: c.port, database: c.database, user: c.user }, source, secret);
    }
    return new PgSink(client, target, secret, onClose, limits);
  }

  async execute<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<ExecuteResult<T>> {
    return this.guard(sql, async () => {
      const result = await this.client.query(sql, params);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
    });
  }

  /**
   * Runs fn, bounded by the client timeout, turning any failure into a SinkError that names the
   * server and the statement, never the password. On a timeout the connection is closed: the
   * server rolls back whatever the session had open once it notices.
   */
  private async guard<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    if (this.gone) throw this.lostError(undefined);
    const seconds = this.limits.clientSeconds;
    let timer: NodeJS.Timeout | undefined;
    const work = fn();
    work.catch(() => undefined); // after a timeout, its late failure is no longer anyone's
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.destroy();
        reject(
          new SinkError(
            `no answer from PostgreSQL at ${this.target} for ${seconds} s (${firstWords(sql)}); the server or the network is stalled, vwatch closed the connection (VWATCH_PG_CLIENT_TIMEOUT)`,
          ),
        );
      }, Math.round(seconds * 1000));
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (e) {
      if (e instanceof SinkError) throw e;
      if (this.lost || this.gone || isConnectionLoss(e)) throw this.lostError(e);
      throw sinkError(e, this.target, firstWords(sql), this.secret, this.limits);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Why the connection is gone: the server's own reason when it sent one, else the socket's. */
  private lostError(e: unknown): SinkError {
    this.gone = true;
    const reason = this.lost ?? (e as Error | undefined);
    const code = (reason as { code?: string } | undefined)?.code ?? "";
    const text = scrub((reason as Error | undefined)?.message ?? "connection closed", this.secret);
    if (code === "25P03") {
      return new SinkError(
        `PostgreSQL at ${this.target} ended the session after it sat idle inside its transaction for ${this.limits.idleSeconds} s ` +
          `(idle_in_transaction_session_timeout, VWATCH_PG_IDLE_TIMEOUT); vwatch was stopped or stalled${RETRY_ADVICE}`,
      );
    }
    if (/^57P0/.test(code)) {
      return new SinkError(`PostgreSQL at ${this.target} went away (${text}): the server was stopped or restarted, or an administrator ended the session${RETRY_ADVICE}`);
    }
    return new SinkError(`the connection to PostgreSQL at ${this.target} was lost (${code ? `${code}: ` : ""}${text}): the server or the network went away${RETRY_ADVICE}`);
  }

  /** Whether the connection was lost (the server went away, a statement timed out): a new one is needed. */
  get lostConnection(): boolean {
    return this.gone;
  }

  /** Drops the connection at once (a frozen server would never answer a polite goodbye). */
  private destroy(): void {
    this.gone = true;
    (this.client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
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
      // On a lost connection the server rolls back by itself.
      if (!this.gone) await this.execute("rollback").catch(() => undefined);
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
      if (this.gone) this.destroy();
      else {
        // A polite goodbye, but never waiting on a server that stopped answering.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.client.end().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
        clearTimeout(timer);
        this.destroy();
      }
    } finally {
      await this.onClose();
    }
  }
}

type SinkConfig = Pick<Config, "databaseUrl" | "home"> & Partial<Pick<Config, "postgres">>;

/** DATABASE_URL, else PG* variables; undefined when neither is set (use embedded PostgreSQL). */
function connectionFromEnv(config: SinkConfig, env: NodeJS.ProcessEnv = process.env): { client: ClientConfig; source: ConnectionSource } | undefined {
  if (config.databaseUrl) return { client: { connectionString: config.databaseUrl }, source: "DATABASE_URL" };
  const pgVars = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE"];
  if (pgVars.some((name) => env[name])) return { client: {}, source: "PG* variables" };
  return undefined;
}

/**
 * Opens the configured PostgreSQL, or starts the embedded one under <home>/postgres when no
 * connection is configured; closing the sink stops a server it started.
 */
export async function openSink(
  config: SinkConfig,
  env: NodeJS.ProcessEnv = process.env,
  /** Extra client settings, e.g. `options` for a search_path, or the `application_name`. */
  extra: ClientConfig = {},
): Promise<PgSink> {
  const configured = connectionFromEnv(config, env);
  const limits = config.postgres;
  if (configured) return PgSink.connect({ ...configured.client, ...extra }, undefined, { limits, source: configured.source });
  const { startEmbeddedPostgres } = await import("./embedded");
  const server = await startEmbeddedPostgres(config.home);
  log.info(`using embedded PostgreSQL at ${server.connection.host}:${server.connection.port}/${server.connection.database}`);
  return PgSink.connect({ ...server.connection, ...extra }, () => server.stop(), { limits, source: "embedded" });
}
