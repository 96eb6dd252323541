import type { Assertion, CompiledGraph, Operation, Table, Target } from "../compile/graph";
import { targetName } from "../compile/graph";
import { CompileError, VwatchError } from "../errors";
import type { TableMetadata } from "../warehouse/warehouse";
import * as bq from "./bigquery-sql";
import { relationName } from "../warehouse/dialect";
import { duckdbSchemaName } from "../warehouse/duckdb-names";
import * as duck from "./duckdb-sql";
import { selectActions, type Selection } from "./select";
import { extractExternalQueries, type ExternalQuery } from "../federated/extract";

export type Dialect = "bigquery" | "duckdb";
export type ActionKind = "table" | "view" | "incremental" | "operation" | "assertion";
/** How a table is written this run: rebuilt, merged or appended, or a view replaced. */
export type WriteMode = "create" | "merge" | "insert" | "view";

export interface PlannedTask {
  /** statement: run it; assertion: fails when it returns a row count > 0; metadata: descriptions and labels. */
  type: "statement" | "assertion" | "metadata";
  sql: string;
}

export interface PlannedAction {
  name: string;
  target: Target;
  /** The target's name quoted for the dialect, e.g. `p.d.t` or "d"."t". */
  relation: string;
  kind: ActionKind;
  fileName?: string;
  tags: string[];
  /** Every action or declaration this one reads, by name. */
  dependencies: string[];
  mode?: WriteMode;
  disabled: boolean;
  tasks: PlannedTask[];
  /** DuckDB: EXTERNAL_QUERY calls cut out of the statements, to fill from PostgreSQL before the tasks run. */
  externalQueries?: ExternalQuery[];
  /** Set when the action cannot run at all (e.g. SQL that does not translate to DuckDB). */
  error?: VwatchError;
}

export interface Plan {
  dialect: Dialect;
  /** Datasets (BigQuery) or schemas (DuckDB) to create before any action runs. */
  schemas: string[];
  /** Included actions, dependencies first. */
  actions: PlannedAction[];
  declarations: { name: string; target: Target; fileName?: string }[];
}

export interface PlanOptions {
  dialect: Dialect;
  fullRefresh?: boolean;
  selection?: Selection;
  /** BigQuery → DuckDB translation of a query or statement (required for duckdb). */
  translate?: (sql: string, file?: string) => string;
}

/** What the planner needs to know about the warehouse: existing tables by action name. */
export type WarehouseState = Map<string, TableMetadata>;

/**
 * The execution plan: pure function of the compiled graph, the warehouse state and the options.
 * BigQuery statements are the official CLI's; DuckDB statements wrap translated queries in
 * DuckDB DDL/DML of the same meaning.
 */
export function buildPlan(graph: CompiledGraph, state: WarehouseState, options: PlanOptions): Plan {
  const errors = graph.graphErrors?.compilationErrors ?? [];
  if (errors.length) {
    throw new CompileError(
      `the project has ${errors.length} compilation error(s)`,
      errors.map((e) => ({ file: e.fileName ?? "?", message: e.message ?? "" })),
    );
  }
  const included = selectActions(graph, options.selection ?? {});
  const cfg = graph.projectConfig;
  const sql = options.dialect === "bigquery" ? bigquerySql(cfg) : duckdbSql(cfg, options);

  const actions: PlannedAction[] = [];
  const add = (a: Table | Operation | Assertion, kind: ActionKind, build: (relation: string) => Omit<PlannedAction, keyof Base>) => {
    const name = targetName(a.target);
    if (!included.has(name)) return;
    const base: Base = {
      name,
      target: a.target,
      relation: relationName(options.dialect, a.target, cfg),
      kind,
      fileName: a.fileName,
      tags: a.tags ?? [],
      dependencies: (a.dependencyTargets ?? []).map(targetName),
      disabled: Boolean(a.disabled),
    };
    try {
      actions.push({ ...base, ...(a.disabled ? { tasks: [] } : build(base.relation)) });
    } catch (e) {
      if (!(e instanceof VwatchError)) throw e;
      actions.push({ ...base, tasks: [], error: e });
    }
  };

  for (const t of graph.tables ?? []) {
    const kind: ActionKind = t.enumType === "VIEW" ? "view" : t.enumType === "INCREMENTAL" ? "incremental" : "table";
    add(t, kind, (relation) => sql.table(t, relation, kind, state.get(targetName(t.target)), Boolean(options.fullRefresh)));
  }
  for (const o of graph.operations ?? []) add(o, "operation", () => sql.operation(o));
  for (const a of graph.assertions ?? []) add(a, "assertion", (relation) => sql.assertion(a, relation));

  const ordered = topologicalOrder(actions);
  const schemaTargets = new Map<string, Target>();
  for (const a of ordered) {
    const t = { database: a.target.database || cfg.defaultDatabase, schema: a.target.schema || cfg.defaultSchema, name: "" };
    schemaTargets.set(`${t.database}.${t.schema}`, t);
  }
  return {
    dialect: options.dialect,
    schemas: [...schemaTargets.values()].map((t) => sql.createSchema(t)),
    actions: ordered,
    declarations: (graph.declarations ?? []).map((d) => ({ name: targetName(d.target), target: d.target, fileName: d.fileName })),
  };
}

