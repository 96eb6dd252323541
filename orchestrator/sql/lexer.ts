/**
 * A small SQL lexer for the text passes around polyglot: it only needs to know where strings,
 * comments, quoted names, words and parentheses are, so rewrites never touch literal text.
 * "bigquery" strings take backslash escapes and r/b prefixes; "duckdb" strings double their quotes.
 */
type TokenKind = "ws" | "comment" | "string" | "backtick" | "dquote" | "word" | "param" | "punct";

export interface Token {
  kind: TokenKind;
  text: string;
}

type Dialect = "bigquery" | "duckdb";

export function lex(sql: string, dialect: Dialect): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    const rest = sql.slice(i, i + 3);
    if (/\s/.test(c)) push("ws", matchEnd(sql, i, /\s+/y));
    else if (rest.startsWith("--") || (c === "#" && dialect === "bigquery")) push("comment", lineEnd(sql, i));
    else if (rest.startsWith("/*")) push("comment", blockEnd(sql, i));
    else if (c === "`") push("backtick", quotedEnd(sql, i, "`", true));
    else if (c === '"' && dialect === "duckdb") push("dquote", quotedEnd(sql, i, '"', false));
    else if (c === "'" || (c === '"' && dialect === "bigquery")) push("string", stringEnd(sql, i, i, dialect));
    else if (/[rRbBeE]/.test(c) && stringPrefix(sql, i, dialect) > 0) push("string", stringEnd(sql, i + stringPrefix(sql, i, dialect), i, dialect));
    else if (/[A-Za-z_0-9]/.test(c)) push("word", matchEnd(sql, i, /[A-Za-z_0-9]+/y));
    else if ((c === "@" || c === "$") && /[A-Za-z_@]/.test(sql[i + 1] ?? "")) push("param", matchEnd(sql, i, /[@$]@?[A-Za-z_][A-Za-z_0-9]*/y));
    else push("punct", i + 1);
  }
  return out;
}

function matchEnd(sql: string, at: number, re: RegExp): number {
  re.lastIndex = at;
  re.exec(sql);
  return re.lastIndex;
}

function lineEnd(sql: string, at: number): number {
  const nl = sql.indexOf("\n", at);
  return nl < 0 ? sql.length : nl;
}

function blockEnd(sql: string, at: number): number {
  const end = sql.indexOf("*/", at + 2);
  return end < 0 ? sql.length : end + 2;
}

function quotedEnd(sql: string, at: number, q: string, backslash: boolean): number {
  let j = at + 1;
  while (j < sql.length) {
    if (backslash && sql[j] === "\\") j += 2;
    else if (sql[j] === q && sql[j + 1] === q && !backslash) j += 2;
    else if (sql[j] === q) return j + 1;
    else j++;
  }
  return sql.length;
}

/** Length of a string prefix (r, b, rb, br, e) when a quote follows it, else 0. */
function stringPrefix(sql: string, at: number, dialect: Dialect): number {
  const m = /(rb|br|r|b|e)(?=['"])/iy;
  m.lastIndex = at;
  const found = m.exec(sql);
  if (!found || (at > 0 && /[A-Za-z_0-9]/.test(sql[at - 1]))) return 0;
  if (dialect === "duckdb" && (found[1].toLowerCase() !== "e" || sql[at + 1] !== "'")) return 0;
  if (dialect === "bigquery" && found[1].toLowerCase() === "e") return 0;
  return found[1].length;
}

function stringEnd(sql: string, quoteAt: number, tokenStart: number, dialect: Dialect): number {
  const q = sql[quoteAt];
  const raw = dialect === "bigquery" && /r/i.test(sql.slice(tokenStart, quoteAt));
  const escapes = dialect === "bigquery" ? !raw : sql.slice(tokenStart, quoteAt).toLowerCase() === "e";
  const triple = dialect === "bigquery" && sql.startsWith(q.repeat(3), quoteAt);
  const close = triple ? q.repeat(3) : q;
  let j = quoteAt + close.length;
  while (j < sql.length) {
    if (sql[j] === "\\" && (escapes || raw)) j += 2;
    else if (sql.startsWith(close, j)) {
      if (dialect === "duckdb" && sql[j + 1] === q) j += 2;
      else return j + close.length;
    } else j++;
  }
  return sql.length;
}

export const isWord = (t: Token | undefined, word?: string): boolean =>
  t !== undefined && t.kind === "word" && (word === undefined || t.text.toUpperCase() === word);

/** Index of the next token that is not whitespace or a comment, or tokens.length. */
export function nextCode(tokens: Token[], from: number): number {
  let j = from;
  while (j < tokens.length && (tokens[j].kind === "ws" || tokens[j].kind === "comment")) j++;
  return j;
}

/** Index of the previous token that is not whitespace or a comment, or -1. */
export function prevCode(tokens: Token[], from: number): number {
  let j = from;
  while (j >= 0 && (tokens[j].kind === "ws" || tokens[j].kind === "comment")) j--;
  return j;
}

/** The index of the ")" matching the "(" at `open`, or -1. */
export function matchParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind !== "punct") continue;
    if (t.text === "(" || t.text === "[") depth++;
    else if (t.text === ")" || t.text === "]") depth--;
    if (depth === 0) return j;
  }
  return -1;
}

/** Splits the tokens between two parentheses into top-level comma-separated argument texts. */
export function splitArgs(tokens: Token[], open: number, close: number): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j];
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) depth++;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) depth--;
    if (depth === 0 && t.kind === "punct" && t.text === ",") args.push([]);
    else args[args.length - 1].push(t);
  }
  return args.length === 1 && args[0].every((t) => t.kind === "ws") ? [] : args;
}

export const text = (tokens: Token[]): string => tokens.map((t) => t.text).join("");
