import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../orchestrator/config";
import { compileWithVars } from "../../orchestrator/compile/with-vars";
import { readResults, type RunRecord } from "../../orchestrator/run/results";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { runCli } from "../helpers/cli";
import { makeProject, tempHome } from "../helpers/project";

// A small project exercising every action type and the failure paths, run on DuckDB through the CLI.
const files: Record<string, string> = {
  "definitions/raw_source.sqlx": `config { type: "declaration", database: "other-proj", schema: "raw", name: "source_rows" }`,
  "definitions/base.sqlx": `config { type: "table", description: "Base rows", columns: { id: "The id" }, assertions: { uniqueKey: ["id"] } }
select 1 as id, 'a' as name union all select 2 as id, 'b' as name`,
  "definitions/base_view.sqlx": `config { type: "view" }
select id, upper(name) as name from \${ref("base")}`,
  "definitions/broken.sqlx": `config { type: "table" }
select no_such_column from \${ref("base")}`,
  "definitions/after_broken.sqlx": `config { type: "table" }
select * from \${ref("broken")}`,
  "definitions/independent.sqlx": `config { type: "table", tags: ["solo"] }
select 42 as answer`,
  "definitions/assert_no_b.sqlx": `config { type: "assertion" }
select * from \${ref("base")} where name = 'b'`,
  "definitions/counts.sqlx": `config {
  type: "incremental",
  uniqueKey: ["id"],
  bigquery: { partitionBy: "day", updatePartitionFilter: "day >= date '2020-01-01'" }
}
select id, date '2020-01-02' as day, count(*) as n from \${ref("base")} group by id`,
  "definitions/ops.sqlx": `config { type: "operations", hasOutput: true }
create table if not exists \${self()} (id int64);
insert into \${self()} values (7)`,
};

async function vwatch(home: string, projectDir: string, ...args: string[]): Promise<{ code: number; record?: RunRecord; out: string; err: string }> {
  const { code, out, err } = await runCli(["--home", home, "--project-dir", projectDir, "-q", ...args]);
  return { code, record: readResults(home), out, err };
}

const statusOf = (record: RunRecord | undefined) => Object.fromEntries((record?.actions ?? []).map((a) => [a.name.split(".").pop(), a.status]));

