/**
 * EXTERNAL_QUERY("connection", "postgres sql") is a table-valued function whose columns depend on
 * the inner query. ZetaSQL gives a table-valued function one output schema, so each distinct inner
 * query gets its own function: the call's name is replaced by an alias of the same length
 * (EXTQ_ + 9 hex digits), which keeps every line and column of the statement where it was, and
 * the alias is registered with the columns the inner query returns on the application's schema.
 */
import { externalCallAt, type ExternalQuery } from "../sql/external-query";
import { lex } from "../sql/lexer";

const NAME = "EXTERNAL_QUERY";

export interface ExternalCall {
  /** Same length as EXTERNAL_QUERY. */
  alias: string;
  query: ExternalQuery;
  /** Offset of the EXTERNAL_QUERY name in the statement. */
  at: number;
}

/** The alias standing for one inner query (stable: derived from the connection and the query). */
const aliasOf = (query: ExternalQuery) => `EXTQ_${query.table.replace(/^q_/, "").slice(0, NAME.length - 5)}`;

/**
 * Renames every EXTERNAL_QUERY call whose arguments are string literals. Calls it cannot read
 * stay as they are (ZetaSQL then reports the function as unknown).
 */
export function aliasExternalQueries(sql: string): { sql: string; calls: ExternalCall[] } {
  if (!/external_query/i.test(sql)) return { sql, calls: [] };
  const tokens = lex(sql, "bigquery");
  const calls: ExternalCall[] = [];
  let out = "";
  let at = 0;
  for (let i = 0; i < tokens.length; i++) {
    // Calls whose arguments are not string literals stay, for ZetaSQL to report.
    const query = externalCallAt(tokens, i)?.query;
    const text = query ? aliasOf(query) : tokens[i].text;
    if (query) calls.push({ alias: text, query, at });
    out += text;
    at += tokens[i].text.length;
  }
  return { sql: out, calls };
}

/** A ZetaSQL message with aliases spelled EXTERNAL_QUERY again. */
export function unalias(message: string, calls: ExternalCall[]): string {
  let out = message;
  for (const c of calls) out = out.split(c.alias).join(NAME).split(c.alias.toLowerCase()).join(NAME).split(c.alias.toUpperCase()).join(NAME);
  return out;
}
