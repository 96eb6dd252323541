/**
 * The selected actions as ONE BigQuery script (for a scheduled query), correct whatever state the
 * warehouse is in, built from the planner's own BigQuery statements (statements.ts):
 * - datasets created when missing (`create schema if not exists`);
 * - tables and views replaced, as a run does;
 * - an incremental table created (first-run plan) when `dataset.INFORMATION_SCHEMA.COLUMNS` has no
 *   row for it, else merged or appended (incremental plan):
 *   `IF NOT EXISTS (SELECT 1 FROM … WHERE table_name = 't') THEN … ELSE … END IF;`
 * - an assertion's view replaced, its failing rows kept in `<assertion>_failures` (when the plan
 *   has that task; the run id is the script's job id, `DECLARE vwatch_run_id … @@script.job_id`),
 *   then `ASSERT (SELECT COUNT(*) FROM view) = 0 AS 'message'` (a failed ASSERT ends the script:
 *   what follows does not run, so the rows are kept before it);
 * - optionally one DATE var bound to a script variable set from a query parameter (a scheduled
 *   query's `@run_date`): statements read the variable; a view, which BigQuery stores and so
 *   cannot read a variable, is created by `EXECUTE IMMEDIATE` with the day written in as a literal.
 * Pure: a function of the two plans and the options.
 */
import type { Target } from "../../compile/graph";
import { CompileError } from "../../errors";
import type { VwatchError } from "../../errors";
import { FAILURES_RUN_ID_PARAMETER, type ActionKind, type PlannedTask, type WriteMode } from "../statements";

/** What the renderer reads of a planned action (plan/plan.ts's ScriptAction, which comes later in the engine's layers). */
export interface ScriptAction {
  name: string;
  target: Target;
  relation: string;
  kind: ActionKind;
  mode?: WriteMode;
  disabled: boolean;
  tasks: PlannedTask[];
  error?: VwatchError;
}

/** A DATE var read from a parameter: `literal` is how the compiled SQL writes the var's value. */
export interface DateParameter {
  /** The compiled SQL text of the var's value, e.g. `date '1901-02-03'` (a value found nowhere else). */
  literal: string;
  /** The script variable that holds it, e.g. `vwatch_as_of`. */
  variable: string;
  /** The query parameter that sets it, e.g. `run_date`. */
  parameter: string;
  /** The var's name, for the comment. */
  varName: string;
}

export interface ScriptInput {
  /** `create schema if not exists …` statements (Plan.schemas). */
  schemas: string[];
  /** The first-run plan's actions (nothing exists), dependencies first. */
  actions: ScriptAction[];
  /** The incremental plan's actions by name (every table exists). */
  incremental: Map<string, ScriptAction>;
  /** The project the scheduled query runs in: its datasets are named without the project. */
  runProject: string;
  /** Comment lines at the top (what was selected, how the script was made). */
  header: string[];
  date?: DateParameter;
}

/** The script variable holding the run id a failures task reads as @vwatch_run_id in a run. */
export const RUN_ID_VARIABLE = "vwatch_run_id";

/** How a view bound to a DATE parameter writes the day inside its EXECUTE IMMEDIATE text. */
export const VIEW_DAY_PLACEHOLDER = "date '0001-01-01'";

export function renderBigQueryScript(input: ScriptInput): string {
  const out: string[] = input.header.map((l) => `-- ${l}`.trimEnd());
  const bind = (sql: string) => bindDate(sql, input.date);
  if (input.date) {
    out.push("", `-- ${input.date.varName}: the scheduled query's run date (@${input.date.parameter})`, `DECLARE ${input.date.variable} DATE DEFAULT @${input.date.parameter};`);
  }
  if (input.actions.some((a) => !a.disabled && a.tasks.some((t) => t.type === "failures"))) {
    out.push("", "-- The run id written into the assertions' failures tables: this script's job.", `DECLARE ${RUN_ID_VARIABLE} STRING DEFAULT @@script.job_id;`);
  }
  out.push("", ...input.schemas.map((s) => `${s.trim()};`));
  for (const action of input.actions) {
    if (action.disabled) {
      out.push("", `-- ${action.name}: disabled, not run`);
      continue;
    }
    if (action.error) throw action.error;
    out.push("", `-- ${action.name} (${action.kind})`);
    if (action.kind === "assertion") {
      const [view] = action.tasks.filter((t) => t.type === "statement");
      out.push(...statements(view.sql).map(bind));
      for (const t of action.tasks.filter((t) => t.type === "failures")) out.push(...statements(t.sql.split(`@${FAILURES_RUN_ID_PARAMETER}`).join(RUN_ID_VARIABLE)).map(bind));
      out.push(`ASSERT (SELECT COUNT(*) FROM ${action.relation}) = 0 AS ${bigqueryString(`assertion ${action.name} failed: its query returned rows`)};`);
      continue;
    }
    const first = action.tasks.flatMap((t) => statements(t.sql)).map(bind);
    const later = action.kind === "incremental" ? input.incremental.get(action.name) : undefined;
    if (!later || later.mode === "create") {
      out.push(...first);
      continue;
    }
    if (later.error) throw later.error;
    const then = later.tasks.flatMap((t) => statements(t.sql)).map(bind);
    // Not indented: a multi-line string literal in the SQL must keep its text.
    out.push(`IF NOT EXISTS (${existsQuery(action.target, input.runProject)}) THEN`, ...first, "ELSE", ...then, "END IF;");
  }
  return `${out.join("\n").trim()}\n`;
}

/** A row of the table's dataset's COLUMNS view when the table exists (INFORMATION_SCHEMA.TABLES would do too; COLUMNS is the view both `vwatch validate` and the local warehouse know). */
export function existsQuery(target: Target, runProject: string): string {
  const dataset = target.database && target.database !== runProject ? `\`${target.database}.${target.schema}\`` : `\`${target.schema}\``;
  return `SELECT 1 FROM ${dataset}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = ${bigqueryString(target.name)}`;
}

/** A task's statements (the planner joins a script's statements with `\n;\n`), each ending with `;`. */
function statements(sql: string): string[] {
  return sql
    .split(/\n;\n/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => `${s.replace(/;$/, "")};`);
}

/** The var's literal → the script variable; in a view, EXECUTE IMMEDIATE with the day as a literal. */
function bindDate(sql: string, date: DateParameter | undefined): string {
  if (!date || !sql.includes(date.literal)) return sql;
  if (!/^create\s+or\s+replace\s+(materialized\s+)?view\b/i.test(sql)) return sql.split(date.literal).join(date.variable);
  const body = sql.replace(/;$/, "").split(date.literal).join(VIEW_DAY_PLACEHOLDER);
  if (body.includes('"""')) throw new CompileError(`a view that reads the ${date.varName} var cannot hold """ in a scheduled query's script; write its strings with single quotes`);
  if (sql.includes("0001-01-01")) throw new CompileError(`a view that reads the ${date.varName} var cannot name the day 0001-01-01 in a scheduled query's script`);
  return `EXECUTE IMMEDIATE REPLACE(r"""\n${body}\n""", ${bigqueryString(VIEW_DAY_PLACEHOLDER)}, FORMAT("date '%t'", ${date.variable}));`;
}

/** A BigQuery string literal in double quotes. */
export function bigqueryString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** The EXECUTE IMMEDIATE form bindDate writes for a view, for readers of the script (validate, the local runner). */
export const VIEW_EXECUTE = /EXECUTE IMMEDIATE REPLACE\(r"""\n([\s\S]*?)\n""", "date '0001-01-01'", FORMAT\("date '%t'", (\w+)\)\);/g;
