/**
 * Reads a .sqlx (or .js) definition file as templates of the SQL it compiles to, so a position in
 * a compiled statement can be traced back to the file (source-map.ts).
 *
 * A template is literal text pieces, each with its offset in the file, and `${…}` holes. Core
 * copies the text outside `config`/`js`/`pre_operations`/`post_operations` blocks verbatim into
 * the query (escaping it for a JS template literal, so its value is the file's text) and splits
 * statements at `---`; `${}` inside SQL comments stays literal text. A hole remembers the string
 * literals of its expression (e.g. both branches of `when(incremental(), `…`, "…")`): when the
 * expansion equals one of them, positions inside it map exactly too.
 */

export type Piece =
  | { kind: "text"; text: string; start: number; exact: boolean }
  | { kind: "hole"; start: number; end: number; alternatives: Template[] };

export type Template = Piece[];

/** A string literal or object key of the config block, with the object keys enclosing it. */
interface ConfigLiteral {
  value: string;
  start: number;
  exact: boolean;
  path: string[];
}

export interface SourceFile {
  /** Statements of the SQL body (split at `---`), pre_operations and post_operations. */
  templates: Template[];
  config?: { start: number; end: number; literals: ConfigLiteral[] };
  /** Offset of the first non-blank character of the SQL body. */
  bodyStart?: number;
}

const BLOCK = /(config|js|pre_operations|post_operations)\s*\{/y;

export function readSqlx(text: string): SourceFile {
  const out: SourceFile = { templates: [] };
  const body = scanSql(text, 0, false, (at) => {
    BLOCK.lastIndex = at;
    const m = BLOCK.exec(text);
    if (!m || (at > 0 && /[\w$]/.test(text[at - 1]))) return undefined;
    const open = at + m[0].length - 1;
    if (m[1] === "pre_operations" || m[1] === "post_operations") {
      const inner = scanSql(text, open + 1, true);
      out.templates.push(...inner.statements);
      return inner.end + 1;
    }
    const end = jsEnd(text, open + 1, "}");
    if (m[1] === "config") out.config = { start: at, end, literals: configLiterals(text, open, end) };
    return end + 1;
  });
  out.templates.unshift(...body.statements);
  const first = /\S/.exec(body.statements.flat().map((p) => (p.kind === "text" ? p.text : "x")).join(""));
  if (first) out.bodyStart = offsetOf(body.statements.flat(), first.index);
  return out;
}

/** Every template literal of a .js definition file (publish(…).query(`…`), operate(…)). */
export function readJs(text: string): SourceFile {
  const templates: Template[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "`") {
      const t = templateLiteral(text, i);
      templates.push(t.template);
      i = t.end + 1;
    } else i = skipJsToken(text, i);
  }
  return { templates };
}

function offsetOf(pieces: Piece[], index: number): number | undefined {
  let seen = 0;
  for (const p of pieces) {
    const len = p.kind === "text" ? p.text.length : 1;
    if (index < seen + len) return p.kind === "text" ? p.start + (index - seen) : p.start;
    seen += len;
  }
  return undefined;
}

/**
 * SQL text with holes, from `from` to the end (or, inside a block, to its closing `}`).
 * `block` lets the caller consume config/js/operations blocks at top level.
 */
function scanSql(text: string, from: number, inBlock: boolean, block?: (at: number) => number | undefined): { statements: Template[]; end: number } {
  const statements: Template[] = [];
  let current: Template = [];
  let textStart = from;
  let i = from;
  let depth = 0;
  const flush = (to: number) => {
    if (to > textStart) current.push({ kind: "text", text: text.slice(textStart, to), start: textStart, exact: true });
  };
  while (i < text.length) {
    const c = text[i];
    if (inBlock && c === "}" && depth === 0) break;
    if (block) {
      const after = block(i);
      if (after !== undefined) {
        flush(i);
        i = textStart = after;
        continue;
      }
    }
    if (text.startsWith("---", i)) {
      flush(i);
      statements.push(current);
      current = [];
      i = textStart = i + 3;
    } else if (text.startsWith("--", i)) {
      i = lineEnd(text, i);
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "'" || c === '"' || c === "`") {
      i = sqlQuoted(text, i, (holeAt, holeEnd, alternatives) => {
        flush(holeAt);
        current.push({ kind: "hole", start: holeAt, end: holeEnd, alternatives });
        textStart = holeEnd;
      });
    } else if (text.startsWith("${", i)) {
      flush(i);
      const end = jsEnd(text, i + 2, "}") + 1;
      current.push({ kind: "hole", start: i, end, alternatives: holeAlternatives(text, i + 2, end - 1) });
      i = textStart = end;
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      i++;
    }
  }
  flush(i);
  statements.push(current);
  return { statements, end: i };
}

