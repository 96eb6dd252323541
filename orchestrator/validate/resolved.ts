/**
 * What validation needs from ZetaSQL's resolved AST (AnyResolvedStatementProto as JSON): the
 * table, view or function a statement creates, a query's output columns, an expression's type.
 */
import type { TypeProto } from "./bigquery-types";
import type { CatalogColumn } from "./catalog";

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** A type with only the fields a catalog takes (the AST adds annotations and descriptors). */
function cleanType(t: TypeProto): TypeProto {
  switch (t.typeKind) {
    case "TYPE_ARRAY":
      return { typeKind: t.typeKind, arrayType: { elementType: cleanType(t.arrayType!.elementType) } };
    case "TYPE_RANGE":
      return { typeKind: t.typeKind, rangeType: { elementType: cleanType(t.rangeType!.elementType) } };
    case "TYPE_STRUCT":
      return {
        typeKind: t.typeKind,
        structType: { field: (t.structType?.field ?? []).map((f) => ({ ...(f.fieldName ? { fieldName: f.fieldName } : {}), fieldType: cleanType(f.fieldType) })) },
      };
    default:
      return { typeKind: t.typeKind };
  }
}

/** Breadth-first: the shallowest value under `key`, so a statement's own fields win over its subqueries'. */
function shallowest(root: unknown, key: string): unknown {
  let level: unknown[] = [root];
  while (level.length) {
    const next: unknown[] = [];
    for (const n of level) {
      if (Array.isArray(n)) next.push(...n);
      else if (isNode(n)) {
        if (key in n) return n[key];
        next.push(...Object.values(n).filter((v) => typeof v === "object" && v !== null));
      }
    }
    level = next;
  }
  return undefined;
}

/** Output columns of a query, CREATE TABLE AS SELECT, CREATE VIEW or CREATE TABLE (col …). */
export function outputColumns(statement: Node): CatalogColumn[] | undefined {
  const definitions = shallowest(statement, "columnDefinitionList") as { name: string; type: TypeProto }[] | undefined;
  if (definitions?.length) return definitions.map((c) => ({ name: c.name, type: cleanType(c.type) }));
  const outputs = shallowest(statement, "outputColumnList") as { name: string; column: { type: TypeProto } }[] | undefined;
  return outputs?.map((c) => ({ name: c.name, type: cleanType(c.column.type) }));
}

interface Created {
  kind: "table" | "function";
  /** The name as written, e.g. ["p.d.t"] or ["d", "t"]. */
  namePath: string[];
  temporary: boolean;
  columns?: CatalogColumn[];
  /** A zetasql.FunctionProto for a CREATE FUNCTION. */
  function?: unknown;
}

/** The object a CREATE statement makes, or undefined for any other statement. */
export function createdObject(statement: Node): Created | undefined {
  const create = statement.resolvedCreateStatementNode;
  if (!isNode(create)) return undefined;
  const namePath = shallowest(create, "namePath") as string[] | undefined;
  if (!namePath?.length) return undefined;
  const temporary = shallowest(create, "createScope") === "CREATE_TEMP";
  if (isNode(create.resolvedCreateFunctionStmtNode)) {
    const fn = create.resolvedCreateFunctionStmtNode;
    const signature = shallowest(fn, "signature");
    if (!signature) return undefined;
    const aggregate = Boolean(shallowest(fn, "isAggregate"));
    return { kind: "function", namePath, temporary, function: { namePath, group: "UDF", mode: aggregate ? "AGGREGATE" : "SCALAR", signature: [signature] } };
  }
  if (!isNode(create.resolvedCreateTableStmtBaseNode) && !isNode(create.resolvedCreateViewBaseNode)) return undefined;
  const columns = outputColumns(create);
  return columns && { kind: "table", namePath, temporary, columns };
}

/** The type of a resolved expression (AnyResolvedExprProto). */
export function expressionType(expr: Node): TypeProto | undefined {
  const t = shallowest(expr, "type") as TypeProto | undefined;
  return t && typeof t.typeKind === "string" ? cleanType(t) : undefined;
}
