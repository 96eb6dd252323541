import type { Target } from "../compile/graph";
import { param, relationName } from "../warehouse/dialect";
import type { ProjectDefaults } from "../warehouse/open";
import type { Warehouse } from "../warehouse/warehouse";

/**
 * The warehouse's record of the vars each incremental table was last built with: one row per
 * table in vwatch.table_vars (a DuckDB schema locally; on BigQuery a `vwatch` dataset in the
 * default project and location, created when missing). It lives in the warehouse, not the home
 * folder, because the warehouse may be shared.
 */
const SCHEMA = "vwatch";
const TABLE = "table_vars";

export interface TableVarsStore {
  /** Recorded vars by action name; empty when nothing was recorded yet. */
  read(): Promise<Map<string, Record<string, string>>>;
  /** Replaces the table's row after one of its builds succeeded. */
  record(table: string, vars: Record<string, string>, runId: string): Promise<void>;
}

export function tableVarsStore(warehouse: Warehouse, project: ProjectDefaults): TableVarsStore {
  const target: Target = { database: project.defaultDatabase, schema: SCHEMA, name: TABLE };
  const table = relationName(warehouse.dialect, target, project);
  const p = (name: string) => param(warehouse.dialect, name);
  let ready = false;
  return {
    async read() {
      const recorded = new Map<string, Record<string, string>>();
      if (!(await warehouse.tableMetadata(target))) return recorded;
      const rows = await warehouse.query<{ table_name: string; vars: string }>(`select table_name, vars from ${table}`);
      for (const row of rows) recorded.set(row.table_name, JSON.parse(row.vars) as Record<string, string>);
      return recorded;
    },
    async record(name, vars, runId) {
      if (!ready) {
        for (const sql of createStatements(warehouse.dialect, project, table)) await warehouse.execute(sql);
        ready = true;
      }
      const sql =
        warehouse.dialect === "duckdb"
          ? `insert into ${table} (table_name, vars, run_id, built_at) values (${p("table_name")}, ${p("vars")}, ${p("run_id")}, now())
             on conflict (table_name) do update set vars = excluded.vars, run_id = excluded.run_id, built_at = excluded.built_at`
          : `merge ${table} as recorded
             using (select ${p("table_name")} as table_name, ${p("vars")} as vars, ${p("run_id")} as run_id) as built
             on recorded.table_name = built.table_name
             when matched then update set vars = built.vars, run_id = built.run_id, built_at = current_timestamp()
             when not matched then insert (table_name, vars, run_id, built_at) values (built.table_name, built.vars, built.run_id, current_timestamp())`;
      await warehouse.query(sql, { table_name: name, vars: JSON.stringify(sortedKeys(vars)), run_id: runId });
    },
  };
}

function createStatements(dialect: Warehouse["dialect"], project: ProjectDefaults, table: string): string[] {
  if (dialect === "duckdb") {
    return [
      `create schema if not exists "${SCHEMA}"`,
      `create table if not exists ${table} (table_name varchar primary key, vars varchar not null, run_id varchar not null, built_at timestamptz not null)`,
    ];
  }
  const location = project.defaultLocation ? ` options(location="${project.defaultLocation}")` : "";
  const dataset = project.defaultDatabase ? `${project.defaultDatabase}.${SCHEMA}` : SCHEMA;
  return [
    `create schema if not exists \`${dataset}\`${location}`,
    `create table if not exists ${table} (table_name string not null, vars string not null, run_id string not null, built_at timestamp not null)`,
  ];
}

function sortedKeys(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(vars).sort().map((k) => [k, vars[k]]));
}
