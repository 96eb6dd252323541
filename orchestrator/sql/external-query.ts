/**
 * BigQuery's EXTERNAL_QUERY("connection", "postgres sql") runs the inner query on the
 * application's PostgreSQL. The local warehouse cannot reach it from SQL, so before a statement
 * is translated each call is cut out and replaced by the name of a local table that the runner
 * fills from the configured PostgreSQL (warehouse/duckdb/external-query.ts). The replacement name is a backtick
 * `dataset.table`, which the translator maps to a DuckDB relation like any other.
 */
import { createHash } from "crypto";
import { UnsupportedSqlError } from "../errors";
import { isWord, lex, matchParen, nextCode, splitArgs, type Token } from "./lexer";

export const EXTERNAL_SCHEMA = "vw__external";

export interface ExternalQuery {
  /** The local table standing in for the call: schema EXTERNAL_SCHEMA, this name. */
  table: string;
  connection: string;
  /** The PostgreSQL query, as PostgreSQL will receive it. */
  sql: string;
}

/** Replaces every EXTERNAL_QUERY(…) call in a BigQuery statement; `file` names it in errors. */
export function extractExternalQueries(sql: string, file?: string): { sql: string; queries: ExternalQuery[] } {
  if (!/external_query/i.test(sql)) return { sql, queries: [] };
  const tokens = lex(sql, "bigquery");
  const queries: ExternalQuery[] = [];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const call = externalCallAt(tokens, i);
    if (!call) {
      out.push(tokens[i].text);
      continue;
    }
    if (!call.query) {
      throw new UnsupportedSqlError(
        "EXTERNAL_QUERY form",
        `${file ?? "SQL"}: EXTERNAL_QUERY needs a connection id and a query as string literals, e.g. EXTERNAL_QUERY("app", """select id from t""")`,
      );
    }
    const q = call.query;
    if (!queries.some((e) => e.table === q.table)) queries.push(q);
    out.push(`\`${EXTERNAL_SCHEMA}.${q.table}\``);
    i = call.close;
  }
  return { sql: out.join(""), queries };
}

/**
 * The EXTERNAL_QUERY call whose name is token i: the token that closes it and, when its arguments
 * are string literals (a connection id, a query, optional options), the query. Undefined when no
 * call starts there.
 */
export function externalCallAt(tokens: Token[], i: number): { close: number; query?: ExternalQuery } | undefined {
  const open = nextCode(tokens, i + 1);
  if (!isWord(tokens[i], "EXTERNAL_QUERY") || tokens[open]?.text !== "(") return undefined;
  const close = matchParen(tokens, open);
  const args = splitArgs(tokens, open, close < 0 ? tokens.length : close).map(literal);
  if (close < 0 || args.length < 2 || args.length > 3 || args.some((a) => a === undefined)) return { close };
  const [connection, query] = args as string[];
  const inner = query.trim().replace(/;\s*$/, "");
  const table = `q_${createHash("sha256").update(`${connection}\n${inner}`).digest("hex").slice(0, 16)}`;
  return { close, query: { table, connection, sql: inner } };
}

/** The value of an argument that is one BigQuery string literal, else undefined. */
function literal(arg: Token[]): string | undefined {
  const code = arg.filter((t) => t.kind !== "ws" && t.kind !== "comment");
  if (code.length !== 1 || code[0].kind !== "string") return undefined;
  return decodeString(code[0].text);
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", a: "\x07", "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?" };

/** A BigQuery string literal's value: '…', "…", '''…''', """…""", r-prefixed raw strings. */
function decodeString(token: string): string | undefined {
  const prefix = /^[rRbB]*/.exec(token)![0];
  if (/b/i.test(prefix)) return undefined;
  const body = token.slice(prefix.length);
  const q = body.startsWith("'''") || body.startsWith('"""') ? body.slice(0, 3) : body[0];
  const inner = body.slice(q.length, body.length - q.length);
  if (/r/i.test(prefix)) return inner;
  return inner.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/gs, (_, e: string) => {
    if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCodePoint(parseInt(e, 8));
    return ESCAPES[e] ?? e;
  });
}
