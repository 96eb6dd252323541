/**
 * Runs a BigQuery script as `vwatch render script` writes it on the local DuckDB warehouse,
 * statement by statement through the project's translator, so the script a scheduled query runs
 * is checked locally too. It knows exactly the script forms the renderer writes
 * (warehouse/bigquery/script.ts) and refuses anything else by name:
 * - `DECLARE v DATE DEFAULT @param;` binds v to the given parameter's day;
 * - `DECLARE v STRING DEFAULT @@script.job_id;` binds v to a new id (`script_` and a UUID), as
 *   BigQuery gives each script job its own;
 * - `create schema if not exists`, `create or replace table|view … as QUERY` (BigQuery's
 *   partition/cluster/options clauses dropped: DuckDB has no such storage options), with QUERY
 *   translated; a view bound to the day through `EXECUTE IMMEDIATE REPLACE(…)` likewise;
 * - MERGE, INSERT, DROP translated whole (the translator takes a MERGE's parts apart itself);
 * - `IF NOT EXISTS (…) THEN … ELSE … END IF;` (not nested): the condition translated and asked;
 * - `ASSERT expr AS 'message';` fails with the message when expr is not true;
 * - `alter table|view … set options(…)` (descriptions and labels) skipped: DuckDB keeps comments
 *   otherwise, and the equivalence is about tables, their columns and rows.
 * It lives next to the DuckDB adapter (not in a test) because it is a DuckDB reading of BigQuery
 * script syntax, like the adapter's statement builder, and is unit-tested on its own.
 */
import { randomUUID } from "crypto";
import { AssertionFailure, UnsupportedSqlError } from "../../errors";
import { duckdbSchemaName } from "../../sql/duckdb-names";
import { isWord, lex, nextCode, type Token } from "../../sql/lexer";
import { VIEW_DAY_PLACEHOLDER, VIEW_EXECUTE } from "../bigquery/script";
import { createOrReplace } from "./statements";

export interface ScriptRunnerContext {
  defaultDatabase?: string;
  defaultSchema?: string;
  /** Query parameters' values: a DATE as YYYY-MM-DD (e.g. {run_date: "2026-11-27"}). */
  params: Record<string, string>;
  /** BigQuery → DuckDB, the project's translator. */
  translate(sql: string): Promise<string>;
  /** Runs DuckDB SQL. */
  execute(sql: string): Promise<unknown>;
  /** Runs a DuckDB query. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

export interface ScriptRunSummary {
  /** Statements run (branches not taken are not counted). */
  statements: number;
  /** Metadata statements skipped. */
  skipped: number;
  /** The branch each IF took, in order: "then" (the table was missing) or "else". */
  branches: ("then" | "else")[];
}

type Chunk = { text: string; tokens: Token[] };

export async function runBigQueryScript(script: string, ctx: ScriptRunnerContext): Promise<ScriptRunSummary> {
  const summary: ScriptRunSummary = { statements: 0, skipped: 0, branches: [] };
  const variables = new Map<string, string>();
  const chunks = splitStatements(script);
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    const first = nextCode(chunk.tokens, 0);
    if (isWord(chunk.tokens[first], "IF")) {
      const branches = collectIf(chunks, i);
      const condition = await ctx.query(await ctx.translate(`SELECT (${bind(branches.condition, variables)}) AS ok`));
      const taken = condition[0]?.ok === true ? "then" : "else";
      summary.branches.push(taken);
      for (const s of taken === "then" ? branches.then : branches.else) await statement(s, ctx, variables, summary);
      i = branches.end;
      continue;
    }
    await statement(chunk.text, ctx, variables, summary);
  }
  return summary;
}

