/**
 * From a position in a statement the planner generated back to the definition file: the
 * compiled query (or pre/post operation) that contains it, then that text aligned with the
 * file's templates (sqlx-source.ts). Text the project did not write verbatim (assertions from
 * `assertions: {…}`, `uniqueKey`, partition filters, column descriptions) maps to the config
 * string it came from; anything else falls back to the line where the statement starts.
 */
import * as fs from "fs";
import * as path from "path";
import { readJs, readSqlx, type Piece, type SourceFile, type Template } from "./sqlx-source";

interface SourcePosition {
  file: string;
  line: number;
  column: number;
  /** False when only the statement's first line is known. */
  exact: boolean;
}

interface Placement {
  piece: Piece;
  from: number;
  to: number;
}

/** Places each piece of `template` in target[from, to): text exactly, holes on whatever lies between. */
export function align(template: Template, target: string, from = 0, to = target.length): Placement[] | undefined {
  const failed = new Set<string>();
  const go = (k: number, pos: number): Placement[] | undefined => {
    if (k === template.length) return pos === to ? [] : undefined;
    const key = `${k}:${pos}`;
    if (failed.has(key)) return undefined;
    const p = template[k];
    let result: Placement[] | undefined;
    const then = (end: number) => {
      const rest = go(k + 1, end);
      if (rest) result = [{ piece: p, from: pos, to: end }, ...rest];
      return result;
    };
    if (p.kind === "text") {
      if (pos + p.text.length <= to && target.startsWith(p.text, pos)) then(pos + p.text.length);
    } else {
      const next = template[k + 1];
      if (!next) then(to);
      else if (next.kind === "hole") then(pos);
      else {
        // The shortest expansion that lets the rest match.
        for (let q = target.indexOf(next.text, pos); q >= 0 && q + next.text.length <= to; q = target.indexOf(next.text, q + 1)) {
          if (then(q)) break;
        }
      }
    }
    if (!result) failed.add(key);
    return result;
  };
  return go(0, from);
}

/** The file offset of `offset` in an aligned target, or undefined outside it. */
export function mapOffset(placements: Placement[], target: string, offset: number): number | undefined {
  for (const pl of placements) {
    if (offset < pl.from || offset >= pl.to) continue;
    const p = pl.piece;
    if (p.kind === "text") return p.exact ? p.start + (offset - pl.from) : p.start;
    for (const alternative of p.alternatives) {
      const inner = align(alternative, target, pl.from, pl.to);
      const mapped = inner && mapOffset(inner, target, offset);
      if (mapped !== undefined) return mapped;
    }
    return p.start;
  }
  return undefined;
}

/** 1-based line and column (in characters; a tab is one) of a string offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: [...text.slice(lineStart, offset)].length + 1 };
}

/** The string offset ZetaSQL means by `[at line:column]`: columns count characters, tabs advance to the next multiple of 8. */
export function offsetOfZetaSqlPosition(text: string, line: number, column: number): number {
  let i = 0;
  for (let l = 1; l < line; l++) {
    const m = /\r\n|\n|\r/g;
    m.lastIndex = i;
    const found = m.exec(text);
    if (!found) return text.length;
    i = found.index + found[0].length;
  }
  let visual = 1;
  while (i < text.length && visual < column && text[i] !== "\n" && text[i] !== "\r") {
    visual = text[i] === "\t" ? visual + 8 - ((visual - 1) % 8) : visual + 1;
    i += text.codePointAt(i)! > 0xffff ? 2 : 1;
  }
  return i;
}

