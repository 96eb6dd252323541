/**
 * What a change does to the compiled project: two compiled graphs (a Git ref's and the working
 * tree's) compared action by action, matched by target. Pure: the graphs in, the differences out.
 * An action is modified when its compiled SQL or any configuration field differs; the actions
 * reading a changed one (transitively) are listed as downstream, with the changed actions they
 * read. See cli/diff.ts for the command.
 */
import type { Assertion, CompiledGraph, Declaration, Operation, Table } from "../compile/graph";
import { targetName } from "../compile/graph";
import { unifiedDiff } from "./unified-diff";

export type ActionType = "table" | "view" | "incremental" | "operation" | "assertion" | "declaration";

/** A configuration field that differs; a side without the field (or the action) is undefined. */
export interface FieldChange {
  field: string;
  before?: string;
  after?: string;
}

/** A part of the compiled SQL that differs, as the hunks of a unified diff. */
export interface SqlChange {
  part: string;
  diff: string;
}

export interface ActionChange {
  name: string;
  type: ActionType;
  change: "added" | "removed" | "modified";
  file?: string;
  fields: FieldChange[];
  sql: SqlChange[];
}

export interface DownstreamAction {
  name: string;
  type: ActionType;
  file?: string;
  /** The changed actions it reads, directly or not. */
  via: string[];
}

export interface GraphDiff {
  /** workflow_settings.yaml (or --vars) as compiled: defaults and each var. */
  project: FieldChange[];
  /** Added and modified actions in dependency order, then removed ones. */
  changes: ActionChange[];
  downstream: DownstreamAction[];
}

/** One action flattened to comparable text: its configuration fields and its SQL parts. */
export interface ActionView {
  name: string;
  type: ActionType;
  file?: string;
  deps: string[];
  fields: Record<string, string | undefined>;
  sql: Record<string, string | undefined>;
}

const joined = (xs: string[] | undefined) => (xs?.length ? xs.join(", ") : undefined);
const statements = (xs: string[] | undefined) => (xs?.length ? xs.map((s) => s.trim()).join(";\n") : undefined);
const flag = (b: boolean | undefined) => (b ? "true" : undefined);
const record = (r: Record<string, string> | undefined) =>
  r && Object.keys(r).length ? Object.keys(r).sort().map((k) => `${k}=${r[k]}`).join(", ") : undefined;

function tableType(t: Table): ActionType {
  const kind = String(t.enumType ?? t.type ?? "table").toLowerCase();
  return kind === "view" || kind === "incremental" ? kind : "table";
}

function view(a: Table | Operation | Assertion | Declaration, type: ActionType): ActionView {
  const t = a as Table & Operation & Assertion;
  const descriptor = a.actionDescriptor;
  const fields: Record<string, string | undefined> = {
    type,
    file: a.fileName,
    disabled: flag(a.disabled),
    tags: joined(a.tags),
    dependencies: joined((a.dependencyTargets ?? []).map(targetName).sort()),
    description: descriptor?.description,
    uniqueKey: joined(t.uniqueKey),
    partitionBy: t.bigquery?.partitionBy,
    clusterBy: joined(t.bigquery?.clusterBy),
    updatePartitionFilter: t.bigquery?.updatePartitionFilter,
    partitionExpirationDays: t.bigquery?.partitionExpirationDays?.toString(),
    requirePartitionFilter: flag(t.bigquery?.requirePartitionFilter),
    labels: record(t.bigquery?.labels ?? descriptor?.bigqueryLabels),
    additionalOptions: record(t.bigquery?.additionalOptions),
    protected: flag(t.protected),
    materialized: flag(t.materialized),
    onSchemaChange: t.onSchemaChange,
    hasOutput: flag(t.hasOutput),
    parentAction: t.parentAction ? targetName(t.parentAction) : undefined,
  };
  for (const c of descriptor?.columns ?? []) fields[`columns.${c.path.join(".")}`] = c.description ?? "";
  return {
    name: targetName(a.target),
    type,
    file: a.fileName,
    deps: (a.dependencyTargets ?? []).map(targetName),
    fields,
    sql: {
      query: t.query,
      incrementalQuery: type === "incremental" ? t.incrementalQuery : undefined,
      preOps: statements(t.preOps),
      postOps: statements(t.postOps),
      incrementalPreOps: type === "incremental" ? statements(t.incrementalPreOps) : undefined,
      incrementalPostOps: type === "incremental" ? statements(t.incrementalPostOps) : undefined,
      queries: statements(t.queries),
    },
  };
}

