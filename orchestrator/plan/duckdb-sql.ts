import { duckdbString, quoteIdent } from "../warehouse/duckdb-names";

/** DuckDB DDL/DML around already-translated queries, with the meaning of the BigQuery statements. */

export function createOrReplace(resolved: string, kind: "table" | "view", query: string): string {
  return `create or replace ${kind} ${resolved} as ${query}`;
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
export function translateFilter(filter: string, translate: (sql: string) => string): string {
  const marker = "__vwatch_merge_target";
  const translated = translate(`select 1 from ${marker} as T where T.${filter}`);
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
