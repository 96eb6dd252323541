/**
 * The spike product's part of a run, kept together: which day `as_of` scores and how it was
 * chosen, and the warning when the focus set (int_focus_events) is empty. The engine knows
 * nothing about mentions or focus events: these plug in as its resolveVars and reviewRun hooks.
 */
import type { CompiledGraph } from "../compile/graph";
import type { ActionResult } from "../run/run";
import { bigqueryTableName } from "../sql/names";
import type { Warehouse } from "../warehouse/warehouse";

const MENTIONS = "eventmentions_partitioned";
const FOCUS_EVENTS = "int_focus_events";

/** How a run's as_of was chosen: given as a var, the latest mention day loaded, or (nothing loaded) the current date. */
export type AsOfSource = "var" | "latest_mention_day" | "current_date";

export interface AsOfChoice {
  day: string;
  chosenBy: AsOfSource;
  /** The line to print: a warning when it fell back to the current date. */
  message: string;
  warn: boolean;
}

/**
 * The as_of a run scores. An empty as_of means the latest mention day loaded, else the current
 * (UTC) date; either way the caller pins it as the var, so every model scores the same day and
 * the run results record it. Undefined for a project without an as_of var.
 */
export async function chooseAsOf(graph: CompiledGraph, warehouse: Warehouse, today: string): Promise<AsOfChoice | undefined> {
  const value = graph.projectConfig.vars?.as_of;
  if (value === undefined) return undefined;
  if (value !== "") return { day: value, chosenBy: "var", message: `as_of = ${value} (the var as_of)`, warn: false };
  const latest = await latestMentionDay(graph, warehouse);
  if (latest) return { day: latest, chosenBy: "latest_mention_day", message: `as_of = ${latest} (the latest mention day in the warehouse)`, warn: false };
  return {
    day: today,
    chosenBy: "current_date",
    message: `as_of = ${today}, the current date: no GDELT mentions are loaded (\`vwatch load gdelt\` them, or pass --vars as_of=YYYY-MM-DD)`,
    warn: true,
  };
}

/**
 * The default as_of: the latest mention day present in the warehouse. Only the _PARTITIONTIME
 * pseudo-column is read, which BigQuery answers from partition metadata (0 bytes). Returns
 * undefined when the project does not use mentions or none are loaded.
 */
export async function latestMentionDay(graph: CompiledGraph, warehouse: Warehouse): Promise<string | undefined> {
  const declaration = graph.declarations?.find((d) => d.target.name === MENTIONS);
  if (!declaration || !(await warehouse.tableMetadata(declaration.target))) return undefined;
  const table = bigqueryTableName(declaration.target, graph.projectConfig);
  const sql = `select format_date('%Y-%m-%d', date(max(_PARTITIONTIME))) as day from ${table} where _PARTITIONTIME is not null`;
  const [row] = await warehouse.run<{ day: string | null }>(sql);
  return row?.day ?? undefined;
}

/** Warnings about what the run built: an empty focus set, with the window and the codes that selected nothing. */
export function focusWarnings(graph: CompiledGraph, actions: ActionResult[]): string[] {
  const focus = actions.find((a) => a.name.split(".").pop() === FOCUS_EVENTS);
  if (focus?.status !== "success" || focus.rows !== 0) return [];
  const vars = graph.projectConfig.vars ?? {};
  const codes = (name: string, what: string) => {
    const list = String(vars[name] ?? "").split(",").map((c) => c.trim()).filter(Boolean);
    return `${what} code${list.length === 1 ? "" : "s"} ${list.join(", ") || "(none)"}`;
  };
  return [
    `${FOCUS_EVENTS} is empty: no event with ${codes("focus_actor_codes", "actor country")} or ${codes("focus_geo_codes", "action geography")} ` +
      `was added in the ${vars.event_window_days} days (event_window_days) before as_of ${vars.as_of || "(the current date)"}`,
  ];
}
