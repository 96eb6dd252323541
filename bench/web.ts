import * as path from "path";
import { loadConfig } from "../orchestrator/config";
import { log } from "../orchestrator/log";
import { productHooks } from "../orchestrator/product";
import { Session } from "../orchestrator/run/session";
import { startServer } from "../orchestrator/serve/server";
import { median, type Figure } from "./util";

/**
 * The web view's pages (`vwatch ui`) on the spike benchmark's home (spikes.ts: its mention rows,
 * the mentions models built): each page requested REPEATS times over HTTP after one warm-up
 * request, the median timed. Goal (issue 15): every page answers within 0.3 s. The economic
 * models are not built there: Indicators then shows what to run, so it is timed on whatever the
 * home holds (on a home from `npm start`, the bundled sample).
 */
const root = path.join(__dirname, "..");
const REPEATS = 7;
const GOAL_SECONDS = 0.3;

export async function benchWebPages(home: string, label: string): Promise<Figure[]> {
  const session = new Session(loadConfig({ home, projectDir: root }), productHooks);
  const server = await startServer(session, { port: 0, host: "127.0.0.1", auth: false, staleAfterHours: 26 });
  try {
    const ui = `${server.url}/ui`;
    const get = async (url: string) => {
      const t = performance.now();
      const r = await fetch(url);
      await r.text();
      if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
      return (performance.now() - t) / 1000;
    };
    const warehouse = await session.warehouse();
    const [spike] = await warehouse.query<{ event_id: number; day: string }>(
      "select event_id, cast(spike_date as varchar) as day from analytics.mention_spikes order by z_score desc limit 1",
    );
    const pages: [string, string][] = [
      ["Spikes", `${ui}/spikes`],
      ["Spikes, filtered (confidence HIGH)", `${ui}/spikes?confidence=HIGH`],
      ["spike chart", `${ui}/spikes/chart?event=${spike?.event_id ?? 0}&day=${spike?.day ?? "2024-03-31"}`],
      ["Runs", `${ui}/runs`],
      ["Indicators", `${ui}/indicators`],
    ];
    const figures: Figure[] = [];
    for (const [name, url] of pages) {
      await get(url);
      const seconds = median(await sequence(REPEATS, () => get(url)));
      log.out(`${name}: ${(seconds * 1000).toFixed(0)} ms (median of ${REPEATS})`);
      figures.push({ name: `web view at ${label}: ${name}`, value: seconds, unit: "s", goal: GOAL_SECONDS });
    }
    return figures;
  } finally {
    await server.shutdown();
    await session.close();
  }
}

async function sequence(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

// On its own: node -r ./bin/ts-require.js bench/web.ts HOME (a home `npm start` or the spike benchmark built).
if (require.main === module) {
  const home = process.argv[2];
  if (!home) throw new Error("usage: bench/web.ts HOME");
  log.setQuiet(true);
  benchWebPages(home, path.basename(home)).catch((e) => {
    log.error(e?.stack ?? String(e));
    process.exit(1);
  });
}
