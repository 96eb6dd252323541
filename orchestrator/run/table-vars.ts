import type { Target } from "../compile/graph";
import { bigqueryTableName, type ProjectDefaults } from "../sql/names";
import type { Warehouse } from "../warehouse/warehouse";

/**
 * The warehouse's record of the vars each incremental table was last built with: one row per
 * table in vwatch.table_vars (a DuckDB schema locally; on BigQuery a `vwatch` dataset in the
 * default project and location, created when missing). It lives in the warehouse, not the home
 * folder, because the warehouse may be shared. Written once in BigQuery SQL (Warehouse.run).
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
  const table = bigqueryTableName(target, project);
  let ready = false;
  return {
    async read() {
      const recorded = new Map<string, Record<string, string>>();
      if (!(await warehouse.tableMetadata(target))) return recorded;
      const rows = await warehouse.run<{ table_name: string; vars: string }>(`select table_name, vars from ${table}`);
      for (const row of rows) recorded.set(row.table_name, JSON.parse(row.vars) as Record<string, string>);
      return recorded;
    },
    async record(name, vars, runId) {
      if (!ready) {
        const statements = await warehouse.statements();
        await warehouse.execute(statements.createSchema({ database: project.defaultDatabase, schema: SCHEMA, name: "" }));
        await warehouse.run(`create table if not exists ${table} (table_name string not null, vars string not null, run_id string not null, built_at timestamp not null)`);
        ready = true;
      }
      await warehouse.run(
        `merge ${table} as recorded
             using (select @table_name as table_name, @vars as vars, @run_id as run_id) as built
             on recorded.table_name = built.table_name
             when matched then update set vars = built.vars, run_id = built.run_id, built_at = current_timestamp
             when not matched then insert (table_name, vars, run_id, built_at) values (built.table_name, built.vars, built.run_id, current_timestamp)`,
        { table_name: name, vars: JSON.stringify(sortedKeys(vars)), run_id: runId },
      );
    },
  };
}

function sortedKeys(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(vars).sort().map((k) => [k, vars[k]]));
}
