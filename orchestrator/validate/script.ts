/**
 * A planner statement can be a BigQuery script: pre/post operations joined with `;`, DECLARE,
 * SET, BEGIN … END, IF, loops. ZetaSQL analyzes one statement at a time, so the script is parsed
 * (scripts allowed) and cut into units: statements to analyze, expressions to analyze (SET values,
 * IF/WHILE conditions), variable declarations and FOR … IN loops (whose variables later units read).
 * Pure: works on the parse tree ZetaSQL returns.
 */
import { isWord, lex, nextCode } from "../sql/lexer";

interface Range {
  start: number;
  end: number;
}

export type ScriptUnit =
  | ({ kind: "statement" } & Range)
  | ({ kind: "expression" } & Range)
  | ({ kind: "declare"; names: string[]; type?: Range; value?: Range } & Range)
  | ({ kind: "for"; variable: string; query: Range } & Range);

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** The byte range ZetaSQL recorded for a node: on the node itself or down its `parent` chain. */
function location(n: unknown): { start: number; end: number } | undefined {
  if (!isNode(n)) return undefined;
  const range = n.parseLocationRange as { start?: number; end?: number } | undefined;
  if (range) return { start: range.start ?? 0, end: range.end ?? 0 };
  if (isNode(n.parent)) return location(n.parent);
  // A oneof wrapper (AnyAST…Proto): its only object field is the concrete node.
  for (const v of Object.values(n)) if (isNode(v)) return location(v);
  return undefined;
}

/** The concrete node inside oneof wrappers, with its message name (e.g. astVariableDeclarationNode). */
function concrete(n: Node): { kind: string; node: Node } {
  let kind = "";
  let cur: Node = n;
  for (;;) {
    const entries = Object.entries(cur).filter(([k, v]) => isNode(v) && k.endsWith("Node"));
    if (entries.length !== 1 || "parent" in cur) return { kind, node: cur };
    [kind, cur] = entries[0] as [string, Node];
  }
}

/** Byte offsets (UTF-8, as ZetaSQL counts) to string offsets. */
function byteOffsets(text: string): (byte: number) => number {
  if (!/[^\x00-\x7f]/.test(text)) return (b) => b;
  const starts: number[] = [];
  let byte = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) starts[byte + k] = i;
    byte += bytes;
    i += units;
  }
  return (b) => (b >= byte ? text.length : starts[b]);
}

/** The units of a parsed script (zetasql.ASTScriptProto), in source order. */
export function scriptUnits(script: Node, text: string): ScriptUnit[] {
  const toIndex = byteOffsets(text);
  const range = (n: unknown): Range | undefined => {
    const r = location(n);
    return r && { start: toIndex(r.start), end: toIndex(r.end) };
  };
  const units: ScriptUnit[] = [];
  const statementList = (list: unknown) => {
    if (!isNode(list)) return;
    for (const s of (list.statementList as Node[] | undefined) ?? []) statement(s);
  };
  const expression = (e: unknown) => {
    const r = range(e);
    if (r) units.push({ kind: "expression", ...r });
  };
  const statement = (s: Node) => {
    const r = range(s);
    if (!r) return;
    if (!isNode(s.astScriptStatementNode)) {
      units.push({ kind: "statement", ...r });
      return;
    }
    const { kind, node } = concrete(s.astScriptStatementNode);
    const body = (n: Node) => statementList((n.parent as Node | undefined)?.body);
    switch (kind) {
      case "astVariableDeclarationNode": {
        const ids = ((node.variableList as Node | undefined)?.identifierList as Node[] | undefined) ?? [];
        units.push({ kind: "declare", ...r, names: ids.map((i) => String(i.idString)), type: range(node.type), value: range(node.defaultValue) });
        break;
      }
      case "astBeginEndBlockNode":
        statementList(node.statementListNode);
        for (const h of ((node.handlerList as Node | undefined)?.exceptionHandlerList as Node[] | undefined) ?? []) statementList(h.statementList);
        break;
      case "astIfStatementNode":
        expression(node.condition);
        statementList(node.thenList);
        for (const c of ((node.elseifClauses as Node | undefined)?.elseifClauses as Node[] | undefined) ?? []) {
          expression(c.condition);
          statementList(c.body);
        }
        statementList(node.elseList);
        break;
      case "astCaseStatementNode":
        if (node.expression) expression(node.expression);
        for (const c of ((node.whenThenClauses as Node | undefined)?.whenThenClauses as Node[] | undefined) ?? []) {
          expression(c.condition);
          statementList(c.body);
        }
        statementList(node.elseList);
        break;
      case "astSingleAssignmentNode":
        expression(node.expression);
        break;
      case "astAssignmentFromStructNode":
        expression(node.structExpression);
        break;
      case "astRaiseStatementNode":
        if (node.message) expression(node.message);
        break;
      // Loops: oneof wrappers are unwrapped by concrete(); the body sits in the base (parent) message.
      case "astWhileStatementNode":
        if (node.condition) expression(node.condition);
        body(node);
        break;
      case "astRepeatStatementNode":
        expression((node.untilClause as Node | undefined)?.condition);
        body(node);
        break;
      case "astForInStatementNode": {
        const q = range(node.query);
        if (q) units.push({ kind: "for", ...r, variable: String((node.variable as Node | undefined)?.idString ?? ""), query: q });
        body(node);
        break;
      }
      default:
      // BREAK, CONTINUE, RETURN: nothing to analyze.
    }
  };
  statementList(script.statementListNode);
  return units.sort((a, b) => a.start - b.start);
}

const SCRIPT_WORDS = new Set(["DECLARE", "BEGIN", "IF", "SET", "LOOP", "WHILE", "REPEAT", "FOR", "CASE", "RAISE", "CALL", "EXECUTE", "RETURN", "BREAK", "CONTINUE", "LEAVE", "ITERATE"]);

/** Whether a task may hold more than one statement or script syntax (strings and comments aside). */
export function looksLikeScript(sql: string): boolean {
  const tokens = lex(sql, "bigquery");
  const first = tokens[nextCode(tokens, 0)];
  return tokens.some((t) => t.kind === "punct" && t.text === ";") || (isWord(first) && SCRIPT_WORDS.has(first.text.toUpperCase()));
}
