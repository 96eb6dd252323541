import * as path from "path";
import { describe, expect, it } from "vitest";
import { main } from "../../orchestrator/cli/main";
import { sampleFiles } from "../../orchestrator/cli/start";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { readResults } from "../../orchestrator/run/results";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb";
import { repoRoot, tempHome } from "../helpers/project";

// The repository's own project on the bundled sample: every action runs on DuckDB, and running
// again incrementally or with --full-refresh gives the same tables.
const TABLES = [
  `select * exclude (detected_at) from "analytics"."mention_spikes" order by event_id, spike_date`,
  `select * from "intermediate"."int_mention_baselines" order by event_id, day`,
  `select * from "intermediate"."int_mentions_counted_daily" order by event_id, mention_date`,
  `select * from "intermediate"."int_focus_events" order by event_id`,
];

describe("the project on the bundled sample", () => {
  it("runs every action, then the same again incrementally and with --full-refresh", async () => {
    const home = tempHome();
    const file = path.join(home, "warehouse.duckdb");
    await loadGdeltFiles(file, sampleFiles());
    const snapshot = async () => {
      const db = await openDuckdb(file, { defaultDatabase: "venezuelawatch" });
      try {
        return await Promise.all(TABLES.map((sql) => db.query(sql)));
      } finally {
        await db.close();
      }
    };
    const run = (...args: string[]) => main(["--home", home, "--project-dir", repoRoot, "-q", "run", "--no-sync", ...args]);

    expect(await run()).toBe(0);
    const record = readResults(home)!;
    expect(record.summary).toEqual({ success: record.actions.length, failed: 0, skipped: 0, disabled: 0 });
    expect(record.options.vars?.as_of).toBe("2015-03-20");
    const first = await snapshot();
    expect(first[0].length).toBeGreaterThan(0);

    expect(await run()).toBe(0);
    expect(await snapshot()).toEqual(first);
    expect(await run("--full-refresh")).toBe(0);
    expect(await snapshot()).toEqual(first);
  });
});
