import { targetName, type Target } from "../../compile/graph";
import { extractExternalQueries, type ExternalQuery } from "../../sql/external-query";
import type { ProjectDefaults } from "../../sql/names";
import { FAILURES_COLUMNS, FAILURES_RUN_ID_PARAMETER, failuresTarget, tableMode, writesIncrementally, type BuiltAction, type StatementBuilder } from "../statements";
import { duckdbSchemaName, duckdbString, duckdbTableName, quoteIdent } from "../../sql/duckdb-names";

/** BigQuery → DuckDB translation of a query or statement; `file` names it in errors. */
export type Translate = (sql: string, file?: string) => Promise<string>;

/** A target's quoted DuckDB name, the default dataset filled in. */
export function duckdbRelation(target: Target, cfg: Pick<ProjectDefaults, "defaultDatabase" | "defaultSchema">): string {
  return duckdbTableName({ ...target, schema: target.schema || cfg.defaultSchema }, cfg.defaultDatabase);
}

/**
 * DuckDB DDL/DML around translated queries, with the meaning of the BigQuery statements. Each
 * EXTERNAL_QUERY call is cut out before translation and listed on its action, to be served from
 * PostgreSQL before the action runs (external-query.ts).
 */
export function duckdbStatements(cfg: ProjectDefaults, translateQuery: Translate): StatementBuilder {
  /** Builds one action with a translate that cuts out its EXTERNAL_QUERY calls, listed on the action. */
  const withExternal = async (build: (translate: Translate) => Promise<BuiltAction>): Promise<BuiltAction> => {
    const external: ExternalQuery[] = [];
    const built = await build((sql, file) => {
      const cut = extractExternalQueries(sql, file);
      for (const q of cut.queries) if (!external.some((e) => e.table === q.table)) external.push(q);
      return translateQuery(cut.sql, file);
    });
    return external.length ? { ...built, externalQueries: external } : built;
  };
  return {
    relation: (target) => duckdbRelation(target, cfg),
    table: (t, resolved, kind, existing, fullRefresh) => withExternal(async (translate) => {
      const file = t.fileName;
      const base: "table" | "view" = kind === "view" ? "view" : "table";
      const incremental = kind === "incremental" && writesIncrementally(t, existing, fullRefresh);
      const mode = tableMode(t, kind, incremental);
      const each = (sqls: string[] | undefined) => Promise.all((sqls ?? []).map((s) => translate(s, file)));
      const statements = await each(incremental ? t.incrementalPreOps : t.preOps);
      if (existing && existing.kind !== base) statements.push(dropIfExists(resolved, existing.kind));
      const columns = existing?.columns.map((c) => c.name) ?? [];
      if (mode === "merge") {
        const query = await translate(t.incrementalQuery || t.query || "", file);
        const filter = t.bigquery?.updatePartitionFilter;
        statements.push(mergeInto(resolved, columns, query, t.uniqueKey!, filter && (await translateFilter(filter, (s) => translate(s, file)))));
      } else if (mode === "insert") {
        statements.push(insertInto(resolved, columns, await translate(t.incrementalQuery || t.query || "", file)));
      } else {
        statements.push(createOrReplace(resolved, base, await translate(t.query ?? "", file)));
      }
      statements.push(...(await each(incremental ? t.incrementalPostOps : t.postOps)));
      const d = t.actionDescriptor;
      return {
        mode,
        tasks: [
          ...statements.map((sql) => ({ type: "statement" as const, sql })),
          // One metadata task per table: DuckDB runs the comment statements in a single call.
          ...[comments(resolved, base, d?.description, d?.columns).join(";\n")].filter(Boolean).map((sql) => ({ type: "metadata" as const, sql })),
        ],
      };
    }),
    operation: (o) =>
      withExternal(async (translate) => ({
        tasks: (await Promise.all((o.queries ?? []).map((sql) => translate(sql, o.fileName)))).map((sql) => ({ type: "statement" as const, sql })),
      })),
    assertion: (a, resolved) =>
      withExternal(async (translate) => ({
        tasks: [
          { type: "statement", sql: createOrReplace(resolved, "view", await translate(a.query ?? "", a.fileName)) },
          { type: "failures", sql: storeFailures(duckdbRelation(failuresTarget(a.target), cfg), resolved), table: targetName(failuresTarget(a.target)) },
          { type: "assertion", sql: `select count(*) as row_count from ${resolved}` },
        ],
      })),
    createSchema(t) {
      return `create schema if not exists ${duckdbSchemaName(t, cfg.defaultDatabase)}`;
    },
  };
}

export function createOrReplace(resolved: string, kind: "table" | "view", query: string): string {
  return `create or replace ${kind} ${resolved} as ${query}`;
}

/** The assertion's rows (none when it passes) with the run id and the time, replacing the last run's. */
export function storeFailures(failures: string, resolved: string): string {
  return `create or replace table ${failures} as select *, cast($${FAILURES_RUN_ID_PARAMETER} as varchar) as ${FAILURES_COLUMNS.runId}, current_timestamp as ${FAILURES_COLUMNS.storedAt} from ${resolved}`;
}

export function dropIfExists(resolved: string, kind: "table" | "view"): string {
  return `drop ${kind} if exists ${resolved}`;
}

export function insertInto(resolved: string, columns: string[], query: string): string {
  const cols = columns.map(quoteIdent).join(", ");
  return `insert into ${resolved} (${cols}) select ${cols} from (${query}) as insertions`;
}

export function mergeInto(resolved: string, columns: string[], query: string, uniqueKey: string[], filter?: string): string {
  const on = uniqueKey.map((k) => `T.${quoteIdent(k)} = S.${quoteIdent(k)}`).join(" and ");
  const cols = columns.map(quoteIdent);
  return [
    `merge into ${resolved} as T`,
    `using (${query}) as S`,
    `on ${on}${filter ? ` and (${filter})` : ""}`,
    `when matched then update set ${cols.map((c) => `${c} = S.${c}`).join(", ")}`,
    `when not matched then insert (${cols.join(", ")}) values (${cols.map((c) => `S.${c}`).join(", ")})`,
  ].join("\n");
}

/**
 * updatePartitionFilter is a BigQuery boolean expression on the target's columns (the official
 * CLI prefixes it with `T.`). Translate it inside a throwaway query and take back its WHERE clause.
 */
export async function translateFilter(filter: string, translate: (sql: string) => Promise<string>): Promise<string> {
  const marker = "__vwatch_merge_target";
  const translated = await translate(`select 1 from ${marker} as T where T.${filter}`);
  const at = translated.search(/\bwhere\b/i);
  if (at < 0) throw new Error(`could not translate updatePartitionFilter: ${filter}`);
  return translated.slice(at + "where".length).trim();
}

export function comments(
  resolved: string,
  kind: "table" | "view",
  description: string | undefined,
  columns: { path: string[]; description?: string }[] | undefined,
): string[] {
  const out: string[] = [];
  if (description) out.push(`comment on ${kind} ${resolved} is ${duckdbString(description)}`);
  for (const c of columns ?? []) {
    if (c.path.length === 1 && c.description) out.push(`comment on column ${resolved}.${quoteIdent(c.path[0])} is ${duckdbString(c.description)}`);
  }
  return out;
}