/** The name a ZetaSQL message is about ("Column not found: x", "Unrecognized name: x", "Name x not found inside t"). */
export function nameInMessage(message: string): string | undefined {
  const m = /^(?:Column|Table|Function|Table-valued function) not found: `?([^`;\s]+)`?|^Unrecognized name: `?([^`;\s]+)`?|^Name `?([^`;\s]+)`? not found/.exec(message);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** `[at 3:14]` at the end of a ZetaSQL message: the position and the message without it. */
export function splitZetaSqlMessage(message: string): { message: string; line?: number; column?: number } {
  const m = /\s*\[at (\d+):(\d+)\]\s*$/.exec(message);
  if (!m) return { message: message.trim() };
  return { message: message.slice(0, m.index).trim(), line: Number(m[1]), column: Number(m[2]) };
}

/** What is known about the action a statement came from. */
export interface StatementOrigin {
  fileName?: string;
  /** The compiled texts the action's statements embed: queries, pre/post operations. */
  sources: string[];
  /** Config keys to prefer when the position is in generated text (e.g. "assertions"). */
  hints?: string[];
}

/** The text a compiled source contributes to a planner statement (trimmed, no trailing `;`). */
const core = (s: string) => s.trim().replace(/;\s*$/, "").trim();

export class SourceMapper {
  private readonly files = new Map<string, { text: string; source: SourceFile } | undefined>();
  private readonly alignments = new Map<string, Placement[] | undefined>();

  constructor(private readonly projectDir: string) {}

  /**
   * Where `offset` of the planner statement `sql` comes from. `name` (the column, table or
   * function an error message names) finds the config entry when the offset itself is not in one.
   */
  locate(origin: StatementOrigin, sql: string, offset: number, name?: string): SourcePosition | undefined {
    if (!origin.fileName) return undefined;
    const file = this.file(origin.fileName);
    if (!file) return undefined;
    const at = (fileOffset: number, exact: boolean): SourcePosition => ({ file: origin.fileName!, ...lineColumn(file.text, fileOffset), exact });
    for (const s of origin.sources) {
      const text = core(s);
      if (!text) continue;
      const start = sql.indexOf(text);
      if (start < 0 || offset < start || offset > start + text.length) continue;
      const inSource = Math.min(offset - start + s.indexOf(text), s.length - 1);
      const mapped = this.mapSource(origin.fileName, file.source, s, inSource);
      if (mapped !== undefined) return at(mapped, true);
    }
    const literal = this.configLiteral(file.source, origin.hints ?? [], sql, offset) ?? this.configName(file.source, origin.hints ?? [], name);
    if (literal !== undefined) return at(literal, true);
    const fallback = file.source.bodyStart ?? file.source.config?.start ?? 0;
    return at(fallback, false);
  }

  private mapSource(fileName: string, source: SourceFile, compiled: string, offset: number): number | undefined {
    const key = `${fileName}\n${compiled}`;
    if (!this.alignments.has(key)) {
      let found: Placement[] | undefined;
      for (const template of source.templates) {
        found = align(template, compiled);
        if (found) break;
      }
      this.alignments.set(key, found);
    }
    const placements = this.alignments.get(key);
    return placements && mapOffset(placements, compiled, offset);
  }

  /** A config string (or key) whose text covers the offset: preferring hinted keys, then the longest. */
  private configLiteral(source: SourceFile, hints: string[], sql: string, offset: number): number | undefined {
    let best: { start: number; score: number[] } | undefined;
    for (const lit of source.config?.literals ?? []) {
      if (!lit.value.trim()) continue;
      const idx = sql.lastIndexOf(lit.value, offset);
      if (idx < 0 || idx + lit.value.length <= offset) continue;
      const score = [lit.path.some((k) => hints.includes(k)) ? 1 : 0, lit.value.length, -lit.start];
      if (!best || compare(score, best.score) > 0) best = { start: lit.exact ? lit.start + (offset - idx) : lit.start, score };
    }
    return best?.start;
  }

  /** The config entry spelled `name`, preferring hinted keys (e.g. a `columns` key an ALTER COLUMN names). */
  private configName(source: SourceFile, hints: string[], name?: string): number | undefined {
    if (!name) return undefined;
    const matches = (source.config?.literals ?? []).filter((l) => l.value.toLowerCase() === name.toLowerCase());
    return (matches.find((l) => l.path.some((k) => hints.includes(k))) ?? matches[0])?.start;
  }

  private file(fileName: string): { text: string; source: SourceFile } | undefined {
    if (!this.files.has(fileName)) {
      const full = path.join(this.projectDir, fileName);
      let entry: { text: string; source: SourceFile } | undefined;
      if (fs.existsSync(full)) {
        const text = fs.readFileSync(full, "utf8");
        entry = { text, source: fileName.endsWith(".js") ? readJs(text) : readSqlx(text) };
      }
      this.files.set(fileName, entry);
    }
    return this.files.get(fileName);
  }
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
