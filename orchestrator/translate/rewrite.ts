import { isWord, lex, matchParen, nextCode, prevCode, splitArgs, text, type Token } from "./lexer";

/** Builds the replacement for one call from its (already rewritten) argument texts. */
export type CallRule = (args: string[]) => string;

/**
 * Rewrites every call NAME(...) that has a rule, innermost arguments first. Method-style calls
 * (x.NAME(...)) and names used without parentheses are left alone.
 */
export function rewriteCalls(sql: string, dialect: "bigquery" | "duckdb", rules: Record<string, CallRule>): string {
  const tokens = lex(sql, dialect);
  let out = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const rule = t.kind === "word" ? rules[t.text.toUpperCase()] : undefined;
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
