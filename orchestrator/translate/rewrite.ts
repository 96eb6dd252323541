import { isWord, lex, matchParen, nextCode, prevCode, splitArgs, text, type Token } from "../sql/lexer";

/** Builds the replacement for one call from its (already rewritten) argument texts. */
export type CallRule = (args: string[]) => string;

/**
 * A rule for a dotted name rather than a call (`dataset.INFORMATION_SCHEMA.COLUMNS`), keyed by one
 * of the name's parts: it gets every part (quoted parts keep their quotes) and returns the replacement.
 */
export interface NameRule {
  readonly name: (parts: string[]) => string;
}

export type Rule = CallRule | NameRule;

/**
 * Rewrites every call NAME(...) that has a rule, innermost arguments first. Method-style calls
 * (x.NAME(...)) and names used without parentheses are left alone. A dotted name with a part that
 * has a NameRule is replaced as a whole.
 */
export function rewriteCalls(sql: string, dialect: "bigquery" | "duckdb", rules: Record<string, Rule>): string {
  const tokens = lex(sql, dialect);
  let out = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const path = dottedName(tokens, i, rules);
    if (path) {
      out += path.rule.name(path.parts);
      i = path.end;
      continue;
    }
    const found = t.kind === "word" ? rules[t.text.toUpperCase()] : undefined;
    const rule = typeof found === "function" ? found : undefined;
    const open = nextCode(tokens, i + 1);
    const prev = tokens[prevCode(tokens, i - 1)] as Token | undefined;
    if (!rule || tokens[open]?.text !== "(" || prev?.text === "." || isWord(prev, "FUNCTION")) {
      out += t.text;
      continue;
    }
    const close = matchParen(tokens, open);
    if (close < 0) {
      out += t.text;
      continue;
    }
    const args = splitArgs(tokens, open, close).map((a) => rewriteCalls(text(a), dialect, rules).trim());
    out += rule(args);
    i = close;
  }
  return out;
}

/** A name part without its backticks or double quotes. */
export const unquote = (part: string) => part.replace(/^[`"]|[`"]$/g, "");

const isNamePart = (t: Token | undefined) => t !== undefined && (t.kind === "word" || t.kind === "backtick" || t.kind === "dquote");

/** The dotted name starting at `start` (a.b.c, no spaces) when one of its parts has a NameRule. */
function dottedName(tokens: Token[], start: number, rules: Record<string, Rule>): { parts: string[]; end: number; rule: NameRule } | undefined {
  if (!isNamePart(tokens[start]) || tokens[start - 1]?.text === ".") return undefined;
  const parts = [tokens[start].text];
  let end = start;
  while (tokens[end + 1]?.text === "." && isNamePart(tokens[end + 2])) {
    parts.push(tokens[end + 2].text);
    end += 2;
  }
  if (parts.length < 2) return undefined;
  for (const part of parts) {
    const rule = rules[unquote(part).toUpperCase()];
    if (rule && typeof rule !== "function") return { parts, end, rule };
  }
  return undefined;
}
