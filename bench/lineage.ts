import * as path from "path";
import { compileProject } from "../orchestrator/compile/compile";
import { lineagePage } from "../orchestrator/lineage/page";
import { formatTable, log } from "../orchestrator/log";
import { median, type Figure } from "./util";

const root = path.join(__dirname, "..");

/**
 * The Lineage page of the web view (issue 15: each page under 300 ms): the fragment built from
 * the compiled graph a server's session holds. The first request lays the graph out; later ones
 * reuse the layout and read the statuses and every SQLX file again.
 */
export async function benchLineagePage(repeats = 10): Promise<Figure[]> {
  const graph = compileProject({ projectDir: root });
  const lastStatus = new Map<string, string>();
  let t = performance.now();
  await lineagePage({ graph, lastStatus, projectDir: root }); // the first request: the layout is computed
  const first = (performance.now() - t) / 1000;
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < repeats; i++) {
    t = performance.now();
    bytes = (await lineagePage({ graph, lastStatus, projectDir: root })).body.length;
    times.push((performance.now() - t) / 1000);
  }
  const seconds = median(times);
  const actions = (graph.tables?.length ?? 0) + (graph.assertions?.length ?? 0) + (graph.declarations?.length ?? 0) + (graph.operations?.length ?? 0);
  log.out(formatTable(["lineage page", "first s", "then median s", "HTML bytes"], [[`${actions} actions`, first.toFixed(3), seconds.toFixed(3), bytes]]));
  return [
    { name: "lineage page, first request (layout)", value: first, unit: "s", goal: 0.3 },
    { name: "lineage page, later requests", value: seconds, unit: "s", goal: 0.3 },
  ];
}

if (require.main === module) benchLineagePage().catch((e) => (log.error(String(e)), process.exit(1)));
