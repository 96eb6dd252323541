/**
 * Reading BigQuery scripts for the fake (bigquery-engine.ts): splitting a script into statements,
 * telling what each statement is, and taking a DDL statement apart into the name it creates, the
 * clauses DuckDB has no use for (`partition by`, `cluster by`, `options(...)`) and the query.
 * Pure text work on the project's own lexer, so strings and comments are never cut.
 */
import { isWord, lex, matchParen, nextCode, text, type Token } from "../../orchestrator/sql/lexer";

/** A statement of a script, as BigQuery's job statistics name it (statementType). */
export type StatementKind =
  | "SELECT"
  | "INSERT"
  | "UPDATE"
  | "DELETE"
  | "MERGE"
  | "TRUNCATE_TABLE"
  | "CREATE_SCHEMA"
  | "CREATE_TABLE"
  | "CREATE_TABLE_AS_SELECT"
  | "CREATE_VIEW"
  | "CREATE_MATERIALIZED_VIEW"
  | "DROP_TABLE"
  | "DROP_VIEW"
  | "DROP_SCHEMA"
  | "ALTER_TABLE"
  | "ALTER_VIEW"
  | "DECLARE"
  | "SET"
  | "BEGIN"
  | "END";

/** The statements of a script: split on top-level semicolons, empty and comment-only pieces dropped. */
export function splitScript(sql: string): string[] {
  const out: string[] = [];
  let current: Token[] = [];
  const flush = () => {
    if (current.some((t) => t.kind !== "ws" && t.kind !== "comment")) out.push(text(current).trim());
    current = [];
  };
  let depth = 0;
  for (const t of lex(sql, "bigquery")) {
    if (t.text === "(") depth++;
    if (t.text === ")") depth--;
    if (t.text === ";" && depth === 0) flush();
    else current.push(t);
  }
  flush();
  return out;
}

/** The statement's words (uppercase), comments and whitespace left out. */
function words(tokens: Token[]): string[] {
  return tokens.filter((t) => t.kind !== "ws" && t.kind !== "comment").map((t) => t.text.toUpperCase());
}

/** What a statement is; undefined for one the fake does not know (the job fails as BigQuery would on a syntax error). */
export function statementKind(sql: string): StatementKind | undefined {
  const w = words(lex(sql, "bigquery")).slice(0, 6);
  const at = (i: number, ...options: string[]) => options.includes(w[i]);
  switch (w[0]) {
    case "SELECT":
    case "WITH":
    case "(":
      return "SELECT";
    case "INSERT":
    case "UPDATE":
    case "DELETE":
    case "MERGE":
      return w[0] as StatementKind;
    case "TRUNCATE":
      return "TRUNCATE_TABLE";
    case "DECLARE":
      return "DECLARE";
    case "SET":
      return "SET";
    case "BEGIN":
      return "BEGIN";
    case "END":
      return "END";
    case "DROP":
      return at(1, "TABLE") ? "DROP_TABLE" : at(1, "VIEW") ? "DROP_VIEW" : at(1, "SCHEMA") ? "DROP_SCHEMA" : undefined;
    case "ALTER":
      return at(1, "TABLE") ? "ALTER_TABLE" : at(1, "VIEW") ? "ALTER_VIEW" : undefined;
    case "CREATE": {
      const rest = w.slice(1).filter((x) => x !== "OR" && x !== "REPLACE" && x !== "TEMP" && x !== "TEMPORARY");
      if (rest[0] === "SCHEMA") return "CREATE_SCHEMA";
      if (rest[0] === "VIEW") return "CREATE_VIEW";
      if (rest[0] === "MATERIALIZED") return "CREATE_MATERIALIZED_VIEW";
      if (rest[0] === "TABLE") return /\bas\b/i.test(stripComments(sql)) ? "CREATE_TABLE_AS_SELECT" : "CREATE_TABLE";
      return undefined;
    }
    default:
      return undefined;
  }
}

function stripComments(sql: string): string {
  return lex(sql, "bigquery")
    .filter((t) => t.kind !== "comment" && t.kind !== "string")
    .map((t) => t.text)
    .join("");
}

