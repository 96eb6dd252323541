/**
 * A chart as the page embeds it (jsonScript) and static/charts.js draws it with uPlot: days on x,
 * one or more series of values (null = no point).
 */
import { esc, jsonScript } from "./html";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** Draw only the points (no line): the scored day's marker. */
  pointsOnly?: boolean;
  dash?: number[];
}

export interface ChartSpec {
  title: string;
  /** Days, YYYY-MM-DD. */
  days: string[];
  series: ChartSeries[];
  height?: number;
}

/** Colours with at least 4.5:1 contrast on white, told apart by dash and marker as well as hue. */
export const COLORS = { primary: "#1f4e9c", mean: "#4d4d4d", band: "#b3261e", mark: "#b3261e", second: "#0f6b3a" };

/** The element a page places for a chart: the spec (for the script and for tests) and the box it is drawn in. */
export function chartBlock(id: string, spec: ChartSpec): string {
  return `<figure class="chart"><div class="chart-box" data-chart-for="${esc(id)}" role="img" aria-label="${esc(spec.title)}"></div>${jsonScript(id, spec, "data-chart")}<figcaption>${esc(spec.title)}</figcaption></figure>`;
}
