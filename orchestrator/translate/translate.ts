/**
 * BigQuery Standard SQL (as Dataform compiles it) → DuckDB SQL for the local warehouse.
 *
 * 1. Names: backtick multi-part table names (`project.dataset.table`, `dataset.table`) become
 *    placeholder identifiers, later replaced by duckdbTableName(); @params become $params.
 * 2. Allow-list: the statement is parsed with polyglot and every AST node kind / function name
 *    must be in ALLOWED (allow-list.ts); anything else throws UnsupportedSqlError.
 * 3. Pre pass (fixes.ts): calls polyglot translates with different results are rewritten into
 *    VW__ placeholders or equivalent BigQuery text; some date parts are rejected.
 * 4. polyglot transpiles BigQuery → DuckDB, statement by statement.
 * 5. Post pass: placeholders expand to DuckDB SQL, names and params are put back, bare DECIMAL
 *    becomes DECIMAL(38, 9) (BigQuery NUMERIC), 1.5 becomes a DOUBLE (BigQuery FLOAT64), and CREATE TABLE/VIEW gets its schema created.
 * docs/local-sql.md lists what is allowed and why the rest is rejected.
 */
import { setFlagsFromString } from "v8";
import { UnsupportedSqlError } from "../errors";
import { duckdbSchemaName, duckdbTableName } from "../sql/duckdb-names";
import type { Target } from "../compile/graph";
import { ADVICE, ALLOWED } from "./allow-list";
import { postRules, preRules, type Reject } from "./fixes";
import { isWord, lex, matchParen, nextCode } from "../sql/lexer";
import { rewriteCalls } from "./rewrite";

export interface TranslateContext {
  defaultDatabase?: string;
  defaultSchema?: string;
  /** The SQLX file the statement comes from, for error messages. */
  file?: string;
}

const UNPARSABLE = "SQL that the translator cannot parse";

/** Whether an error is the translator failing to parse a statement: a syntax error, or BigQuery syntax it does not know. */
export const isUnparsable = (e: unknown): boolean => e instanceof UnsupportedSqlError && e.construct.startsWith(UNPARSABLE);

type Polyglot = typeof import("@polyglot-sql/sdk");
let polyglot: Polyglot | undefined;

export async function initTranslator(): Promise<void> {
  if (polyglot) return;
  // polyglot is WebAssembly. V8 compiles hot WebAssembly again in the background (tier-up), and a
  // process waits for those compile jobs before it exits: after one translation, 5-7 s more on a
  // busy 2-core machine, and the translations themselves ran 3x slower while the compiler took the
  // CPU. The baseline compiler alone translates faster at this size and exits at once. Set before
  // the module is compiled; no other WebAssembly runs in vwatch.
  setFlagsFromString("--liftoff-only");
  const sdk: Polyglot = await import("@polyglot-sql/sdk");
  await sdk.init();
  polyglot = sdk;
}

export async function translateToDuckdbAsync(sql: string, ctx: TranslateContext): Promise<string> {
  await initTranslator();
  return translateToDuckdb(sql, ctx);
}

/** Synchronous once initTranslator() has resolved. */
export function translateToDuckdb(sql: string, ctx: TranslateContext): string {
  if (!polyglot) throw new Error("call initTranslator() before translateToDuckdb()");
  // polyglot applies no function transforms inside a MERGE (FORMAT_DATE or TIMESTAMP(date), say,
  // came out as they went in): its USING subquery and its ON condition are translated on their own.
  const merge = mergeParts(sql);
  if (merge) {
    const source = translateToDuckdb(merge.source, ctx);
    const filtered = translateToDuckdb(`select 1 from ${MERGE_ON} where ${merge.on}`, ctx);
    const on = filtered.slice(filtered.indexOf(`${MERGE_ON} WHERE `) + MERGE_ON.length + " WHERE ".length);
    const outer = translateToDuckdb(`${merge.before}${MERGE_SOURCE}${merge.alias}on ${MERGE_ON}\n${merge.after}`, ctx);
    return outer.replace(new RegExp(`\\b${MERGE_SOURCE}\\b`, "i"), () => `(${source})`).replace(new RegExp(`\\b${MERGE_ON}\\b`, "i"), () => `(${on})`);
  }
  const reject: Reject = (construct, advice) => {
    throw new UnsupportedSqlError(
      construct,
      `${ctx.file ?? "SQL"}: ${construct} is not supported locally; run with --warehouse bigquery or rewrite as ${advice}`,
    );
  };
  const targets: Target[] = [];
  const named = replaceNames(sql, ctx, targets, reject);
  const parsed = polyglot.parse(named, polyglot.Dialect.BigQuery);
  if (!parsed.success) reject(`${UNPARSABLE} (${parsed.error})`, "plain BigQuery SELECT/DML");
  for (const construct of constructs(parsed.ast, polyglot)) {
    if (!ALLOWED.has(construct)) reject(construct, ADVICE[construct] ?? "functions on the allow-list in docs/local-sql.md");
  }
  const fixed = rewriteCalls(named, "bigquery", preRules(reject));
  const out = polyglot.transpile(fixed, polyglot.Dialect.BigQuery, polyglot.Dialect.DuckDB, { unsupportedLevel: "raise" });
  if (!out.success || !out.sql) return reject(`SQL that the translator cannot translate (${out.error})`, "simpler BigQuery SQL");
  return out.sql.map((s) => postPass(s, targets, ctx)).join(";\n");
}