/** Every action and declaration of a graph, by name, in dependency order (dependencies first). */
export function actionViews(graph: CompiledGraph): Map<string, ActionView> {
  const all = [
    ...(graph.declarations ?? []).map((d) => view(d, "declaration")),
    ...(graph.tables ?? []).map((t) => view(t, tableType(t))),
    ...(graph.operations ?? []).map((o) => view(o, "operation")),
    ...(graph.assertions ?? []).map((a) => view(a, "assertion")),
  ];
  const byName = new Map(all.map((v) => [v.name, v]));
  const ordered = new Map<string, ActionView>();
  const visiting = new Set<string>();
  const visit = (v: ActionView) => {
    if (ordered.has(v.name) || visiting.has(v.name)) return;
    visiting.add(v.name);
    for (const d of v.deps) if (byName.has(d)) visit(byName.get(d)!);
    ordered.set(v.name, v);
  };
  all.forEach(visit);
  return ordered;
}

function fieldChanges(before: Record<string, string | undefined>, after: Record<string, string | undefined>): FieldChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.filter((k) => (before[k] ?? undefined) !== (after[k] ?? undefined)).map((field) => ({ field, before: before[field], after: after[field] }));
}

function sqlChanges(before: ActionView | undefined, after: ActionView | undefined): SqlChange[] {
  const parts = Object.keys({ ...before?.sql, ...after?.sql });
  return parts
    .map((part) => ({ part, diff: unifiedDiff(before?.sql[part] ?? "", after?.sql[part] ?? "") }))
    .filter((c) => c.diff !== "");
}

function projectFields(graph: CompiledGraph): Record<string, string | undefined> {
  const { defaultDatabase, defaultSchema, assertionSchema, defaultLocation, vars } = graph.projectConfig;
  const fields: Record<string, string | undefined> = { defaultDatabase, defaultSchema, assertionSchema, defaultLocation };
  for (const [k, v] of Object.entries(vars ?? {})) fields[`vars.${k}`] = v;
  return fields;
}

/** The differences between the base graph (a Git ref's) and the head graph (the working tree's). */
export function diffGraphs(base: CompiledGraph, head: CompiledGraph): GraphDiff {
  const before = actionViews(base);
  const after = actionViews(head);
  const changes: ActionChange[] = [];
  for (const [name, a] of after) {
    const b = before.get(name);
    const sql = sqlChanges(b, a);
    // An added (or removed) action's configuration is all new: only its SQL is shown.
    if (!b) changes.push({ name, type: a.type, change: "added", file: a.file, fields: [], sql });
    const fields = b ? fieldChanges(b.fields, a.fields) : [];
    if (b && (fields.length || sql.length)) changes.push({ name, type: a.type, change: "modified", file: a.file, fields, sql });
  }
  for (const [name, b] of before) {
    if (!after.has(name)) changes.push({ name, type: b.type, change: "removed", file: b.file, fields: [], sql: sqlChanges(b, undefined) });
  }
  return { project: fieldChanges(projectFields(base), projectFields(head)), changes, downstream: downstreamOf(after, changes) };
}

/** The head graph's actions reading an added or modified one, directly or not, with which they read. */
function downstreamOf(after: Map<string, ActionView>, changes: ActionChange[]): DownstreamAction[] {
  const changed = new Set(changes.filter((c) => c.change !== "removed").map((c) => c.name));
  const readers = new Map<string, string[]>();
  for (const v of after.values()) for (const d of v.deps) readers.set(d, [...(readers.get(d) ?? []), v.name]);
  const via = new Map<string, Set<string>>();
  for (const root of changed) {
    const queue = [root];
    const seen = new Set<string>();
    while (queue.length) {
      for (const r of readers.get(queue.pop()!) ?? []) {
        if (seen.has(r)) continue;
        seen.add(r);
        queue.push(r);
        if (!changed.has(r)) via.set(r, (via.get(r) ?? new Set()).add(root));
      }
    }
  }
  return [...after.values()]
    .filter((v) => via.has(v.name))
    .map((v) => ({ name: v.name, type: v.type, file: v.file, via: [...after.keys()].filter((n) => via.get(v.name)!.has(n)) }));
}