/** A `project.dataset.table` (or `dataset.table`) name as written, split; the project filled in. */
export interface Name {
  project: string;
  dataset: string;
  table: string;
}

export function parseName(raw: string, project: string): Name | undefined {
  const parts = raw.replace(/`/g, "").split(".");
  if (parts.length === 3) return { project: parts[0], dataset: parts[1], table: parts[2] };
  if (parts.length === 2) return { project, dataset: parts[0], table: parts[1] };
  return undefined;
}

/** The name after `index` in the tokens: one backtick token, or dotted words/backticks. */
function nameAt(tokens: Token[], index: number): { raw: string; end: number } {
  let i = index;
  let raw = "";
  while (i < tokens.length && (tokens[i].kind === "word" || tokens[i].kind === "backtick" || tokens[i].text === "." || tokens[i].text === "-")) {
    raw += tokens[i].text;
    i++;
  }
  return { raw, end: i };
}

/** A DDL statement taken apart: `create [or replace] [materialized] table|view|schema [if not exists] NAME … [as QUERY]`. */
export interface Ddl {
  kind: StatementKind;
  replace: boolean;
  ifNotExists: boolean;
  ifExists: boolean;
  /** The object's name as written (backticks removed). */
  name: string;
  /** `(col type, …)` of a CREATE TABLE without a query. */
  columns?: string;
  partitionBy?: string;
  clusterBy?: string[];
  /** `options(…)` as written, without the keyword. */
  options?: string;
  /** The query after AS. */
  query?: string;
}

/** Takes a CREATE / DROP / ALTER statement apart (kind from statementKind). */
export function parseDdl(sql: string, kind: StatementKind): Ddl {
  const tokens = lex(sql, "bigquery");
  const ddl: Ddl = { kind, replace: false, ifNotExists: false, ifExists: false, name: "" };
  let i = nextCode(tokens, 0);
  // Keywords up to the name.
  const keywords = ["CREATE", "OR", "REPLACE", "MATERIALIZED", "TABLE", "VIEW", "SCHEMA", "IF", "NOT", "EXISTS", "DROP", "ALTER", "TEMP", "TEMPORARY"];
  while (i < tokens.length && tokens[i].kind === "word" && keywords.includes(tokens[i].text.toUpperCase())) {
    const w = tokens[i].text.toUpperCase();
    if (w === "REPLACE") ddl.replace = true;
    if (w === "NOT") ddl.ifNotExists = true;
    if (w === "EXISTS" && !ddl.ifNotExists) ddl.ifExists = true;
    i = nextCode(tokens, i + 1);
  }
  const name = nameAt(tokens, i);
  ddl.name = name.raw.replace(/`/g, "");
  i = nextCode(tokens, name.end);
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.text === "(" && ddl.columns === undefined && !ddl.query) {
      const close = matchParen(tokens, i);
      ddl.columns = text(tokens.slice(i, close + 1));
      i = nextCode(tokens, close + 1);
    } else if (isWord(t, "PARTITION") && isWord(tokens[nextCode(tokens, i + 1)], "BY")) {
      const end = clauseEnd(tokens, nextCode(tokens, i + 1) + 1);
      ddl.partitionBy = text(tokens.slice(nextCode(tokens, i + 1) + 1, end)).trim();
      i = end;
    } else if (isWord(t, "CLUSTER") && isWord(tokens[nextCode(tokens, i + 1)], "BY")) {
      const end = clauseEnd(tokens, nextCode(tokens, i + 1) + 1);
      ddl.clusterBy = text(tokens.slice(nextCode(tokens, i + 1) + 1, end)).split(",").map((c) => c.trim()).filter(Boolean);
      i = end;
    } else if (isWord(t, "OPTIONS") && tokens[nextCode(tokens, i + 1)]?.text === "(") {
      const open = nextCode(tokens, i + 1);
      const close = matchParen(tokens, open);
      ddl.options = text(tokens.slice(open + 1, close));
      i = nextCode(tokens, close + 1);
    } else if (isWord(t, "AS")) {
      ddl.query = text(tokens.slice(i + 1)).trim();
      break;
    } else {
      i = nextCode(tokens, i + 1);
    }
  }
  return ddl;
}