/** The allow-list keys a BigQuery statement uses (node kinds and function names), allowed or not. */
export function constructsOf(sql: string): Set<string> {
  if (!polyglot) throw new Error("call initTranslator() before constructsOf()");
  const parsed = polyglot.parse(sql, polyglot.Dialect.BigQuery);
  return parsed.success ? constructs(parsed.ast, polyglot) : new Set();
}

/** Kinds of every AST node (generic function calls by their uppercase name). */
function constructs(ast: unknown, sdk: Polyglot): Set<string> {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== "object") return;
    if (sdk.ast.isExpressionValue(v)) {
      const kind = Object.keys(v)[0];
      const data = (v as Record<string, { name?: unknown }>)[kind];
      const isCall = kind === "function" || kind === "aggregate_function";
      found.add(isCall && typeof data?.name === "string" ? data.name.toUpperCase() : kind);
    }
    Object.values(v).forEach(visit);
  };
  visit(ast);
  return found;
}

const MERGE_SOURCE = "vw__merge_source";
const MERGE_ON = "vw__merge_on";

/**
 * A MERGE taken apart: the text up to its `USING (subquery)`, the subquery, the source's alias,
 * the ON condition, and the WHEN clauses after it. Undefined for anything else.
 */
function mergeParts(sql: string): { before: string; source: string; alias: string; on: string; after: string } | undefined {
  if (!/^\s*(--[^\n]*\n\s*)*merge\b/i.test(sql)) return undefined;
  const tokens = lex(sql, "bigquery");
  const using = tokens.findIndex((t) => isWord(t, "USING"));
  const open = using < 0 ? -1 : nextCode(tokens, using + 1);
  if (open < 0 || tokens[open]?.text !== "(") return undefined;
  const close = matchParen(tokens, open);
  // The first ON and WHEN at the top level after the source.
  let on = -1;
  let when = -1;
  for (let i = close + 1, depth = 0; close > 0 && i < tokens.length && when < 0; i++) {
    if (tokens[i].text === "(") depth++;
    else if (tokens[i].text === ")") depth--;
    else if (depth === 0 && on < 0 && isWord(tokens[i], "ON")) on = i;
    else if (depth === 0 && on >= 0 && isWord(tokens[i], "WHEN")) when = i;
  }
  if (on < 0 || when < 0) return undefined;
  const text = (from: number, to: number) => tokens.slice(from, to).map((t) => t.text).join("");
  return { before: text(0, open), source: text(open + 1, close), alias: text(close + 1, on), on: text(on + 1, when).trim(), after: text(when, tokens.length) };
}

const REF = /^vw__ref_(\d+)$/i;
const PARAM = /^vw__param__(\w+)$/i;

function replaceNames(sql: string, ctx: TranslateContext, targets: Target[], reject: Reject): string {
  return lex(sql, "bigquery")
    .map((t) => {
      if (t.kind === "param") {
        if (t.text.startsWith("@@")) reject(`system variable ${t.text}`, "a literal value");
        return `vw__param__${t.text.slice(1)}`;
      }
      if (t.kind !== "backtick" || !t.text.includes(".")) return t.text;
      const parts = t.text.slice(1, -1).split(".");
      if (parts.length > 3) reject(`name ${t.text}`, "project.dataset.table");
      const [database, schema, name] = parts.length === 3 ? parts : [ctx.defaultDatabase, ...parts];
      targets.push({ database, schema, name: name! });
      return `vw__ref_${targets.length - 1}`;
    })
    .join("");
}

function postPass(sql: string, targets: Target[], ctx: TranslateContext): string {
  const tokens = lex(rewriteCalls(sql, "duckdb", postRules), "duckdb");
  const out = tokens.map((t, i) => {
    if (t.kind === "word" && /^\d+$/.test(t.text) && tokens[i + 1]?.text === "." && /^\d+$/.test(tokens[i + 2]?.text ?? "")) {
      // BigQuery 1.5 is FLOAT64; DuckDB would read it as DECIMAL(2,1).
      const literal = `${t.text}.${tokens[i + 2].text}`;
      tokens[i + 1] = tokens[i + 2] = { kind: "ws", text: "" };
      return `CAST(${literal} AS DOUBLE)`;
    }
    const bare = t.kind === "dquote" ? t.text.slice(1, -1) : t.text;
    const ref = REF.exec(bare);
    if (ref && (t.kind === "word" || t.kind === "dquote")) return duckdbTableName(targets[Number(ref[1])], ctx.defaultDatabase);
    const param = PARAM.exec(bare);
    if (param && t.kind === "word") return `$${param[1]}`;
    if (t.kind === "word" && t.text.toUpperCase() === "DECIMAL") {
      let next = i + 1;
      while (tokens[next]?.kind === "ws") next++;
      if (tokens[next]?.text !== "(") return "DECIMAL(38, 9)";
    }
    return t.text;
  });
  const created = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?vw__ref_(\d+)\b/i.exec(sql);
  const schema = created ? `CREATE SCHEMA IF NOT EXISTS ${duckdbSchemaName(targets[Number(created[1])], ctx.defaultDatabase)};\n` : "";
  return schema + out.join("");
}
