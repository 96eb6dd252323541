import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { readResults, type RunRecord } from "../../orchestrator/run/results";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { runCli } from "../helpers/cli";
import { makeProject, tempHome, warehouseRows } from "../helpers/project";
import { FAILURES_FILES, FAILURES_SETTINGS } from "../helpers/store-failures";

// Keep failing rows (issue 16) on DuckDB through the CLI: each assertion's rows replace its
// `<assertion>_failures` table in the assertion dataset, with the run id and the time.
const files: Record<string, string> = {
  ...FAILURES_FILES,
  "definitions/assert_small_ids.sqlx": `config { type: "assertion", tags: ["warning"] }
select id from \${ref("base")} where id > 1`,
};

const ACTIONS = ["--actions", "base", "assert_no_forbidden", "assert_small_ids"];

async function vwatch(home: string, project: string, ...args: string[]): Promise<{ code: number; record?: RunRecord; out: string; err: string }> {
  const { code, out, err } = await runCli(["--home", home, "--project-dir", project, ...args]);
  return { code, record: readResults(home), out, err };
}

const action = (record: RunRecord | undefined, name: string) => record!.actions.find((a) => a.name.endsWith(`.${name}`))!;

describe("vwatch run keeps assertions' failing rows (DuckDB)", () => {
  let project: string;
  beforeAll(() => {
    project = makeProject(files, FAILURES_SETTINGS);
  });

  it("a failing assertion's rows are kept with the run id and time; the summary and run_results.json name the table and its row count", async () => {
    const home = tempHome();
    const { code, record, err } = await vwatch(home, project, "run", ...ACTIONS);
    expect(code).toBe(1);
    const failed = action(record, "assert_no_forbidden");
    expect(failed.status).toBe("failed");
    expect(failed.failures).toEqual({ table: "testproj.ds_assertions.assert_no_forbidden_failures", rows: 1 });
    const warned = action(record, "assert_small_ids");
    expect(warned.status).toBe("warning");
    expect(warned.failures).toEqual({ table: "testproj.ds_assertions.assert_small_ids_failures", rows: 2 });

    const rows = await warehouseRows(home, `select id, name, _vwatch_run_id, epoch_ms(_vwatch_stored_at) as ms from "ds_assertions"."assert_no_forbidden_failures"`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 2, name: "b", _vwatch_run_id: record!.runId });
    expect(Number(rows[0].ms)).toBeGreaterThanOrEqual(Date.parse(record!.startedAt));
    expect(Number(rows[0].ms)).toBeLessThanOrEqual(Date.parse(record!.finishedAt));
    expect(await warehouseRows(home, `select id, _vwatch_run_id from "ds_assertions"."assert_small_ids_failures" order by id`)).toEqual([
      { id: 2, _vwatch_run_id: record!.runId },
      { id: 3, _vwatch_run_id: record!.runId },
    ]);

    expect(err).toContain("assert_no_forbidden — first failing rows (all 1 kept in ds_assertions.assert_no_forbidden_failures):");
    expect(err).toContain("assert_small_ids — first rows it warns about (all 2 kept in ds_assertions.assert_small_ids_failures):");
  });

  it("a rerun after the fix replaces the table with no rows (the columns stay), under the new run's id", async () => {
    const home = tempHome();
    const first = await vwatch(home, project, "run", "-q", ...ACTIONS);
    expect(first.code).toBe(1);
    const { code, record } = await vwatch(home, project, "run", "-q", ...ACTIONS, "--vars", "forbidden=z");
    expect(code).toBe(0);
    expect(record!.runId).not.toBe(first.record!.runId);
    expect(action(record, "assert_no_forbidden")).toMatchObject({ status: "success", rows: 0, failures: { table: "testproj.ds_assertions.assert_no_forbidden_failures", rows: 0 } });
    expect(await warehouseRows(home, `select count(*) as n from "ds_assertions"."assert_no_forbidden_failures"`)).toEqual([{ n: 0 }]);
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "testproj" });
    try {
      const meta = await db.tableMetadata({ database: "testproj", schema: "ds_assertions", name: "assert_no_forbidden_failures" });
      expect(meta?.kind).toBe("table");
      expect(meta?.columns.map((c) => c.name)).toEqual(["id", "name", "_vwatch_run_id", "_vwatch_stored_at"]);
    } finally {
      await db.close();
    }
    // The warning-level assertion still finds its rows: replaced by this run's.
    expect(await warehouseRows(home, `select distinct _vwatch_run_id from "ds_assertions"."assert_small_ids_failures"`)).toEqual([{ _vwatch_run_id: record!.runId }]);
  });

  it("--no-store-failures keeps no table and records the choice, which retry repeats", async () => {
    const home = tempHome();
    const { code, record } = await vwatch(home, project, "run", "-q", ...ACTIONS, "--no-store-failures");
    expect(code).toBe(1);
    expect(record!.options.storeFailures).toBe(false);
    expect(action(record, "assert_no_forbidden").failures).toBeUndefined();
    expect(action(record, "assert_no_forbidden").failingRows).toEqual([{ id: 2, name: "b" }]);
    expect(await warehouseRows(home, `select table_name from duckdb_tables() where schema_name = 'ds_assertions'`)).toEqual([]);
    const retry = await vwatch(home, project, "retry", "-q");
    expect(retry.code).toBe(1);
    expect(action(retry.record, "assert_no_forbidden").failures).toBeUndefined();
    expect(await warehouseRows(home, `select table_name from duckdb_tables() where schema_name = 'ds_assertions'`)).toEqual([]);
  });

  it("VWATCH_STORE_FAILURES=false is the default --no-store-failures gives; a value other than true/false exits 2 naming it", async () => {
    const saved = process.env.VWATCH_STORE_FAILURES;
    try {
      process.env.VWATCH_STORE_FAILURES = "false";
      const home = tempHome();
      const { code, record } = await vwatch(home, project, "run", "-q", ...ACTIONS);
      expect(code).toBe(1);
      expect(record!.options.storeFailures).toBe(false);
      expect(action(record, "assert_no_forbidden").failures).toBeUndefined();
      expect(await warehouseRows(home, `select table_name from duckdb_tables() where schema_name = 'ds_assertions'`)).toEqual([]);

      process.env.VWATCH_STORE_FAILURES = "maybe";
      const bad = await runCli(["--home", tempHome(), "--project-dir", project, "run", ...ACTIONS]);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('VWATCH_STORE_FAILURES must be true or false, got "maybe"');
    } finally {
      if (saved === undefined) delete process.env.VWATCH_STORE_FAILURES;
      else process.env.VWATCH_STORE_FAILURES = saved;
    }
  });

  it("when the rows cannot be kept, the summary says so and the assertion's own outcome stands", async () => {
    const home = tempHome();
    await vwatch(home, project, "run", "-q", "--actions", "base");
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "testproj" });
    try {
      // Something else already owns the name, as a view: `create or replace table` cannot replace it.
      await db.execute(`create schema if not exists "ds_assertions"; create view "ds_assertions"."assert_no_forbidden_failures" as select 1 as x`);
    } finally {
      await db.close();
    }
    const { code, record, err } = await vwatch(home, project, "run", "-q", ...ACTIONS);
    expect(code).toBe(1);
    const failed = action(record, "assert_no_forbidden");
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toMatch(/^assertion testproj\.ds_assertions\.assert_no_forbidden failed: 1 row\(s\) violate it/);
    expect(failed.rows).toBe(1);
    expect(failed.failingRows).toEqual([{ id: 2, name: "b" }]);
    expect(failed.failures?.table).toBe("testproj.ds_assertions.assert_no_forbidden_failures");
    expect(failed.failures?.rows).toBeUndefined();
    expect(failed.failures?.error).toMatch(/view/i);
    expect(err).toContain("warning: assert_no_forbidden: its failing rows were not kept in ds_assertions.assert_no_forbidden_failures: ");
    // The other assertion's rows were kept as usual.
    expect(action(record, "assert_small_ids").failures).toEqual({ table: "testproj.ds_assertions.assert_small_ids_failures", rows: 2 });
  });

  it("--dry-run shows the statement that keeps the rows, with the run id as a parameter", async () => {
    const home = tempHome();
    const { code, out } = await vwatch(home, project, "run", "-q", "--actions", "assert_no_forbidden", "--dry-run", "--json");
    expect(code).toBe(0);
    const record = JSON.parse(out) as RunRecord;
    expect(record.actions[0].statements).toEqual([
      `create or replace view "ds_assertions"."assert_no_forbidden" as SELECT id, name FROM "ds"."base" WHERE name = 'b'`,
      `create or replace table "ds_assertions"."assert_no_forbidden_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "ds_assertions"."assert_no_forbidden"`,
      `select count(*) as row_count from "ds_assertions"."assert_no_forbidden"`,
    ]);
  });
});
