/**
 * BigQuery scripting for the fake, as far as the plans it runs need it: `declare` and `set`
 * (each variable becomes a typed literal in the statements after it), and `begin … end` blocks,
 * whose statements run in order. Transactions and exception handlers are refused.
 */
import { isWord, lex, nextCode, text } from "../../orchestrator/sql/lexer";
import { JobError } from "./bigquery-values";

/** `declare a, b TYPE default (expr)` / `set a = expr`: the names, the type and the expression. */
export function parseVariable(sql: string): { names: string[]; type?: string; expression?: string } {
  const tokens = lex(sql, "bigquery");
  const code = tokens.map((t, i) => ({ t, i })).filter(({ t }) => t.kind !== "ws" && t.kind !== "comment");
  const names: string[] = [];
  let k = 1;
  while (k < code.length && code[k].t.kind === "word") {
    names.push(code[k].t.text);
    if (code[k + 1]?.t.text !== ",") break;
    k += 2;
  }
  if (isWord(code[0].t, "SET")) {
    const eq = code.findIndex(({ t }) => t.text === "=");
    return { names, expression: text(tokens.slice(code[eq].i + 1)).trim() };
  }
  const def = code.findIndex(({ t }) => isWord(t, "DEFAULT"));
  const typeEnd = def < 0 ? tokens.length : code[def].i;
  const type = text(tokens.slice(code[k].i + 1, typeEnd)).trim() || undefined;
  return { names, type, expression: def < 0 ? undefined : text(tokens.slice(code[def].i + 1)).trim() };
}

/** Replaces script variables (plain words, not parts of dotted names or calls) by their literal SQL. */
export function substituteVariables(sql: string, values: Map<string, string>): string {
  if (values.size === 0) return sql;
  const tokens = lex(sql, "bigquery");
  return tokens
    .map((t, i) => {
      if (t.kind !== "word") return t.text;
      const value = values.get(t.text.toLowerCase());
      if (value === undefined) return t.text;
      const prev = tokens[i - 1]?.text;
      const next = tokens[nextCode(tokens, i + 1)]?.text;
      return prev === "." || tokens[i + 1]?.text === "." || next === "(" ? t.text : value;
    })
    .join("");
}

/** `begin` (not `begin transaction`) opening a block, and `end`, are structure: the statements inside run in order. */
export function flatten(statements: string[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    if (/^\s*begin\s+transaction\b/i.test(s) || /^\s*(commit|rollback)\b/i.test(s)) throw new JobError("invalidQuery", "the fake does not run transactions");
    if (/\bexception\s+when\b/i.test(s)) throw new JobError("invalidQuery", "the fake does not run EXCEPTION handlers");
    const rest = s.replace(/^\s*begin\b/i, "").trim();
    if (rest && !/^end$/i.test(rest)) out.push(rest);
  }
  return out;
}