describe("vwatch run on DuckDB", () => {
  let project: string;
  beforeAll(() => {
    project = makeProject(files);
  });

  it("runs independent branches, skips dependents of a failure, fails the assertion and exits 1", async () => {
    const home = tempHome();
    const { code, record } = await vwatch(home, project, "run", "--actions", "base", "base_view", "broken", "after_broken", "independent", "assert_no_b", "counts", "ops");
    expect(code).toBe(1);
    expect(statusOf(record)).toEqual({
      base: "success",
      base_view: "success",
      broken: "failed",
      after_broken: "skipped",
      independent: "success",
      assert_no_b: "failed",
      counts: "success",
      ops: "success",
    });
    const broken = record!.actions.find((a) => a.name.endsWith("broken") && !a.name.endsWith("after_broken"))!;
    expect(broken.error?.message).toMatch(/no_such_column/);
    expect(broken.error?.message).toMatch(/definitions\/broken\.sqlx/);
    const assertion = record!.actions.find((a) => a.name.endsWith("assert_no_b"))!;
    expect(assertion.failingRows).toEqual([{ id: 2, name: "b" }]);
    expect(fs.existsSync(path.join(home, "run_results.json"))).toBe(true);
  });

  it("retry re-runs only the failed and skipped actions", async () => {
    const home = tempHome();
    await vwatch(home, project, "run", "--actions", "base", "broken", "after_broken", "independent");
    const { code, record } = await vwatch(home, project, "retry");
    expect(code).toBe(1);
    expect(statusOf(record)).toEqual({ broken: "failed", after_broken: "skipped" });
  });

  it("builds tables and views with the rows the SQL describes, and twice in a row gives the same result", async () => {
    const home = tempHome();
    const actions = ["base", "base_view", "counts", "ops", "independent"];
    for (const args of [[], [], ["--full-refresh"]]) {
      const { code } = await vwatch(home, project, "run", "--actions", ...actions, ...args);
      expect(code).toBe(0);
    }
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "testproj" });
    try {
      expect(await db.query(`select * from "ds"."base_view" order by id`)).toEqual([{ id: 1, name: "A" }, { id: 2, name: "B" }]);
      expect(await db.query(`select id, n from "ds"."counts" order by id`)).toEqual([{ id: 1, n: 1 }, { id: 2, n: 1 }]);
      // The operation ran three times and appends each time: operations are not idempotent unless written so.
      expect(await db.query(`select count(*) as n from "ds"."ops"`)).toEqual([{ n: 3 }]);
      expect(await db.query(`select comment from duckdb_tables() where schema_name = 'ds' and table_name = 'base'`)).toEqual([{ comment: "Base rows" }]);
      expect(await db.query(`select comment from duckdb_columns() where table_name = 'base' and column_name = 'id'`)).toEqual([{ comment: "The id" }]);
      const meta = await db.tableMetadata({ database: "testproj", schema: "ds", name: "counts" });
      expect(meta?.columns.map((c) => c.name)).toEqual(["id", "day", "n"]);
    } finally {
      await db.close();
    }
  });

  it("--dry-run prints the statements and changes nothing", async () => {
    const home = tempHome();
    const { code, out } = await vwatch(home, project, "run", "--actions", "base", "--dry-run", "--json");
    expect(code).toBe(0);
    const record = JSON.parse(out) as RunRecord;
    expect(record.actions[0].statements?.[0]).toMatch(/^create or replace table "ds"\."base" as/);
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "testproj" });
    try {
      expect(await db.tableMetadata({ database: "testproj", schema: "ds", name: "base" })).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it("--dry-run shows its actions as planned and keeps the last real run's results, so retry still finds the failures", async () => {
    const home = tempHome();
    await vwatch(home, project, "run", "--actions", "base", "broken", "after_broken", "independent");
    const real = fs.readFileSync(path.join(home, "run_results.json"), "utf8");

    const dry = await runCli(["--home", home, "--project-dir", project, "run", "--actions", "base", "independent", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.err).toMatch(/\bbase\s+table\s+planned\s/);
    expect(dry.err).toMatch(/\n2 planned, 0 failed, 0 skipped\n/);
    const json = await vwatch(home, project, "run", "--actions", "base", "independent", "--dry-run", "--json");
    const record = JSON.parse(json.out) as RunRecord;
    expect(record.actions.map((a) => a.status)).toEqual(["planned", "planned"]);
    expect(record.summary).toEqual({ planned: 2, success: 0, failed: 0, skipped: 0, disabled: 0 });
    expect(fs.readFileSync(path.join(home, "run_results.json"), "utf8")).toBe(real);

    const { code, record: retried } = await vwatch(home, project, "retry");
    expect(code).toBe(1);
    expect(statusOf(retried)).toEqual({ broken: "failed", after_broken: "skipped" });
  });

  it("when mention_spikes succeeds but other actions fail and the write-back fails, says exactly that", async () => {
    const p = makeProject({
      ...files,
      "definitions/mention_spikes.sqlx": `config { type: "table" }\nselect 1 as event_id, date '2015-03-01' as spike_date`,
    });
    const url = process.env.DATABASE_URL;
    process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:1/nowhere"; // nothing listens on port 1
    try {
      const { code, err } = await vwatch(tempHome(), p, "run", "--actions", "base", "broken", "after_broken", "mention_spikes");
      expect(code).toBe(1);
      expect(err).toMatch(
        /^error: mention_spikes succeeded, but 1 other action failed and 1 was skipped; and writing the spikes to PostgreSQL failed: .*127\.0\.0\.1:1\/nowhere.*; `vwatch sync-spikes` retries the write$/m,
      );
      expect(err).not.toMatch(/run succeeded/);
    } finally {
      if (url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = url;
    }
  });

  it("an unknown action is a usage error (exit 2)", async () => {
    const { code } = await vwatch(tempHome(), project, "run", "--actions", "no_such_action");
    expect(code).toBe(2);
  });

  it("a missing declaration fails its readers with advice, and their dependents are skipped", async () => {
    const p = makeProject({
      ...files,
      "definitions/reads_source.sqlx": `config { type: "table" }\nselect * from \${ref("source_rows")}`,
      "definitions/after_source.sqlx": `config { type: "view" }\nselect * from \${ref("reads_source")}`,
    });
    const { code, record } = await vwatch(tempHome(), p, "run", "--actions", "reads_source", "after_source", "independent");
    expect(code).toBe(1);
    expect(statusOf(record)).toEqual({ reads_source: "failed", after_source: "skipped", independent: "success" });
    expect(record!.actions[0].error?.message).toMatch(/other-proj\.raw\.source_rows.*definitions\/raw_source\.sqlx.*does not exist/);
  });

  it("a BigQuery function that has no faithful DuckDB translation fails that action with the file and the construct", async () => {
    const p = makeProject({
      "definitions/approx.sqlx": `config { type: "table" }\nselect approx_top_count(x, 2) as top from unnest([1, 1, 2]) as x`,
      "definitions/fine.sqlx": `config { type: "table" }\nselect 1 as one`,
    });
    const { code, record } = await vwatch(tempHome(), p, "run");
    expect(code).toBe(1);
    const approx = record!.actions.find((a) => a.name.endsWith("approx"))!;
    expect(approx.status).toBe("failed");
    expect(approx.error?.code).toBe("UNSUPPORTED_SQL");
    expect(approx.error?.message).toMatch(/definitions\/approx\.sqlx/);
    expect(approx.error?.message).toMatch(/APPROX_TOP_COUNT/i);
    expect(approx.error?.message).toMatch(/--warehouse bigquery/);
    expect(statusOf(record).fine).toBe("success");
  });

  it("a SQL syntax error refuses the whole run before anything runs (exit 2), at its line and column in the SQLX file, with no advice to use BigQuery", async () => {
    const p = makeProject({
      ...files,
      "definitions/typo.sqlx": `config { type: "table" }\nselect\n  id,\n  name\nfrom \${ref("base")} form t\n`,
    });
    const home = tempHome();
    const { code, err } = await vwatch(home, p, "run", "--actions", "base", "typo", "independent");
    expect(err).toBe('error: SQL syntax error, nothing ran:\n  definitions/typo.sqlx:5:26: Syntax error: Expected end of input but got identifier "t"\n');
    expect(code).toBe(2);
    expect(fs.existsSync(path.join(home, "run_results.json"))).toBe(false);
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "testproj" });
    try {
      expect(await db.tableMetadata({ database: "testproj", schema: "ds", name: "base" })).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it("valid BigQuery syntax the local translator cannot parse fails only its action, with the advice to run on BigQuery", async () => {
    const p = makeProject({
      "definitions/piped.sqlx": `config { type: "table" }\nselect 1 as x\n|> where x = 1`,
      "definitions/fine.sqlx": `config { type: "table" }\nselect 1 as one`,
    });
    const { code, record } = await vwatch(tempHome(), p, "run");
    expect(code).toBe(1);
    expect(statusOf(record)).toEqual({ piped: "failed", fine: "success" });
    const piped = record!.actions.find((a) => a.name.endsWith("piped"))!;
    expect(piped.error?.message).toMatch(/^definitions\/piped\.sqlx: .*not supported locally; run with --warehouse bigquery/);
  });

  it("a compile error is shown once, with the files that fail only because of it folded into one line", async () => {
    const p = makeProject({
      "definitions/a.sqlx": `config { type: "table", bogus: 1 }\nselect 1 as x\n`,
      "definitions/b.sqlx": `config { type: "table" }\nselect * from \${ref("a")} join \${ref("a")} using (x)\n`,
      "definitions/c.sqlx": `config { type: "view" }\nselect * from \${ref("a")}\n`,
      "definitions/d.sqlx": `config { type: "view" }\nselect * from \${ref("typo")}\n`,
    });
    const { code, err } = await vwatch(tempHome(), p, "run");
    expect(code).toBe(2);
    expect(err.split("\n").filter(Boolean)).toEqual([
      "error: compilation failed:",
      expect.stringMatching(/^  definitions\/a\.sqlx: Unexpected property "bogus"/),
      '  definitions/d.sqlx:2: Could not resolve "typo"',
      '  definitions/b.sqlx, definitions/c.sqlx: cannot resolve "a" until definitions/a.sqlx compiles',
    ]);
  });

  it("bad SQLX is a compile error naming the file and line (exit 2)", async () => {
    const p = makeProject({ "definitions/bad.sqlx": `config { type: "table" }\nselect\n  \${ 1 + }\n` });
    const { code } = await vwatch(tempHome(), p, "run");
    expect(code).toBe(2);
    expect(() => compileWithVars(loadConfig({ projectDir: p }))).toThrow(/definitions\/bad\.sqlx:3: Unexpected token/);
  });
});
