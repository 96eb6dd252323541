import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { runCli } from "../helpers/cli";
import { freshDatabase } from "../helpers/pg";
import { copyOwnProject, makeProject, repoRoot, tempHome, warehouseRows } from "../helpers/project";

// --vars experiments must not persist silently in incremental tables (README: "Vars and
// incremental tables"). Events are added 2024-01-01; mentions Jan 1..8; as_of is 2024-01-08.

const template = zlib
  .gunzipSync(fs.readFileSync(path.join(repoRoot, "samples", "gdelt", "20150218230000.export.CSV.gz")))
  .toString("utf8")
  .split("\n")[0]
  .split("\t");

function eventLine(id: number): string {
  const f = [...template];
  f[0] = String(id);
  f[7] = "VEN"; // Actor1CountryCode
  f[17] = "";
  f[53] = "US";
  f[59] = "20240101000000"; // DATEADDED
  return f.join("\t");
}

function mentionLines(id: number, day: string, count: number): string[] {
  const stamp = day.replace(/-/g, "") + "120000";
  return Array.from({ length: count }, (_, i) =>
    [id, "20240101000000", stamp, 1, "example.com", `https://example.com/${id}/${day}/${i}`, 1, -1, -1, -1, 1, 50, 1000, -1.5, "", ""].join("\t"),
  );
}

const SERIES: Record<number, number[]> = {
  100: [1, 1, 1, 1, 1, 1, 1, 3], // z = (3 - 1) / 1 = 2.0: a spike at the default z_threshold 2.0
  200: [2, 2, 2, 2, 2, 2, 2, 3], // z = (3 - 2) / 1 = 1.0: a spike only with z_threshold <= 1.0
};

