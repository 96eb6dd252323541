/**
 * The web view's pages: the navigation and the route table. A page is a function of the request's
 * context returning its title and body; adding one is a line in ROUTES (and in NAV to list it).
 */
import type { PageFn } from "./context";
import type { NavEntry } from "./html";
import { indicatorsPage } from "./indicators";
import { lastStatus } from "./last-status";
import { lineagePage } from "../lineage/page";
import { runsPage } from "./runs";
import { spikeChartPage } from "./spike-chart";
import { spikesPage } from "./spikes";

export const NAV: NavEntry[] = [
  { path: "/spikes", label: "Spikes" },
  { path: "/lineage", label: "Lineage" },
  { path: "/runs", label: "Runs" },
  { path: "/indicators", label: "Indicators" },
];

/** Path → page; `nav` is the navigation entry marked current (a chart is under Spikes). */
export const ROUTES: Record<string, { page: PageFn; nav: string }> = {
  "/spikes": { page: spikesPage, nav: "/spikes" },
  "/spikes/chart": { page: spikeChartPage, nav: "/spikes" },
  "/lineage": {
    page: async (ctx) => lineagePage({ graph: ctx.session.graph(), lastStatus: await lastStatus(ctx.sql, ctx.session.config.home), projectDir: ctx.session.config.projectDir }),
    nav: "/lineage",
  },
  "/runs": { page: runsPage, nav: "/runs" },
  "/indicators": { page: indicatorsPage, nav: "/indicators" },
};
