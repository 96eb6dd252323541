/**
 * `vwatch render script`: the selected actions as one BigQuery script for a scheduled query
 * (warehouse/bigquery/script.ts writes it). The planner needs each incremental table's columns for
 * its MERGE; they come from ZetaSQL's analysis of the first run (as `vwatch validate` does it), so
 * nothing is read from a warehouse and the script is validated on the way.
 *
 * A DATE var bound to a query parameter (as_of ← @run_date) is compiled twice with two days found
 * nowhere else; each rendering binds its day to the script variable, and the two scripts must be
 * the same text: proof that the var's value was replaced everywhere it appears, and only there.
 */
import type { CompiledGraph } from "../compile/graph";
import { CompileError } from "../errors";
import { buildPlan, type WarehouseState } from "../plan/plan";
import type { Selection } from "../plan/select";
import type { ValidationReport } from "../validate/report";
import type { ValidateOptions } from "../validate/validate";
import { bigqueryStatements } from "../warehouse/bigquery/statements";
import { renderBigQueryScript, type DateParameter } from "../warehouse/bigquery/script";

export interface RenderScriptOptions {
  selection: Selection;
  vars?: Record<string, string>;
  /** Bind this DATE var to a query parameter unless --vars fixes it, e.g. {varName: "as_of", parameter: "run_date"}. */
  bind?: { varName: string; parameter: string };
  /** The project the scheduled query runs in (default: the project's default database). */
  runProject?: string;
  /** false: the script does not keep assertions' failing rows in their `<assertion>_failures` tables. */
  storeFailures?: boolean;
  /** Compiles the project with these vars (over workflow_settings.yaml's and any overrides). */
  compile: (vars?: Record<string, string>) => CompiledGraph;
  /** Validates a graph (the CLI's validator with the product's hooks), passing the first run's tables on. */
  validate: (graph: CompiledGraph, extra: Pick<ValidateOptions, "onWarehouseState">) => Promise<ValidationReport>;
}

export interface RenderedScript {
  script: string;
  report: ValidationReport;
  /** The actions in the script, dependencies first. */
  actions: string[];
  /** How the bound var is set: the parameter, or the fixed value. */
  boundTo?: string;
}

/** Two days no project writes, used only to find where the bound var's value lands. */
const PROBE_DAYS = ["1901-02-03", "1902-03-04"];
const VARIABLE_PREFIX = "vwatch_";

export async function renderScript(options: RenderScriptOptions): Promise<RenderedScript> {
  const base = options.compile(options.vars);
  const bind = options.bind && base.projectConfig.vars?.[options.bind.varName] !== undefined && options.vars?.[options.bind.varName] === undefined ? options.bind : undefined;
  const graphs = bind ? PROBE_DAYS.map((day) => options.compile({ ...(options.vars ?? {}), [bind.varName]: day })) : [base];

  let state: WarehouseState = new Map();
  const report = await options.validate(graphs[0], { onWarehouseState: (s) => (state = s) });
  if (report.errors.length) return { script: "", report, actions: [] };

  const scripts: string[] = [];
  let actions: string[] = [];
  for (const [i, graph] of graphs.entries()) {
    const statements = bigqueryStatements(graph.projectConfig);
    const planOptions = { statements, selection: options.selection, storeFailures: options.storeFailures };
    const first = await buildPlan(graph, new Map(), planOptions);
    const later = await buildPlan(graph, state, planOptions);
    actions = first.actions.map((a) => a.name);
    const date: DateParameter | undefined = bind && { literal: `date '${PROBE_DAYS[i]}'`, variable: `${VARIABLE_PREFIX}${bind.varName}`, parameter: bind.parameter, varName: bind.varName };
    scripts.push(
      renderBigQueryScript({
        schemas: first.schemas,
        actions: first.actions,
        incremental: new Map(later.actions.map((a) => [a.name, a])),
        runProject: options.runProject ?? graph.projectConfig.defaultDatabase ?? "",
        header: header(options, bind, base),
        date,
      }),
    );
  }
  if (bind) {
    const leftover = PROBE_DAYS.find((day, i) => scripts[i].includes(day));
    if (scripts[0] !== scripts[1] || leftover) {
      throw new CompileError(`cannot bind the var ${bind.varName} to @${bind.parameter}: the project uses its value other than as \`date 'YYYY-MM-DD'\` (vars.asOf()); fix it with --vars ${bind.varName}=YYYY-MM-DD`);
    }
  }
  return { script: scripts[0], report, actions, boundTo: bind ? `@${bind.parameter}` : undefined };
}

function header(options: RenderScriptOptions, bind: RenderScriptOptions["bind"], graph: CompiledGraph): string[] {
  const s = options.selection;
  const picked = [s.tags?.length ? `--tags ${s.tags.join(",")}` : "", s.actions?.length ? `--actions ${s.actions.join(",")}` : "", s.includeDeps ? "with dependencies" : "without dependencies", s.includeDependents ? "with dependents" : ""].filter(Boolean);
  const fixed = options.bind && !bind ? `${options.bind.varName} = ${graph.projectConfig.vars?.[options.bind.varName] || "(empty: current_date())"}` : "";
  return [
    "Rendered by `vwatch render script`: do not edit; render it again from the SQLX.",
    `Selection: ${picked.join(", ") || "every action"}.`,
    "Correct whatever state the warehouse is in: incremental tables are created when missing, merged otherwise.",
    ...(fixed ? [`Fixed var: ${fixed}.`] : []),
  ];
}
