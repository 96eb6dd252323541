import * as fs from "fs";
import * as path from "path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome } from "../helpers/project";

// Commands that read built tables, on a home where nothing (or not that table) was built: one
// line saying what to run, exit 2, and nothing created: no home folder, no warehouse file, no
// embedded PostgreSQL.

const EXPORT = path.join(repoRoot, "test/fixtures/gdelt/20150218231500.export.CSV");

const READERS: string[][] = [
  ["explain", "410417500", "2015-03-16"],
  ["query", "recent-events", "--from", "2015-02-01", "--to", "2015-03-01"],
  ["query", "trending"],
  ["query", "risk-trends", "--from", "2015-02-01", "--to", "2015-03-01", "--bucket", "week"],
  ["check", "vertex"],
  ["sync-spikes"],
  ["sync-spikes", "--plan"],
  ["seed-app-data"],
  ["retry"],
];

describe("commands on a home with nothing built", () => {
  const env = { ...process.env };
  beforeEach(() => {
    // Without DATABASE_URL a command reaching PostgreSQL would start the embedded server under the home.
    delete process.env.DATABASE_URL;
  });
  afterEach(() => {
    process.env = { ...env };
  });

  it.each(READERS)("%s … says to run `vwatch run` first, exits 2 and creates nothing", async (...args) => {
    const home = path.join(tempHome(), "never-used");
    const r = await runCli(["--home", home, "--project-dir", repoRoot, ...args]);
    expect(r.err).toMatch(/^error: (nothing built yet|no previous run) in .*never-used.*; run `vwatch run` first\n$/);
    expect(r.code).toBe(2);
    expect(fs.existsSync(home)).toBe(false);
  });

  it("with only GDELT events loaded, names the missing table and the run that builds it, and starts no PostgreSQL", async () => {
    const home = tempHome();
    await loadGdeltFiles(path.join(home, "warehouse.duckdb"), [EXPORT]);
    const cases: [string[], RegExp][] = [
      [["explain", "410417500", "2015-03-16"], /venezuelawatch\.intermediate\.int_mention_baselines is not built yet: run `vwatch run --tags mentions --include-deps` first/],
      [["query", "trending"], /venezuelawatch\.analytics\.entity_mentions is not built yet: run `vwatch run --tags app --include-deps` first/],
      [["check", "vertex"], /venezuelawatch\.analytics\.entity_risk_training_data is not built yet: run `vwatch run --tags vertex --include-deps` first/],
      [["sync-spikes"], /venezuelawatch\.analytics\.mention_spikes is not built yet: run `vwatch run --tags mentions --include-deps` first/],
      [["seed-app-data"], /venezuelawatch\.intermediate\.int_gdelt_events is not built yet: run `vwatch run --actions int_gdelt_events stg_gdelt__mentions --include-deps` first/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(["--home", home, "--project-dir", repoRoot, ...args]);
      expect(r.err).toMatch(message);
      expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
      expect(r.code).toBe(2);
    }
    expect(fs.readdirSync(home).filter((f) => f !== "compiled").sort()).toEqual(["warehouse.duckdb"]);
  });
});
