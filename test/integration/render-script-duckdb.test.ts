import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { describe, expect, it } from "vitest";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { translateToDuckdbAsync } from "../../orchestrator/translate/translate";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { runBigQueryScript, type ScriptRunSummary } from "../../orchestrator/warehouse/duckdb/script-runner";
import { runCli } from "../helpers/cli";
import { copyOwnProject, repoRoot, tempHome, warehouseRows } from "../helpers/project";

// The script a scheduled query would run, run on DuckDB twice (first: every table missing, then:
// incremental), gives the same tables as `vwatch run` on the same days. Events are added
// 2024-01-01; event 100 has mentions 1,1,1,1,1,1,1,3 on Jan 1..8 (a spike on Jan 8), 200 2 a day then 3.

const template = zlib.gunzipSync(fs.readFileSync(path.join(repoRoot, "samples", "gdelt", "20150218230000.export.CSV.gz"))).toString("utf8").split("\n")[0].split("\t");
const SERIES: Record<number, number[]> = { 100: [1, 1, 1, 1, 1, 1, 1, 3], 200: [2, 2, 2, 2, 2, 2, 2, 3] };

function writeFixtures(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const event = (id: number) => Object.assign([...template], { 0: String(id), 7: "VEN", 17: "", 53: "US", 59: "20240101000000" }).join("\t");
  const files = [path.join(dir, "20240101000000.export.CSV")];
  fs.writeFileSync(files[0], Object.keys(SERIES).map((id) => event(Number(id))).join("\n") + "\n");
  for (let i = 0; i < 8; i++) {
    const day = `2024-01-0${i + 1}`;
    const stamp = `${day.replace(/-/g, "")}120000`;
    const file = path.join(dir, `${stamp}.mentions.CSV`);
    const lines = Object.entries(SERIES).flatMap(([id, counts]) =>
      Array.from({ length: counts[i] }, (_, k) => [id, "20240101000000", stamp, 1, "example.com", `https://example.com/${id}/${day}/${k}`, 1, -1, -1, -1, 1, 50, 1000, -1.5, "", ""].join("\t")),
    );
    fs.writeFileSync(file, lines.join("\n") + "\n");
    files.push(file);
  }
  return files;
}

const project = copyOwnProject();

async function freshHome(): Promise<string> {
  const home = tempHome();
  await loadGdeltFiles(path.join(home, "warehouse.duckdb"), writeFixtures(path.join(home, "in")));
  return home;
}

/** Every table the mentions selection builds, rows sorted, `detected_at` (the clock) left out. */
const TABLES = [
  `"intermediate"."int_focus_events"`,
  `"intermediate"."int_mentions_counted_daily"`,
  `"intermediate"."int_mention_baselines"`,
  `"analytics"."mention_spikes"`,
];
async function snapshot(home: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    const rows = await warehouseRows(home, `select * exclude (detected_at) from ${t}`).catch(() => warehouseRows(home, `select * from ${t}`));
    out[t] = rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? String(v) : v))).sort();
  }
  return out;
}

async function runScript(home: string, script: string, runDate: string): Promise<ScriptRunSummary> {
  const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch", defaultSchema: "analytics" });
  try {
    return await runBigQueryScript(script, {
      defaultDatabase: "venezuelawatch",
      defaultSchema: "analytics",
      params: { run_date: runDate },
      translate: (sql) => translateToDuckdbAsync(sql, { defaultDatabase: "venezuelawatch", defaultSchema: "analytics" }),
      execute: (sql) => db.execute(sql),
      query: (sql) => db.query(sql),
    });
  } finally {
    await db.close();
  }
}

describe("vwatch render script on DuckDB", () => {
  it("the rendered script, run on 2024-01-07 then 2024-01-08 (@run_date), builds the same tables as vwatch run on those days", async () => {
    const byRun = await freshHome();
    const run = (day: string) => runCli(["--home", byRun, "--project-dir", project, "-q", "run", "--tags", "mentions", "--no-sync", "--vars", `as_of=${day}`]);
    expect((await run("2024-01-07")).code).toBe(0);
    const runFirst = await snapshot(byRun);
    expect((await run("2024-01-08")).code).toBe(0);
    const runSecond = await snapshot(byRun);
    expect(runSecond).not.toEqual(runFirst); // the second day changes the tables: the comparison below means something

    const byScript = await freshHome();
    const rendered = await runCli(["--home", byScript, "--project-dir", project, "render", "script", "--tags", "mentions"]);
    expect(rendered.code).toBe(0);
    const script = rendered.out;
    expect(script).toContain("DECLARE vwatch_as_of DATE DEFAULT @run_date;");

    const first = await runScript(byScript, script, "2024-01-07");
    expect(first.branches).toEqual(["then", "then"]); // int_mentions_counted_daily and mention_spikes were missing
    expect(await snapshot(byScript)).toEqual(runFirst);

    const second = await runScript(byScript, script, "2024-01-08");
    expect(second.branches).toEqual(["else", "else"]); // both merged
    expect(await snapshot(byScript)).toEqual(runSecond);
    // The spike of event 100 on Jan 8, found by both.
    expect(await warehouseRows(byScript, `select event_id, cast(spike_date as varchar) as d from "analytics"."mention_spikes"`)).toEqual([{ event_id: 100, d: "2024-01-08" }]);
  }, 240_000);
});
