/**
 * The PostgreSQL sink: one connection with an `execute(sql, params)` seam, transactions and
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
import { ConfigError, SinkError, type VwatchError } from "../errors";
import { log } from "../log";

export interface ExecuteResult<T> {
  rows: T[];
  rowCount: number;
}

/** Where the connection settings came from, for messages that say what to fix. */
export type ConnectionSource = "DATABASE_URL" | "PG* variables" | "embedded";

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

/** Opens the sink, runs fn, and closes it (stopping an embedded server it started). */
export async function withSink<T>(config: SinkConfig, fn: (sink: PgSink) => Promise<T>, extra: ClientConfig = {}): Promise<T> {
  const sink = await openSink(config, process.env, extra);
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
/** Why a bound was hit and which setting raises it. */
const LIMIT_HINTS: Record<string, (limits: PgLimits) => string> = {
  "57014": (l) => `; statements are cancelled after ${l.statementSeconds} s (statement_timeout, VWATCH_PG_STATEMENT_TIMEOUT)`,
  "55P03": (l) => `; another session held the lock for more than ${l.lockSeconds} s (lock_timeout, VWATCH_PG_LOCK_TIMEOUT)`,
};
const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE"]);

/** A pg or network error as a SinkError naming the server; the password is scrubbed if it ever appears. */
export function sinkError(e: unknown, target: string, doing: string, secret?: string, limits?: PgLimits): SinkError {
  if (e instanceof SinkError) return e;
  const err = e as { code?: string; message?: string };
  const code = err.code ?? "";
  let text = err.message ?? String(e);
  if (/timeout expired|Connection terminated due to connection timeout/i.test(text) || NETWORK.has(code)) {
    text = `cannot reach PostgreSQL at ${target} (${code || "connection timeout"}): ${text}`;
  } else {
    const reason = REASONS[code] ?? "PostgreSQL error";
    const hint = limits && LIMIT_HINTS[code] ? LIMIT_HINTS[code](limits) : "";
    text = `${reason} at ${target} (${doing}${code ? `, SQLSTATE ${code}` : ""}): ${text}${hint}`;
  }
  const leaked = Boolean(secret && text.includes(secret));
  return new SinkError(scrub(text, secret), { cause: leaked ? undefined : e });
}

/**
 * A failed connection attempt: a ConfigError (exit 2) when the settings cannot work as given (no
 * such database, wrong or missing password, unknown host), a SinkError (exit 1) when the server is
 * down or unreachable. One line that says what to fix; never the password.
 */
function connectError(
  e: unknown,
  at: { host: string; port: number; database: string; user: string },
  source: ConnectionSource,
  secret: string | undefined,
): VwatchError {
  const err = e as { code?: string; message?: string };
  const code = err.code ?? "";
  const message = scrub(err.message ?? String(e), secret);
  const target = `${at.host}:${at.port}/${at.database}`;
  const where = source === "embedded" ? "the embedded server's settings (remove <home>/postgres to start afresh)" : source;
  if (code === "3D000") {
    return new ConfigError(
      `database "${at.database}" does not exist on PostgreSQL at ${at.host}:${at.port}: create it (createdb -h ${at.host} -p ${at.port} ${at.database}) or fix ${where}`,
    );
  }
  if (code === "28P01") {
    return new ConfigError(`authentication failed for user "${at.user}" at PostgreSQL ${target}: check the user and password in ${where} (SQLSTATE 28P01)`);
  }
  if (code === "28000") {
    return new ConfigError(`PostgreSQL at ${target} does not let user "${at.user}" connect: ${message} (SQLSTATE 28000); check ${where} and the server's pg_hba.conf`);
  }
  if (/password must be a string|no password (was )?(supplied|provided)/i.test(message)) {
    const put = source === "DATABASE_URL" ? `DATABASE_URL (postgres://${at.user}:PASSWORD@${target}) or PGPASSWORD` : source === "PG* variables" ? "PGPASSWORD" : where;
    return new ConfigError(`PostgreSQL at ${target} asks for a password for user "${at.user}" and none was given: put it in ${put}`);
  }
  if (code === "ENOTFOUND") {
    return new ConfigError(`unknown host "${at.host}" in ${where} (ENOTFOUND): fix the host name`);
  }
  if (code === "ECONNREFUSED") {
    return new SinkError(`cannot reach PostgreSQL at ${target} (ECONNREFUSED): is the server running and listening there?`);
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(message) || NETWORK.has(code)) {
    return new SinkError(`cannot reach PostgreSQL at ${target} (${code || "no answer within 10 s"}): ${message}; is the host up and the port open?`);
  }
  if (/^57P0/.test(code)) {
    return new SinkError(`PostgreSQL at ${target} is not accepting connections (${message}, SQLSTATE ${code}): it is starting up or shutting down; try again shortly`);
  }
  return sinkError(e, target, `user ${at.user}`, secret);
}

/** The error of a query on a connection that is no longer there. */
function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    NETWORK.has(err.code ?? "") ||
    /^57P0/.test(err.code ?? "") ||
    err.code === "25P03" ||
    /not queryable|Connection terminated|Client was closed/i.test(err.message ?? "")
  );
}

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("***") : text;
}

/** The statement's first words, up to its first parenthesis: "lock table data_pipeline_mentionspike", "select exists". */
function firstWords(sql: string): string {
  const words: string[] = [];
  for (const word of sql.replace(/\s+/g, " ").trim().toLowerCase().split(" ").slice(0, 3)) {
    const paren = word.indexOf("(");
    if (paren < 0) words.push(word);
    else {
      if (paren > 0) words.push(word.slice(0, paren));
      break;
    }
  }
  return words.join(" ");
}
