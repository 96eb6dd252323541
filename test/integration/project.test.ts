import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCode } from "../helpers/cli";
import { loadSamples } from "../../orchestrator/cli/start";
import { readResults } from "../../orchestrator/run/results";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { freshDatabase } from "../helpers/pg";
import { repoRoot, tempHome } from "../helpers/project";

// The repository's own project on the bundled sample, with application tables seeded from it as
// `npm start` does: every action runs on DuckDB, and running again incrementally or with
// --full-refresh gives the same tables.
const TABLES = [
  `select * exclude (detected_at) from "analytics"."mention_spikes" order by event_id, spike_date`,
  `select * from "intermediate"."int_mention_baselines" order by event_id, day`,
  `select * from "intermediate"."int_mentions_counted_daily" order by event_id, mention_date`,
  `select * from "intermediate"."int_focus_events" order by event_id`,
  `select * from "intermediate"."int_gdelt_events" order by gdelt_event_id`,
  `select * from "analytics"."events" order by id`,
  `select * from "analytics"."entity_mentions" order by id`,
  `select count(*)::int as n, sum(value) as total from "analytics"."fred_indicators"`,
  `select count(*)::int as n, sum(value) as total from "analytics"."world_bank"`,
  `select count(*)::int as n, sum(value_usd) as total from "analytics"."un_comtrade"`,
];

describe("the project on the bundled sample", () => {
  const env = { ...process.env };
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase("vw_project");
    process.env.DATABASE_URL = database.url;
  });
  afterAll(async () => {
    process.env = env;
    await database.drop();
  });

  it("runs every action, then the same again incrementally and with --full-refresh", async () => {
    const home = tempHome();
    const file = path.join(home, "warehouse.duckdb");
    await loadSamples(file);
    const snapshot = async () => {
      const db = await openDuckdb(file, { defaultDatabase: "venezuelawatch" });
      try {
        return await Promise.all(TABLES.map((sql) => db.query(sql)));
      } finally {
        await db.close();
      }
    };
    const vwatch = (...args: string[]) => runCliCode(["--home", home, "--project-dir", repoRoot, "-q", ...args]);
    const run = (...args: string[]) => vwatch("run", "--no-sync", ...args);

    expect(await vwatch("seed-app-data", "--schema-only")).toBe(0);
    expect(await run()).toBe(0);
    expect(await vwatch("seed-app-data")).toBe(0);
    expect(await run()).toBe(0);
    const record = readResults(home)!;
    // The Vertex AI row-count assertion (1,000+ rows) is warning level: the bundled sample is smaller.
    const warned = record.actions.filter((a) => a.status === "warning").map((a) => a.name);
    expect(warned).toEqual(["venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count"]);
    expect(record.summary).toEqual({ success: record.actions.length - 1, failed: 0, skipped: 0, disabled: 0, warning: 1 });
    expect(record.options.vars?.as_of).toBe("2015-03-20");
    const first = await snapshot();
    expect(first[0].length).toBeGreaterThan(0);
    expect(first[6].length).toBeGreaterThan(0);
    // Every bundled economic row reaches its table: FRED WTI and Brent, GDP per capita, Moldova's trade.
    expect(first.slice(7).map(([r]) => r.n)).toEqual([8521 + 1565, 11774, 15934]);

    expect(await run()).toBe(0);
    expect(await snapshot()).toEqual(first);
    expect(await run("--full-refresh")).toBe(0);
    expect(await snapshot()).toEqual(first);
  });
});
