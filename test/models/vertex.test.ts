import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { summaryTable } from "../../orchestrator/run/summary";
import { readResults, type RunRecord } from "../../orchestrator/run/results";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { runCli, runCliCode } from "../helpers/cli";
import { copyOwnProject, makeProject, tempHome, warehouseRows } from "../helpers/project";

// entity_risk_training_data and its Vertex AI assertions on hand-made application tables. The
// application models are replaced by declarations, and the tables are created directly in DuckDB.
// as_of = 2024-03-31 and training_window_days = 90: the window is 2024-01-02 .. 2024-03-31.

const DECLARED = ["events", "entity_mentions", "entities"];

const appProject = (extra: Record<string, string> = {}): string =>
  copyOwnProject({
    ...Object.fromEntries(DECLARED.map((name) => [`definitions/outputs/${name}.sqlx`, `config { type: "declaration", name: "${name}" }\n`])),
    ...extra,
  });

const DDL = `
create schema if not exists analytics;
create table analytics.events (id varchar, title varchar, content varchar, source_url varchar, source_name varchar,
  event_type varchar, location varchar, risk_score double, severity varchar, mentioned_at timestamptz,
  created_at timestamptz, metadata json);
create table analytics.entity_mentions (id varchar, entity_id varchar, event_id varchar, mentioned_at timestamptz, context varchar);
create table analytics.entities (id varchar, name varchar, entity_type varchar);`;

type Event = [id: string, risk: number | null, metadata: object];
type Mention = [entity: string, event: string, at: string];

const dims = (sanctions?: number, political?: number, economic?: number, supply_chain?: number) => ({
  risk_dimensions: { sanctions, political, economic, supply_chain },
});

const EVENTS: Event[] = [
  ["ev1", 80, dims(90, 70, 60, 50)],
  ["ev2", 20, dims(10, 30)], // economic and supply_chain missing
  ["ev3", null, dims(100, 100, 100, 100)], // no risk score: ignored, dimensions too
  ["ev4", 50, { source: "gdelt" }], // no risk_dimensions at all
  ["ev5", 40, dims(12.5)],
];

const MENTIONS: Mention[] = [
  // E1 on 2024-03-30: ev1 in two articles counts once, so avg(80, 20) = 50 (not (80 + 80 + 20) / 3 = 60);
  // sanctions avg(90, 10) = 50, political avg(70, 30) = 50, economic 60 and supply chain 50 (ev1 only).
  ["E1", "ev1", "2024-03-30 10:00:00"],
  ["E1", "ev1", "2024-03-30 15:00:00"],
  ["E1", "ev2", "2024-03-30 23:59:59"],
  // E2 on 2024-03-31 (as_of is included): ev3 has no score, so risk = 50 (ev4), and no dimensions.
  ["E2", "ev3", "2024-03-31 08:00:00"],
  ["E2", "ev4", "2024-03-31 09:00:00"],
  // after as_of: excluded
  ["E2", "ev1", "2024-04-01 00:00:00"],
  // the day before the window (2024-03-31 - 89 days = 2024-01-02): excluded; the first day: included
  ["E3", "ev5", "2024-01-01 23:59:59"],
  ["E3", "ev5", "2024-01-02 00:00:00"],
  // only an event without a risk score that day: no row
  ["E3", "ev3", "2024-03-15 12:00:00"],
];

async function createTables(home: string, events: Event[], mentions: Mention[]): Promise<void> {
  const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
  try {
    await db.execute(DDL);
    for (const [id, risk, metadata] of events) {
      await db.query("insert into analytics.events (id, risk_score, metadata, mentioned_at, created_at) values ($id, $risk, $metadata::json, timestamptz '2024-01-01', timestamptz '2024-01-01')", {
        id,
        risk,
        metadata: JSON.stringify(metadata),
      });
    }
    for (const [i, [entity, event, at]] of mentions.entries()) {
      await db.query("insert into analytics.entity_mentions values ($id, $entity, $event, $at::timestamptz, null)", { id: `m${i}`, entity, event, at: `${at}+00` });
    }
  } finally {
    await db.close();
  }
}


async function vwatch(home: string, project: string, ...args: string[]): Promise<{ code: number; record: RunRecord }> {
  const code = await runCliCode(["--home", home, "--project-dir", project, "-q", ...args]);
  return { code, record: readResults(home)! };
}

const statusOf = (record: RunRecord) => Object.fromEntries(record.actions.map((a) => [a.name.split(".").pop(), a.status]));

