/**
 * The output columns of every action of one side of a diff, as ZetaSQL analyzes the BigQuery
 * statements (the analysis `vwatch validate` runs): each model's schema follows from its SQL and
 * the schemas upstream, declared sources typed by the product's hooks, EXTERNAL_QUERY by the
 * application's declared PostgreSQL schema. Chosen over DuckDB's describe of the translated
 * query because it types the SQL BigQuery will run, needs no data and no warehouse file, and
 * already knows every construct validate accepts.
 */
import type { CompiledGraph } from "../compile/graph";
import type { SideColumns } from "../plan/full-refresh";
import type { Session } from "../run/session";
import type { Column } from "../warehouse/warehouse";

export async function outputColumns(session: Session, graph: CompiledGraph, projectDir: string): Promise<SideColumns> {
  const [{ validateGraph }, { appSchemaDescriber }] = await Promise.all([import("../validate/validate"), import("../validate/app-schema")]);
  const { hooks, config } = session;
  const schema = hooks.externalQuerySchema?.();
  const describer = schema && appSchemaDescriber({ home: config.home, schemaSql: schema.sql, schemaFile: schema.file, postgres: () => session.postgres() });
  const columns = new Map<string, Column[]>();
  try {
    const report = await validateGraph(graph, {
      projectDir,
      describeExternalQuery: describer?.describe,
      sourceColumns: hooks.sourceColumns,
      onOutputColumns: (action, cols) => columns.set(action, cols),
    });
    const problems = new Map<string, string>();
    for (const d of [...report.errors, ...report.notValidated]) {
      if (!problems.has(d.action)) problems.set(d.action, `${d.file ? `${d.file}${d.line ? `:${d.line}` : ""}: ` : ""}${d.message}`);
    }
    return { columns, missing: (name) => problems.get(name) };
  } finally {
    await describer?.close();
  }
}
