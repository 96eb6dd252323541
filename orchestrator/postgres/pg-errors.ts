import type { PgLimits } from "../config";
import { ConfigError, SinkError, type VwatchError } from "../errors";

/**
 * PostgreSQL and network errors as one line a person can act on: a SinkError naming the server
 * (exit 1), or a ConfigError when the connection settings cannot work as given (exit 2). Never the
 * password.
 */
export type ConnectionSource = "DATABASE_URL" | "PG* variables" | "embedded";

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
export function connectError(
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
export function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    NETWORK.has(err.code ?? "") ||
    /^57P0/.test(err.code ?? "") ||
    err.code === "25P03" ||
    /not queryable|Connection terminated|Client was closed/i.test(err.message ?? "")
  );
}

export function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("***") : text;
}

/** The statement's first words, up to its first parenthesis: "lock table data_pipeline_mentionspike", "select exists". */
export function firstWords(sql: string): string {
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