function writeFixtures(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, "20240101000000.export.CSV")];
  fs.writeFileSync(files[0], Object.keys(SERIES).map((id) => eventLine(Number(id))).join("\n") + "\n");
  for (let i = 0; i < 8; i++) {
    const day = `2024-01-0${i + 1}`;
    const file = path.join(dir, `${day.replace(/-/g, "")}120000.mentions.CSV`);
    fs.writeFileSync(file, Object.entries(SERIES).flatMap(([id, counts]) => mentionLines(Number(id), day, counts[i])).join("\n") + "\n");
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

const run = (home: string, vars = "", ...flags: string[]) =>
  runCli(["--home", home, "--project-dir", project, "-q", "run", "--tags", "mentions", "--vars", `as_of=2024-01-08${vars}`, ...flags]);

const SPIKES = `select event_id, cast(spike_date as varchar) as spike_date, z_score, confidence_level from "analytics"."mention_spikes" order by event_id, spike_date`;
const RECORDED = `select table_name, vars from "vwatch"."table_vars" order by table_name`;

describe("vars an incremental table was built with", () => {
  it("a normal run after a z_threshold=1.0 experiment refuses to merge into mention_spikes, naming the table, the var and both values", async () => {
    const home = await freshHome();
    expect((await run(home, ",z_threshold=1.0", "--no-sync")).code).toBe(0);
    const experiment = await warehouseRows(home, SPIKES);
    expect(experiment.map((r) => r.event_id)).toEqual([100, 200]);

    const normal = await run(home, "", "--no-sync");
    expect(normal.code).toBe(2);
    expect(normal.err.trim()).toBe(
      "error: venezuelawatch.analytics.mention_spikes was built with z_threshold=1.0 and this run has z_threshold=2.0; " +
        "merging would keep rows computed with both. Rebuild it with this run's vars (add --full-refresh; with --actions mention_spikes only it) " +
        "or merge anyway (add --accept-var-change z_threshold)",
    );
    // Nothing ran: the table is as the experiment left it.
    expect(await warehouseRows(home, SPIKES)).toEqual(experiment);

    // --full-refresh rebuilds it; the table then equals a fresh build with the default vars.
    expect((await run(home, "", "--no-sync", "--full-refresh")).code).toBe(0);
    const fresh = await freshHome();
    expect((await run(fresh, "", "--no-sync")).code).toBe(0);
    expect(await warehouseRows(home, SPIKES)).toEqual(await warehouseRows(fresh, SPIKES));
    expect((await warehouseRows(home, SPIKES)).map((r) => r.event_id)).toEqual([100]);
    // ... and a normal run merges again.
    expect((await run(home, "", "--no-sync")).code).toBe(0);
  });

  it("records the logic vars of every incremental table a run builds, without as_of, and compares only those that change its SQL", async () => {
    const home = await freshHome();
    expect((await run(home, "", "--no-sync")).code).toBe(0);
    const recorded = await warehouseRows(home, RECORDED);
    expect(recorded.map((r) => r.table_name)).toEqual(["venezuelawatch.analytics.mention_spikes", "venezuelawatch.intermediate.int_mentions_counted_daily"]);
    const vars = JSON.parse(String(recorded[0].vars));
    expect(vars.z_threshold).toBe("2.0");
    expect(vars).not.toHaveProperty("as_of");

    // high_z changes mention_spikes' SQL only: int_mentions_counted_daily merges, mention_spikes is refused.
    const r = await run(home, ",high_z=2.5", "--no-sync");
    expect(r.code).toBe(2);
    expect(r.err).toContain("mention_spikes was built with high_z=3.0 and this run has high_z=2.5");
    expect(r.err).not.toContain("int_mentions_counted_daily");
    // focus_actor_codes changes an upstream model (int_focus_events): both tables are refused.
    const focus = await run(home, ",focus_actor_codes=VEN,COL", "--no-sync");
    expect(focus.code).toBe(2);
    expect(focus.err).toContain('int_mentions_counted_daily was built with focus_actor_codes=VEN and this run has focus_actor_codes=VEN,COL');
    expect(focus.err).toContain('mention_spikes was built with focus_actor_codes=VEN and this run has focus_actor_codes=VEN,COL');
    // A different scored day is not a change of logic.
    expect((await runCli(["--home", home, "--project-dir", project, "-q", "run", "--tags", "mentions", "--no-sync", "--vars", "as_of=2024-01-07"])).code).toBe(0);
  });

  it("--accept-var-change merges anyway and records the new values; dry runs record nothing", async () => {
    const home = await freshHome();
    expect((await run(home, ",z_threshold=1.0", "--no-sync")).code).toBe(0);
    expect((await run(home, "", "--no-sync", "--dry-run")).code).toBe(2);
    const accepted = await run(home, "", "--no-sync", "--accept-var-change", "z_threshold");
    expect(accepted.code).toBe(0);
    // The experiment's spike outside what this run re-detects stays: that is what accepting means.
    expect((await warehouseRows(home, SPIKES)).map((r) => r.event_id)).toEqual([100, 200]);
    const [spikes] = await warehouseRows(home, `select vars from "vwatch"."table_vars" where table_name like '%mention_spikes'`);
    expect(JSON.parse(String(spikes.vars)).z_threshold).toBe("2.0");
    expect((await run(home, "", "--no-sync")).code).toBe(0);
    // A dry run with other vars neither refuses nor records when accepted.
    expect((await run(home, ",z_threshold=1.5", "--no-sync", "--dry-run", "--accept-var-change", "z_threshold")).code).toBe(0);
    const [after] = await warehouseRows(home, `select vars from "vwatch"."table_vars" where table_name like '%mention_spikes'`);
    expect(JSON.parse(String(after.vars)).z_threshold).toBe("2.0");
    // The flag takes var names.
    const typo = await run(home, "", "--no-sync", "--accept-var-change", "z_treshold");
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('--accept-var-change: unknown var "z_treshold"; did you mean z_threshold?');
  });

  it("a table built before vars were recorded is recorded on its next run without refusing", async () => {
    const home = await freshHome();
    expect((await run(home, "", "--no-sync")).code).toBe(0);
    const { openDuckdb } = await import("../../orchestrator/warehouse/duckdb/adapter");
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"));
    await db.execute(`drop schema "vwatch" cascade`);
    await db.close();
    expect((await run(home, ",z_threshold=1.0", "--no-sync")).code).toBe(0);
    expect((await warehouseRows(home, RECORDED)).length).toBe(2);
    expect((await run(home, "", "--no-sync")).code).toBe(2);
  });

  it("a protected incremental table is never rebuilt: the refusal names only the explicit flag", async () => {
    const dir = makeProject(
      {
        "definitions/counts.sqlx": `config { type: "incremental", protected: true, uniqueKey: ["id"] }
select 1 as id, \${dataform.projectConfig.vars.factor} * 2 as value`,
      },
      `defaultProject: testproj\ndefaultLocation: US\ndefaultDataset: ds\nvars:\n  factor: "1"\n`,
    );
    const home = tempHome();
    const vwatch = (...args: string[]) => runCli(["--home", home, "--project-dir", dir, "-q", "run", ...args]);
    expect((await vwatch()).code).toBe(0);
    const r = await vwatch("--vars", "factor=3", "--full-refresh");
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      "error: testproj.ds.counts was built with factor=1 and this run has factor=3; merging would keep rows computed with both. " +
        "It is protected, so it is never rebuilt: merge anyway with --accept-var-change factor",
    );
    expect((await vwatch("--vars", "factor=3", "--accept-var-change", "factor")).code).toBe(0);
  });
});

describe("writing back an experiment's spikes", () => {
  let database: { url: string; drop: () => Promise<void> };
  const before = process.env.DATABASE_URL;
  beforeAll(async () => {
    database = await freshDatabase("vwatch_experiment");
    process.env.DATABASE_URL = database.url;
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
    await database.drop();
  });

  async function synced(): Promise<number[]> {
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const exists = await pg.query(`select to_regclass('data_pipeline_mentionspike') is not null as e`);
      if (!exists.rows[0].e) return [];
      return (await pg.query(`select event_id::int as id from data_pipeline_mentionspike order by event_id`)).rows.map((r) => r.id);
    } finally {
      await pg.end();
    }
  }

  it("is skipped after a run whose logic vars differ from workflow_settings.yaml, with the reason and the way to write them; --sync writes them", async () => {
    const home = await freshHome();
    const experiment = await run(home, ",z_threshold=1.0");
    expect(experiment.code).toBe(0);
    expect(experiment.err).toContain(
      "spikes not written to PostgreSQL: this run's vars differ from workflow_settings.yaml (z_threshold=1.0, not 2.0); " +
        "write them deliberately with `vwatch sync-spikes`, or run with --sync",
    );
    expect(await synced()).toEqual([]);

    expect((await run(home, ",z_threshold=1.0", "--sync")).code).toBe(0);
    expect(await synced()).toEqual([100, 200]);
  });
});