/** A quoted SQL string or name; `${…}` inside still interpolates. Returns the offset after it. */
function sqlQuoted(text: string, at: number, onHole: (start: number, end: number, alternatives: Template[]) => void): number {
  const q = text[at];
  let i = at + 1;
  while (i < text.length && text[i] !== q) {
    if (text[i] === "\\") i += 2;
    else if (text.startsWith("${", i)) {
      const end = jsEnd(text, i + 2, "}") + 1;
      onHole(i, end, holeAlternatives(text, i + 2, end - 1));
      i = end;
    } else if (text[i] === "\n" && q !== "`" && !text.startsWith(q.repeat(3), at)) break;
    else i++;
  }
  return Math.min(i + 1, text.length);
}

/** The string and template literals of a `${…}` expression, as templates. */
function holeAlternatives(text: string, from: number, to: number): Template[] {
  const out: Template[] = [];
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === "`") {
      const t = templateLiteral(text, i);
      out.push(t.template);
      i = t.end + 1;
    } else if (c === "'" || c === '"') {
      const end = jsStringEnd(text, i);
      const raw = text.slice(i + 1, end);
      const value = unescapeJs(raw);
      out.push([{ kind: "text", text: value, start: i + 1, exact: value === raw }]);
      i = end + 1;
    } else i = skipJsToken(text, i);
  }
  return out;
}

/** A JS template literal starting at the backtick `at`: its pieces, and the closing backtick. */
function templateLiteral(text: string, at: number): { template: Template; end: number } {
  const template: Template = [];
  let i = at + 1;
  let start = i;
  const flush = (to: number) => {
    if (to <= start) return;
    const raw = text.slice(start, to);
    const value = unescapeJs(raw);
    template.push({ kind: "text", text: value, start, exact: value === raw });
  };
  while (i < text.length && text[i] !== "`") {
    if (text[i] === "\\") i += 2;
    else if (text.startsWith("${", i)) {
      flush(i);
      const end = jsEnd(text, i + 2, "}") + 1;
      template.push({ kind: "hole", start: i, end, alternatives: holeAlternatives(text, i + 2, end - 1) });
      i = start = end;
    } else i++;
  }
  flush(i);
  return { template, end: i };
}

/** Offset of the `close` character ending a JS region that starts at `from` (balanced, string- and comment-aware). */
function jsEnd(text: string, from: number, close: string): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (depth === 0 && c === close) return i;
    if (c === "{" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ")" || c === "]") depth--;
    i = skipJsToken(text, i);
  }
  return text.length;
}

/** The offset after the JS token at `i` (a string, template, comment, or one character). */
function skipJsToken(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"') return jsStringEnd(text, i) + 1;
  if (c === "`") return templateLiteral(text, i).end + 1;
  if (text.startsWith("//", i)) return lineEnd(text, i);
  if (text.startsWith("/*", i)) {
    const end = text.indexOf("*/", i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i + 1;
}

function jsStringEnd(text: string, at: number): number {
  const q = text[at];
  let i = at + 1;
  while (i < text.length && text[i] !== q && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
  return Math.min(i, text.length);
}

function lineEnd(text: string, at: number): number {
  const nl = text.indexOf("\n", at);
  return nl < 0 ? text.length : nl;
}

const JS_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", "0": "\0" };

function unescapeJs(raw: string): string {
  if (!raw.includes("\\")) return raw;
  return raw.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r?\n|.)/gs, (_, e: string) => {
    if (/^u\{/.test(e)) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (/^[ux]/.test(e) && e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (e === "\n" || e === "\r\n") return "";
    return JS_ESCAPES[e] ?? e;
  });
}

/** String literals and property names of the config object, each with the keys enclosing it. */
function configLiterals(text: string, open: number, close: number): ConfigLiteral[] {
  const out: ConfigLiteral[] = [];
  // Each open object or array, with the key path of the property it is the value of.
  const frames: { kind: string; path: string[]; current?: string }[] = [];
  const valuePath = () => {
    const top = frames[frames.length - 1];
    if (!top) return [];
    return top.kind === "{" && top.current ? [...top.path, top.current] : top.path;
  };
  const nextIsColon = (from: number) => /^\s*:/.test(text.slice(from, from + 40));
  const literal = (value: string, start: number, exact: boolean, isKey: boolean) => {
    const top = frames[frames.length - 1];
    if (isKey && top?.kind === "{") {
      top.current = value;
      out.push({ value, start, exact, path: [...top.path, value] });
    } else out.push({ value, start, exact, path: valuePath() });
  };
  let i = open;
  while (i <= close) {
    const c = text[i];
    if (c === "{" || c === "[") {
      frames.push({ kind: c, path: valuePath() });
      i++;
    } else if (c === "}" || c === "]") {
      frames.pop();
      i++;
    } else if (c === "'" || c === '"') {
      const end = jsStringEnd(text, i);
      const raw = text.slice(i + 1, end);
      const value = unescapeJs(raw);
      literal(value, i + 1, value === raw, nextIsColon(end + 1));
      i = end + 1;
    } else if (/[A-Za-z_$]/.test(c) && !/[\w$]/.test(text[i - 1] ?? "")) {
      const m = /[\w$]+/y;
      m.lastIndex = i;
      const word = m.exec(text)![0];
      if (nextIsColon(i + word.length)) literal(word, i, true, true);
      i += word.length;
    } else i = skipJsToken(text, i);
  }
  return out;
}