async function statement(sql: string, ctx: ScriptRunnerContext, variables: Map<string, string>, summary: ScriptRunSummary): Promise<void> {
  const text = sql.trim();
  const declare = /^DECLARE\s+(\w+)\s+DATE\s+DEFAULT\s+@(\w+)$/i.exec(text);
  if (declare) {
    const day = ctx.params[declare[2]];
    if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UnsupportedSqlError(`@${declare[2]}`, `the script reads @${declare[2]}: give it as a YYYY-MM-DD parameter`);
    variables.set(declare[1].toLowerCase(), `date '${day}'`);
    return;
  }
  const jobId = /^DECLARE\s+(\w+)\s+STRING\s+DEFAULT\s+@@script\.job_id$/i.exec(text);
  if (jobId) {
    variables.set(jobId[1].toLowerCase(), `'script_${randomUUID()}'`);
    return;
  }
  VIEW_EXECUTE.lastIndex = 0;
  const view = VIEW_EXECUTE.exec(`${text}${text.endsWith(";") ? "" : ";"}`);
  const body = view ? view[1].split(VIEW_DAY_PLACEHOLDER).join(variables.get(view[2].toLowerCase()) ?? "NULL") : bind(text, variables);
  if (/^alter\s+(table|view)\b/i.test(body)) {
    summary.skipped++;
    return;
  }
  summary.statements++;
  const schema = /^create\s+schema\s+if\s+not\s+exists\s+`([^`.]+)\.([^`.]+)`/i.exec(body);
  if (schema) return void (await ctx.execute(`create schema if not exists ${duckdbSchemaName({ database: schema[1], schema: schema[2], name: "" }, ctx.defaultDatabase)}`));
  const create = /^create\s+or\s+replace\s+(?:materialized\s+)?(table|view)\s+(`[^`]+`)/i.exec(body);
  if (create) {
    const query = queryAfterAs(body.slice(create[0].length));
    const relation = (await ctx.translate(`select * from ${create[2]}`)).replace(/^SELECT \* FROM /i, "");
    return void (await ctx.execute(createOrReplace(relation, create[1].toLowerCase() as "table" | "view", await ctx.translate(query))));
  }
  const assert = /^ASSERT\s+([\s\S]+)\s+AS\s+('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")$/i.exec(body);
  if (assert) {
    const [row] = await ctx.query(await ctx.translate(`SELECT (${assert[1]}) AS ok`));
    if (row?.ok !== true) throw new AssertionFailure(JSON.parse(assert[2].startsWith('"') ? assert[2] : `"${assert[2].slice(1, -1).replace(/"/g, '\\"')}"`));
    return;
  }
  if (/^(merge|insert|drop|delete|update)\b/i.test(body)) return void (await ctx.execute(await ctx.translate(body)));
  throw new UnsupportedSqlError(`script statement ${body.split("\n")[0].slice(0, 60)}`, "the statements `vwatch render script` writes");
}

/** The text after the first top-level AS of `create … NAME [partition by …] [cluster by …] [OPTIONS(…)] as QUERY`. */
function queryAfterAs(rest: string): string {
  const tokens = lex(rest, "bigquery");
  let depth = 0;
  let at = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === "(") depth++;
    if (t.kind === "punct" && t.text === ")") depth--;
    at += t.text.length;
    if (depth === 0 && isWord(t, "AS")) return rest.slice(at);
  }
  throw new UnsupportedSqlError("CREATE without AS", "create or replace table … as select …");
}

/** Script variables → their literal (a day, the run id) (words only: strings, comments and quoted names are untouched). */
function bind(sql: string, variables: Map<string, string>): string {
  if (!variables.size) return sql;
  return lex(sql, "bigquery")
    .map((t) => (t.kind === "word" && variables.has(t.text.toLowerCase()) ? variables.get(t.text.toLowerCase())! : t.text))
    .join("");
}

/** Top-level statements, cut at `;` outside strings, comments and quoted names; comment-only pieces dropped. */
export function splitStatements(script: string): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Token[] = [];
  const flush = () => {
    if (current.some((t) => t.kind !== "ws" && t.kind !== "comment")) {
      const start = nextCode(current, 0);
      const tokens = current.slice(start);
      chunks.push({ text: tokens.map((t) => t.text).join("").trim(), tokens });
    }
    current = [];
  };
  for (const t of lex(script, "bigquery")) {
    if (t.kind === "punct" && t.text === ";") flush();
    else current.push(t);
  }
  flush();
  return chunks;
}

/** `IF cond THEN s1; s2; ELSE s3; END IF` over the chunks from `i`: its parts and the index of END IF. */
function collectIf(chunks: Chunk[], i: number): { condition: string; then: string[]; else: string[]; end: number } {
  const head = chunks[i].tokens;
  let depth = 0;
  let thenAt = -1;
  for (let j = 0; j < head.length; j++) {
    const t = head[j];
    if (t.kind === "punct" && t.text === "(") depth++;
    if (t.kind === "punct" && t.text === ")") depth--;
    if (depth === 0 && isWord(t, "THEN")) {
      thenAt = j;
      break;
    }
  }
  if (thenAt < 0) throw new UnsupportedSqlError("IF without THEN", "IF cond THEN … ELSE … END IF");
  const condition = head.slice(nextCode(head, 0) + 1, thenAt).map((t) => t.text).join("");
  const out = { condition, then: [] as string[], else: [] as string[], end: -1 };
  let branch = out.then;
  const push = (text: string) => text.trim() && branch.push(text.trim());
  push(head.slice(thenAt + 1).map((t) => t.text).join(""));
  for (let k = i + 1; k < chunks.length; k++) {
    const tokens = chunks[k].tokens;
    const w = nextCode(tokens, 0);
    if (isWord(tokens[w], "END") && isWord(tokens[nextCode(tokens, w + 1)], "IF")) return { ...out, end: k };
    if (isWord(tokens[w], "IF")) throw new UnsupportedSqlError("a nested IF", "one level of IF, as `vwatch render script` writes");
    if (isWord(tokens[w], "ELSE")) {
      branch = out.else;
      push(tokens.slice(w + 1).map((t) => t.text).join(""));
      continue;
    }
    push(chunks[k].text);
  }
  throw new UnsupportedSqlError("IF without END IF", "IF cond THEN … ELSE … END IF");
}
