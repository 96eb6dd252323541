/**
 * The compiled actions a fake compilation result holds. The fake cannot run the Dataform compiler
 * the service runs, so a test hands it the actions, or the graph of the orchestrator's own compile
 * (`actionsFromGraph`), and the fake serves them as CompilationResultAction resources.
 */
import type { CompiledGraph, Target } from "../../../orchestrator/compile/graph";

export interface FakeTarget {
  database?: string;
  schema?: string;
  name: string;
}

export interface FakeAction {
  target: FakeTarget;
  fileName: string;
  kind: "table" | "view" | "incremental" | "operation" | "assertion" | "declaration";
  tags?: string[];
  dependencies?: FakeTarget[];
  disabled?: boolean;
  /** The SQL the invocation shows as its BigQuery script. */
  sql?: string;
}

export const targetKey = (t: FakeTarget) => [t.database, t.schema, t.name].filter(Boolean).join(".");
export const sameTarget = (a: FakeTarget, b: FakeTarget) => a.name === b.name && (a.schema ?? "") === (b.schema ?? "") && (a.database ?? "") === (b.database ?? "");

export function actionsFromGraph(graph: CompiledGraph): FakeAction[] {
  const t = (x: Target): FakeTarget => ({ database: x.database, schema: x.schema, name: x.name });
  const kind = (type?: string) => (type === "incremental" ? "incremental" : type === "view" ? "view" : "table");
  return [
    ...(graph.tables ?? []).map((a) => ({ target: t(a.target), fileName: a.fileName ?? "", kind: kind(a.type ?? a.enumType?.toLowerCase()) as FakeAction["kind"], tags: a.tags, dependencies: a.dependencyTargets?.map(t), disabled: a.disabled, sql: a.query })),
    ...(graph.operations ?? []).map((a) => ({ target: t(a.target), fileName: a.fileName ?? "", kind: "operation" as const, tags: a.tags, dependencies: a.dependencyTargets?.map(t), disabled: a.disabled, sql: a.queries?.join(";\n") })),
    ...(graph.assertions ?? []).map((a) => ({ target: t(a.target), fileName: a.fileName ?? "", kind: "assertion" as const, tags: a.tags, dependencies: a.dependencyTargets?.map(t), disabled: a.disabled, sql: a.query })),
    ...(graph.declarations ?? []).map((a) => ({ target: t(a.target), fileName: a.fileName ?? "", kind: "declaration" as const })),
  ];
}

const RELATION_TYPE = { table: 1, view: 2, incremental: 3 } as const;
const RELATION_NAME = { table: "TABLE", view: "VIEW", incremental: "INCREMENTAL_TABLE" } as const;

/** A CompilationResultAction as the REST API returns it (enums as numbers when the client asks for enum-encoding=int). */
export function compilationResultAction(a: FakeAction, intEnums: boolean): Record<string, unknown> {
  const base = { target: a.target, canonicalTarget: a.target, filePath: a.fileName };
  const common = { dependencyTargets: a.dependencies ?? [], disabled: a.disabled ?? false, tags: a.tags ?? [] };
  switch (a.kind) {
    case "declaration":
      return { ...base, declaration: {} };
    case "operation":
      return { ...base, operations: { ...common, queries: a.sql ? [a.sql] : [], hasOutput: false } };
    case "assertion":
      return { ...base, assertion: { ...common, selectQuery: a.sql ?? "" } };
    default:
      return { ...base, relation: { ...common, relationType: intEnums ? RELATION_TYPE[a.kind] : RELATION_NAME[a.kind], selectQuery: a.sql ?? "" } };
  }
}
