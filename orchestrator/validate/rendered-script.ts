/**
 * `vwatch validate --script FILE`: a script `vwatch render script` wrote, analyzed by ZetaSQL
 * statement by statement in order (each table it creates is known to the statements after it),
 * against the project's declared sources, with the scheduled query's parameters (@run_date DATE,
 * @run_time TIMESTAMP) declared. A view created through `EXECUTE IMMEDIATE REPLACE(r"""…""", …)`
 * is analyzed as the statement inside (with the placeholder day), on the same lines.
 */
import type { CompiledGraph } from "../compile/graph";
import { VIEW_EXECUTE } from "../warehouse/bigquery/script";
import { newLocal } from "./catalog-state";
import { INFORMATION_SCHEMA_COLUMNS } from "./exceptions";
import type { ValidationReport } from "./report";
import type { CatalogTable } from "./catalog";
import { Validator, type ValidateOptions } from "./validate";

/** The run-time parameters of a scheduled query (BigQuery's scheduling docs). */
export const SCHEDULED_QUERY_PARAMETERS = [
  { name: "run_date", type: { typeKind: "TYPE_DATE" } },
  { name: "run_time", type: { typeKind: "TYPE_TIMESTAMP" } },
];

export async function validateScript(graph: CompiledGraph, script: string, file: string, options: ValidateOptions): Promise<ValidationReport> {
  const v = new Validator(graph, options);
  try {
    const catalog = await v.prepare();
    // The script creates its datasets' first tables: their COLUMNS views exist (empty) before that.
    const datasets = new Set([...(graph.tables ?? []), ...(graph.assertions ?? [])].map((a) => `${a.target.database}\n${a.target.schema}`));
    for (const d of datasets) catalog.add({ path: [...d.split("\n"), "INFORMATION_SCHEMA", "COLUMNS"], columns: INFORMATION_SCHEMA_COLUMNS });
    v.queryParameters = SCHEDULED_QUERY_PARAMETERS;
    const text = unwrapViews(script);
    const created: CatalogTable[] = [];
    const failure = await v.task(text, file, newLocal(), created);
    v.report.actions = (script.match(/^-- \S+ \((table|view|incremental|operation|assertion)\)$/gm) ?? []).length;
    if (failure) {
      const at = failure.offset !== undefined ? lineColumn(text, failure.offset) : {};
      (failure.notValidated ? v.report.notValidated : v.report.errors).push({ action: "script", file, ...at, message: failure.notValidated ? `not validated: ${failure.message}` : failure.message });
    }
    return v.report;
  } finally {
    await v.release();
  }
}

/** Each view's EXECUTE IMMEDIATE as the statement it runs, every line kept where it was. */
export function unwrapViews(script: string): string {
  return script.replace(VIEW_EXECUTE, (_, body: string) => `\n${body}\n;`);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
