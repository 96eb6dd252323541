import { targetName, type Table } from "../../compile/graph";
import { bigqueryTableName, type ProjectDefaults } from "../../sql/names";
import { FAILURES_COLUMNS, FAILURES_RUN_ID_PARAMETER, failuresTarget, tableMode, writesIncrementally, type StatementBuilder } from "../statements";

/**
 * BigQuery execution SQL, statement for statement the text the official Dataform CLI runs
 * (checked by test/conformance), so a project behaves the same whichever tool runs it.
 */
export function bigqueryStatements(cfg: ProjectDefaults): StatementBuilder {
  return {
    relation: (target) => bigqueryTableName(target, cfg),
    table(t, resolved, kind, existing, fullRefresh) {
      const base: "table" | "view" = kind === "view" ? "view" : "table";
      const incremental = kind === "incremental" && writesIncrementally(t, existing, fullRefresh);
      const mode = tableMode(t, kind, incremental);
      const statements: string[] = [...((incremental ? t.incrementalPreOps : t.preOps) ?? [])];
      if (existing && existing.kind !== base) statements.push(dropIfExists(resolved, existing.kind));
      const columns = existing?.columns.map((c) => c.name) ?? [];
      const query = t.incrementalQuery || t.query || "";
      if (mode === "merge") statements.push(mergeInto(resolved, columns, query, t.uniqueKey!, t.bigquery?.updatePartitionFilter));
      else if (mode === "insert") statements.push(insertInto(resolved, columns, query));
      else statements.push(createOrReplace(t, resolved, base));
      statements.push(...((incremental ? t.incrementalPostOps : t.postOps) ?? []));
      const d = t.actionDescriptor;
      const metadata = setMetadata(resolved, base, d?.description, t.bigquery?.labels ?? d?.bigqueryLabels, d?.columns);
      return {
        mode,
        tasks: [
          { type: "statement", sql: concatenate(statements) },
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
          { type: "statement", sql: createOrReplaceView(resolved, a.query ?? "") },
          { type: "failures", sql: storeFailures(bigqueryTableName(failuresTarget(a.target), cfg), resolved), table: targetName(failuresTarget(a.target)) },
          { type: "assertion", sql: assertionCount(resolved) },
        ],
      };
    },
    createSchema(t) {
      const location = cfg.defaultLocation ? ` options(location="${cfg.defaultLocation}")` : "";
      return `create schema if not exists \`${t.database}.${t.schema}\`${location}`;
    },
  };
}

export function createOrReplace(table: Table, resolved: string, kind: "table" | "view"): string {
  const bq = table.bigquery ?? {};
  const options: string[] = [];
  if (bq.partitionBy && bq.partitionExpirationDays) options.push(`partition_expiration_days=${bq.partitionExpirationDays}`);
  if (bq.partitionBy && bq.requirePartitionFilter) options.push(`require_partition_filter=${bq.requirePartitionFilter}`);
  for (const [name, value] of Object.entries(bq.additionalOptions ?? {})) options.push(`${name}=${value}`);
  const partition = bq.partitionBy ? `partition by ${bq.partitionBy} ` : "";
  const cluster = bq.clusterBy?.length ? `cluster by ${bq.clusterBy.join(", ")} ` : "";
  const opts = options.length ? `OPTIONS(${options.join(",")})` : "";
  return `create or replace ${table.materialized ? "materialized " : ""}${kind} ${resolved} ${partition}${cluster}${opts}as ${table.query}`;
}

export function createOrReplaceView(resolved: string, query: string): string {
  return `\n      create or replace view ${resolved} as ${query}`;
}

export function dropIfExists(resolved: string, kind: "table" | "view"): string {
  return `drop ${kind} if exists ${resolved}`;
}

export function insertInto(resolved: string, columns: string[], query: string): string {
  const cols = columns.map((c) => `\`${c}\``).join(",");
  return `\t\ninsert into ${resolved}\t\n(${cols})\t\nselect ${cols}\t\nfrom (${query}) as insertions`;
}

export function mergeInto(
  resolved: string,
  columns: string[],
  query: string,
  uniqueKey: string[],
  updatePartitionFilter?: string,
): string {
  const quoted = columns.map((c) => `\`${c}\``);
  return `
merge ${resolved} T
using (${query}
) S
on ${uniqueKey.map((k) => `T.${k} = S.${k}`).join(" and ")}
  ${updatePartitionFilter ? `and T.${updatePartitionFilter}` : ""}
when matched then
  update set ${columns.map((c) => `\`${c}\` = S.${c}`).join(",")}
when not matched then
  insert (${quoted.join(",")}) values (${quoted.join(",")})`;
}

/** The assertion's rows (none when it passes) with the run id and the time, replacing the last run's. */
export function storeFailures(failures: string, resolved: string): string {
  return `create or replace table ${failures} as\nselect *, cast(@${FAILURES_RUN_ID_PARAMETER} as string) as ${FAILURES_COLUMNS.runId}, current_timestamp() as ${FAILURES_COLUMNS.storedAt}\nfrom ${resolved}`;
}

export function assertionCount(resolved: string): string {
  return `select sum(1) as row_count from ${resolved}`;
}

/** Joins statements into one BigQuery script the way the official CLI does. */
export function concatenate(statements: string[]): string {
  return statements
    .filter((s) => !!s)
    .map((s) => s.trim())
    .map((s) => (s.endsWith(";") ? s.slice(0, -1) : s))
    .join("\n;\n");
}

export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * Table and column descriptions and labels, which the official CLI sets through the tables API
 * after the run; we set them with DDL so the same statement list works everywhere.
 */
export function setMetadata(
  resolved: string,
  kind: "table" | "view",
  description: string | undefined,
  labels: Record<string, string> | undefined,
  columns: { path: string[]; description?: string }[] | undefined,
): string[] {
  const out: string[] = [];
  const options: string[] = [];
  if (description) options.push(`description=${sqlString(description)}`);
  const labelEntries = Object.entries(labels ?? {});
  if (labelEntries.length) options.push(`labels=[${labelEntries.map(([k, v]) => `(${sqlString(k)}, ${sqlString(v)})`).join(", ")}]`);
  if (options.length) out.push(`alter ${kind} ${resolved} set options(${options.join(", ")})`);
  const alters = (columns ?? [])
    .filter((c) => c.path.length === 1 && c.description)
    .map((c) => `alter column \`${c.path[0]}\` set options(description=${sqlString(c.description!)})`);
  if (alters.length) out.push(`alter ${kind} ${resolved}\n  ${alters.join(",\n  ")}`);
  return out;
}