describe("entity_risk_training_data", () => {
  const project = appProject();
  let home: string;
  let run: { code: number; record: RunRecord };

  beforeAll(async () => {
    home = tempHome();
    await createTables(home, EVENTS, MENTIONS);
    run = await vwatch(home, project, "run", "--tags", "vertex", "--vars", "as_of=2024-03-31");
  });

  it("has one row per entity and day: the average risk of the distinct scored events, within the window", async () => {
    const got = await warehouseRows(
      home,
      `select entity_id, strftime(mentioned_at, '%Y-%m-%dT%H:%M:%S') as mentioned_at, risk_score, sanctions_risk, political_risk, economic_risk, supply_chain_risk
       from analytics.entity_risk_training_data order by entity_id, mentioned_at`,
    );
    expect(got).toEqual([
      { entity_id: "E1", mentioned_at: "2024-03-30T00:00:00", risk_score: 50, sanctions_risk: 50, political_risk: 50, economic_risk: 60, supply_chain_risk: 50 },
      { entity_id: "E2", mentioned_at: "2024-03-31T00:00:00", risk_score: 50, sanctions_risk: null, political_risk: null, economic_risk: null, supply_chain_risk: null },
      { entity_id: "E3", mentioned_at: "2024-01-02T00:00:00", risk_score: 40, sanctions_risk: 12.5, political_risk: null, economic_risk: null, supply_chain_risk: null },
    ]);
  });

  it("has the columns Vertex AI reads, in BigQuery types, each described", async () => {
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
    try {
      const meta = await db.tableMetadata({ database: "venezuelawatch", schema: "analytics", name: "entity_risk_training_data" });
      expect(meta?.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
        "entity_id STRING",
        "mentioned_at TIMESTAMP",
        "risk_score FLOAT64",
        "sanctions_risk FLOAT64",
        "political_risk FLOAT64",
        "economic_risk FLOAT64",
        "supply_chain_risk FLOAT64",
      ]);
      const comments = await db.query<{ n: number }>(
        "select count(*) as n from duckdb_columns() where schema_name = 'analytics' and table_name = 'entity_risk_training_data' and comment is not null and comment <> ''",
      );
      expect(comments).toEqual([{ n: 7 }]);
    } finally {
      await db.close();
    }
  });

  it("passes every Vertex AI requirement but the row count, which is a warning on 3 rows: exit 0", () => {
    expect(run.code).toBe(0);
    expect(statusOf(run.record)).toEqual({
      entity_risk_training_data: "success",
      analytics_entity_risk_training_data_assertions_uniqueKey_0: "success",
      analytics_entity_risk_training_data_assertions_rowConditions: "success",
      assert_entity_risk_training_data_columns: "success",
      assert_entity_risk_training_data_series_length: "success",
      assert_entity_risk_training_data_row_count: "warning",
    });
    expect(run.record.summary).toEqual({ success: 5, failed: 0, skipped: 0, disabled: 0, warning: 1 });
    const warning = run.record.actions.find((a) => a.status === "warning")!;
    expect(warning.failingRows).toEqual([{ training_rows: 3 }]);
    expect(warning.warning).toMatch(/assert_entity_risk_training_data_row_count \(warning level\): 1 row\(s\) violate it/);
    expect(warning.error).toBeUndefined();
  });

  it("vwatch check vertex measures every requirement: passed, with the row count as a warning", async () => {
    const { code, out } = await runCli(["--home", home, "--project-dir", project, "-q", "check", "vertex", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.passed).toBe(true);
    expect(report.table).toBe("venezuelawatch.analytics.entity_risk_training_data");
    expect(report.requirements.map((r: any) => [r.requirement, r.status, r.measured])).toEqual([
      ["table exists", "pass", "venezuelawatch.analytics.entity_risk_training_data"],
      ["3 to 100 columns", "pass", 7],
      ["column names: letters, digits, underscores; no leading underscore", "pass", "7 valid"],
      ["target risk_score is numeric", "pass", "FLOAT64"],
      ["time column mentioned_at", "pass", "TIMESTAMP"],
      ["series id column entity_id", "pass", "STRING"],
      ["target risk_score never null", "pass", "0 null"],
      ["time mentioned_at in every row", "pass", "0 null"],
      ["series id entity_id in every row", "pass", "0 null; 3 series"],
      ["one row per (entity_id, mentioned_at)", "pass", "0 duplicated"],
      ["at most 3,000 time steps per series", "pass", "max 1"],
      ["1,000 to 100,000,000 rows", "warn", 3],
    ]);
  });

  it("vwatch check vertex fails (exit 1) on a table Vertex AI would refuse", async () => {
    const h = tempHome();
    const db = await openDuckdb(path.join(h, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
    try {
      // A null target, a duplicated (entity, day) and a column name with a leading underscore.
      await db.execute(`create schema analytics; create table analytics.entity_risk_training_data as
        select * from (values ('E1', timestamptz '2024-01-01', 10.0, 1), ('E1', timestamptz '2024-01-01', null, 1)) as t(entity_id, mentioned_at, risk_score, _weight)`);
    } finally {
      await db.close();
    }
    const { code, out: text } = await runCli(["--home", h, "--project-dir", project, "-q", "check", "vertex"]);
    expect(code).toBe(1);
    expect(text).toMatch(/column names: letters, digits, underscores; no leading underscore\s+fail\s+_weight/);
    expect(text).toMatch(/target risk_score never null\s+fail\s+1 null/);
    expect(text).toMatch(/one row per \(entity_id, mentioned_at\)\s+fail\s+1 duplicated/);
    expect(text).toMatch(/1,000 to 100,000,000 rows\s+warn\s+2/);
    expect(text).toMatch(/\nFAILED with 1 warning\(s\)\n$/);
  });

  it("windows on training_window_days: 1 day keeps only as_of", async () => {
    const h = tempHome();
    await createTables(h, EVENTS, MENTIONS);
    const { code } = await vwatch(h, project, "run", "--actions", "entity_risk_training_data", "--vars", "as_of=2024-03-31,training_window_days=1");
    expect(code).toBe(0);
    expect(await warehouseRows(h, "select entity_id from analytics.entity_risk_training_data")).toEqual([{ entity_id: "E2" }]);
  });

  it("refuses a training window of 0 days at compile time", async () => {
    const { code } = await vwatch(tempHome(), project, "run", "--actions", "entity_risk_training_data", "--vars", "as_of=2024-03-31,training_window_days=0");
    expect(code).toBe(2);
  });
});

describe("Vertex AI assertions", () => {
  it("the row count passes from 1,000 rows: 10 entities x 100 days", async () => {
    const home = tempHome();
    const entities = Array.from({ length: 10 }, (_, i) => `E${i}`);
    const days = Array.from({ length: 100 }, (_, d) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
    await createTables(home, [["ev1", 10, {}]], entities.flatMap((e) => days.map((d): Mention => [e, "ev1", `${d} 12:00:00`])));
    // 2024-01-01 + 99 days = 2024-04-09: a 100-day window ending there holds every row.
    const { code, record } = await vwatch(home, appProject(), "run", "--tags", "vertex", "--vars", "as_of=2024-04-09,training_window_days=100");
    expect(code).toBe(0);
    expect(record.summary).toEqual({ success: 6, failed: 0, skipped: 0, disabled: 0 });
    expect(record.actions.find((a) => a.name.endsWith("row_count"))?.rows).toBe(0);
    // one day fewer: 10 x 99 = 990 rows, a warning again
    await vwatch(home, appProject(), "run", "--tags", "vertex", "--vars", "as_of=2024-04-09,training_window_days=99");
    expect(readResults(home)!.summary.warning).toBe(1);
  });

  it("a column name starting with an underscore fails the columns assertion: exit 1", async () => {
    const home = tempHome();
    await createTables(home, EVENTS, MENTIONS);
    // The model with an extra column `_weight` (a copy; the repository's model is untouched).
    const model = fs.readFileSync(path.join(__dirname, "..", "..", "definitions", "outputs", "entity_risk_training_data.sqlx"), "utf8");
    const renamed = model.replace("select * from final", "select *, 1.0 as _weight from final");
    expect(renamed).not.toBe(model);
    const project = appProject({ "definitions/outputs/entity_risk_training_data.sqlx": renamed });
    const { code, record } = await vwatch(home, project, "run", "--tags", "vertex", "--vars", "as_of=2024-03-31");
    expect(code).toBe(1);
    const columns = record.actions.find((a) => a.name.endsWith("assert_entity_risk_training_data_columns"))!;
    expect(columns.status).toBe("failed");
    expect(columns.failingRows).toEqual([{ requirement: "column names: letters, digits, underscores; no leading underscore", found: "_weight" }]);
  });
});

describe("warning-level assertions (tagged \"warning\")", () => {
  const project = makeProject({
    "definitions/base.sqlx": `config { type: "table" }\nselect 1 as id`,
    "definitions/assert_soft.sqlx": `config { type: "assertion", tags: ["warning"] }\nselect * from \${ref("base")} where id = 1`,
    "definitions/assert_hard.sqlx": `config { type: "assertion" }\nselect * from \${ref("base")} where id = 2`,
    "definitions/after_soft.sqlx": `config { type: "table", dependencies: ["assert_soft"] }\nselect id + 1 as id from \${ref("base")}`,
  });

  it("report status warning with their rows, exit 0, and let their dependents run", async () => {
    const home = tempHome();
    const { code, record } = await vwatch(home, project, "run");
    expect(code).toBe(0);
    expect(statusOf(record)).toEqual({ base: "success", assert_soft: "warning", assert_hard: "success", after_soft: "success" });
    expect(record.summary).toEqual({ success: 3, failed: 0, skipped: 0, disabled: 0, warning: 1 });
    const soft = record.actions.find((a) => a.name.endsWith("assert_soft"))!;
    expect(soft.failingRows).toEqual([{ id: 1 }]);
    expect(soft.rows).toBe(1);
    expect(summaryTable(record.actions).split("\n").find((l) => l.includes("assert_soft"))).toMatch(/assert_soft\s+assertion\s+warning\s+1/);
    // retry has nothing to do: a warning is not a failure
    expect(await runCliCode(["--home", home, "--project-dir", project, "-q", "retry"])).toBe(0);
  });

  it("still fail when their SQL itself fails", async () => {
    const broken = makeProject({ "definitions/assert_soft.sqlx": `config { type: "assertion", tags: ["warning"] }\nselect no_such_column from (select 1 as id)` });
    const { code, record } = await vwatch(tempHome(), broken, "run");
    expect(code).toBe(1);
    expect(statusOf(record)).toEqual({ assert_soft: "failed" });
  });
});
