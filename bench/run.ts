import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { prepareAppData } from "../orchestrator/cli/seed";
import { loadSamples } from "../orchestrator/cli/start";
import { loadConfig } from "../orchestrator/config";
import { formatTable, log } from "../orchestrator/log";
import { productHooks } from "../orchestrator/product";
import { executeRun } from "../orchestrator/run/execute";
import { withSession } from "../orchestrator/run/session";

/**
 * The whole project on the bundled sample, on DuckDB, as npm start prepares it (GDELT and economic
 * files loaded, application tables seeded in PostgreSQL): first run, an incremental re-run, a full refresh.
 */
export async function benchLocalRun(): Promise<Record<string, number>> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-bench-run-"));
  try {
    const config = loadConfig({ home });
    let t = performance.now();
    const file = path.join(home, "warehouse.duckdb");
    const { gdelt, economic } = await loadSamples(file);
    const rows = [...gdelt, ...economic].reduce((a, r) => a + r.rows, 0);
    const load = (performance.now() - t) / 1000;
    const timings: Record<string, number> = { load };
    // The application's tables exist and hold the events of a first run, as after npm start.
    await withSession(config, productHooks, (session) => prepareAppData(session));
    for (const [label, request] of [["first run", {}], ["incremental run", {}], ["full refresh", { fullRefresh: true }]] as const) {
      t = performance.now();
      const record = await withSession(config, productHooks, (session) => executeRun(session, request));
      timings[label] = (performance.now() - t) / 1000;
      if (record.summary.failed || record.summary.skipped) throw new Error(`${label}: ${record.summary.failed} action(s) failed`);
    }
    log.out(`\nLocal run of the whole project on the bundled sample (${rows} source rows, DuckDB):`);
    log.out(formatTable(["step", "seconds"], Object.entries(timings).map(([k, v]) => [k, v.toFixed(2)])));
    return timings;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module) benchLocalRun();