type Base = Pick<PlannedAction, "name" | "target" | "relation" | "kind" | "fileName" | "tags" | "dependencies" | "disabled">;
type Built = Omit<PlannedAction, keyof Base>;

interface DialectSql {
  table(t: Table, relation: string, kind: ActionKind, existing: TableMetadata | undefined, fullRefresh: boolean): Built;
  operation(o: Operation): Built;
  assertion(a: Assertion, relation: string): Built;
  createSchema(t: Target): string;
}

/** Whether an incremental table is merged/appended this run rather than rebuilt. */
function writesIncrementally(t: Table, existing: TableMetadata | undefined, fullRefresh: boolean): boolean {
  return (!fullRefresh || Boolean(t.protected)) && !!existing && existing.kind !== "view";
}

function tableMode(t: Table, kind: ActionKind, incremental: boolean): WriteMode {
  if (kind === "view") return "view";
  if (kind === "incremental" && incremental) return t.uniqueKey?.length ? "merge" : "insert";
  return "create";
}

function bigquerySql(cfg: CompiledGraph["projectConfig"]): DialectSql {
  return {
    table(t, resolved, kind, existing, fullRefresh) {
      const base: "table" | "view" = kind === "view" ? "view" : "table";
      const incremental = kind === "incremental" && writesIncrementally(t, existing, fullRefresh);
      const mode = tableMode(t, kind, incremental);
      const statements: string[] = [...((incremental ? t.incrementalPreOps : t.preOps) ?? [])];
      if (existing && existing.kind !== base) statements.push(bq.dropIfExists(resolved, existing.kind));
      const columns = existing?.columns.map((c) => c.name) ?? [];
      const query = t.incrementalQuery || t.query || "";
      if (mode === "merge") statements.push(bq.mergeInto(resolved, columns, query, t.uniqueKey!, t.bigquery?.updatePartitionFilter));
      else if (mode === "insert") statements.push(bq.insertInto(resolved, columns, query));
      else statements.push(bq.createOrReplace(t, resolved, base));
      statements.push(...((incremental ? t.incrementalPostOps : t.postOps) ?? []));
      const d = t.actionDescriptor;
      const metadata = bq.setMetadata(resolved, base, d?.description, t.bigquery?.labels ?? d?.bigqueryLabels, d?.columns);
      return {
        mode,
        tasks: [
          { type: "statement", sql: bq.concatenate(statements) },
          ...metadata.map((sql) => ({ type: "metadata" as const, sql })),
        ],
      };
    },
    operation(o) {
      return { tasks: (o.queries ?? []).map((sql) => ({ type: "statement" as const, sql })) };
    },
    assertion(a, resolved) {
      return {
        tasks: [
          { type: "statement", sql: bq.createOrReplaceView(resolved, a.query ?? "") },
          { type: "assertion", sql: bq.assertionCount(resolved) },
        ],
      };
    },
    createSchema(t) {
      const location = cfg.defaultLocation ? ` options(location="${cfg.defaultLocation}")` : "";
      return `create schema if not exists \`${t.database}.${t.schema}\`${location}`;
    },
  };
}