/** Where a `partition by` / `cluster by` clause ends: at the next clause keyword at depth 0. */
function clauseEnd(tokens: Token[], from: number): number {
  let i = from;
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.text === "(") {
      i = matchParen(tokens, i) + 1;
      continue;
    }
    if (["CLUSTER", "OPTIONS", "AS", "PARTITION"].some((k) => isWord(t, k))) return i;
    i++;
  }
  return i;
}

/**
 * `alter table|view NAME set options(…)` and `alter table|view NAME alter column C set options(…)`,
 * possibly several comma-separated: the table's options and each column's.
 */
export function parseAlter(sql: string): { name: string; options: string[]; columns: { column: string; options: string }[] } {
  const tokens = lex(sql, "bigquery");
  let i = nextCode(tokens, nextCode(tokens, 0) + 1);
  i = nextCode(tokens, i + 1);
  if (isWord(tokens[i], "IF")) i = nextCode(tokens, nextCode(tokens, i + 1) + 1);
  const name = nameAt(tokens, i);
  const out = { name: name.raw.replace(/`/g, ""), options: [] as string[], columns: [] as { column: string; options: string }[] };
  let column: string | undefined;
  for (let j = name.end; j < tokens.length; j++) {
    const t = tokens[j];
    if (isWord(t, "COLUMN")) {
      const c = nextCode(tokens, j + 1);
      column = tokens[c].text.replace(/`/g, "");
      j = c;
    } else if (isWord(t, "OPTIONS") && tokens[nextCode(tokens, j + 1)]?.text === "(") {
      const open = nextCode(tokens, j + 1);
      const close = matchParen(tokens, open);
      const options = text(tokens.slice(open + 1, close));
      if (column === undefined) out.options.push(options);
      else out.columns.push({ column, options });
      column = undefined;
      j = close;
    }
  }
  return out;
}

/** `description='…'` and `labels=[('k','v'), …]` of an options list; other options are ignored. */
export function readOptions(options: string): { description?: string; labels?: Record<string, string>; location?: string } {
  const tokens = lex(options, "bigquery").filter((t) => t.kind !== "ws" && t.kind !== "comment");
  const out: { description?: string; labels?: Record<string, string>; location?: string } = {};
  for (let i = 0; i < tokens.length; i++) {
    const key = tokens[i].text.toLowerCase();
    if (tokens[i + 1]?.text !== "=") continue;
    if ((key === "description" || key === "location") && tokens[i + 2]?.kind === "string") out[key] = stringValue(tokens[i + 2].text);
    if (key === "labels" && tokens[i + 2]?.text === "[") {
      out.labels = {};
      for (let j = i + 3; j < tokens.length && tokens[j].text !== "]"; j++) {
        if (tokens[j].text === "(" && tokens[j + 1]?.kind === "string" && tokens[j + 3]?.kind === "string") {
          out.labels[stringValue(tokens[j + 1].text)] = stringValue(tokens[j + 3].text);
        }
      }
    }
  }
  return out;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };

/** A BigQuery string literal's value ('…', "…", triple-quoted, r-prefixed). */
export function stringValue(token: string): string {
  const prefix = /^[rR]*/.exec(token)![0];
  const body = token.slice(prefix.length);
  const q = body.startsWith("'''") || body.startsWith('"""') ? body.slice(0, 3) : body[0];
  const inner = body.slice(q.length, body.length - q.length);
  return prefix ? inner : inner.replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c);
}

/** Every `project.dataset.table` / `dataset.table` name in backticks (the form the plan writes). */
export function tableNames(sql: string): string[] {
  return lex(sql, "bigquery")
    .filter((t) => t.kind === "backtick" && t.text.includes("."))
    .map((t) => t.text.slice(1, -1));
}
