import { formatTable } from "../orchestrator/log";

/** The middle value (upper middle for an even count): robust to one slow run on a busy machine. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One speed figure of issue 11 with its goal: smaller is better unless `atLeast`. */
export interface Figure {
  name: string;
  value: number;
  unit: "s" | "x" | "";
  goal: number;
  atLeast?: boolean;
  note?: string;
}

export const met = (f: Figure) => (f.atLeast ? f.value >= f.goal : f.value <= f.goal);

const shown = (v: number, unit: Figure["unit"]) => (unit === "x" ? `${v.toFixed(2)}x` : unit === "s" ? `${v.toFixed(2)} s` : String(v));

/** The figures as a table: measured, goal, met or not. */
export function figuresTable(figures: Figure[]): string {
  return formatTable(
    ["figure", "measured", "goal", ""],
    figures.map((f) => [f.name + (f.note ? ` (${f.note})` : ""), shown(f.value, f.unit), `${f.atLeast ? ">=" : "<="} ${shown(f.goal, f.unit)}`, met(f) ? "met" : "NOT met"]),
  );
}