function duckdbSql(cfg: CompiledGraph["projectConfig"], options: PlanOptions): DialectSql {
  const translateQuery = options.translate;
  if (!translateQuery) throw new Error("the duckdb plan needs a translate function");
  type Translate = (sql: string, file?: string) => string;
  /** Builds one action with a translate that cuts out its EXTERNAL_QUERY calls, listed on the action. */
  const withExternal = (build: (translate: Translate) => Built): Built => {
    const external: ExternalQuery[] = [];
    const built = build((sql, file) => {
      const cut = extractExternalQueries(sql, file);
      for (const q of cut.queries) if (!external.some((e) => e.table === q.table)) external.push(q);
      return translateQuery(cut.sql, file);
    });
    return external.length ? { ...built, externalQueries: external } : built;
  };
  return {
    table: (t, resolved, kind, existing, fullRefresh) => withExternal((translate) => {
      const file = t.fileName;
      const base: "table" | "view" = kind === "view" ? "view" : "table";
      const incremental = kind === "incremental" && writesIncrementally(t, existing, fullRefresh);
      const mode = tableMode(t, kind, incremental);
      const statements = ((incremental ? t.incrementalPreOps : t.preOps) ?? []).map((s) => translate(s, file));
      if (existing && existing.kind !== base) statements.push(duck.dropIfExists(resolved, existing.kind));
      const columns = existing?.columns.map((c) => c.name) ?? [];
      if (mode === "merge") {
        const query = translate(t.incrementalQuery || t.query || "", file);
        const filter = t.bigquery?.updatePartitionFilter;
        statements.push(duck.mergeInto(resolved, columns, query, t.uniqueKey!, filter && duck.translateFilter(filter, (s) => translate(s, file))));
      } else if (mode === "insert") {
        statements.push(duck.insertInto(resolved, columns, translate(t.incrementalQuery || t.query || "", file)));
      } else {
        statements.push(duck.createOrReplace(resolved, base, translate(t.query ?? "", file)));
      }
      statements.push(...((incremental ? t.incrementalPostOps : t.postOps) ?? []).map((s) => translate(s, file)));
      const d = t.actionDescriptor;
      return {
        mode,
        tasks: [
          ...statements.map((sql) => ({ type: "statement" as const, sql })),
          // One metadata task per table: DuckDB runs the comment statements in a single call.
          ...[duck.comments(resolved, base, d?.description, d?.columns).join(";\n")].filter(Boolean).map((sql) => ({ type: "metadata" as const, sql })),
        ],
      };
    }),
    operation: (o) => withExternal((translate) => ({ tasks: (o.queries ?? []).map((sql) => ({ type: "statement" as const, sql: translate(sql, o.fileName) })) })),
    assertion: (a, resolved) =>
      withExternal((translate) => ({
        tasks: [
          { type: "statement", sql: duck.createOrReplace(resolved, "view", translate(a.query ?? "", a.fileName)) },
          { type: "assertion", sql: `select count(*) as row_count from ${resolved}` },
        ],
      })),
    createSchema(t) {
      return `create schema if not exists ${duckdbSchemaName(t, cfg.defaultDatabase)}`;
    },
  };
}

/** Dependencies first; ties keep the graph's order so plans are stable. */
function topologicalOrder(actions: PlannedAction[]): PlannedAction[] {
  const byName = new Map(actions.map((a) => [a.name, a]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: PlannedAction[] = [];
  const visit = (a: PlannedAction) => {
    if (done.has(a.name)) return;
    if (visiting.has(a.name)) throw new CompileError(`dependency cycle through ${a.name}`);
    visiting.add(a.name);
    for (const dep of a.dependencies) {
      const d = byName.get(dep);
      if (d) visit(d);
    }
    visiting.delete(a.name);
    done.add(a.name);
    out.push(a);
  };
  actions.forEach(visit);
  return out;
}
