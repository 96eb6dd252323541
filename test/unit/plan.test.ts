import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { buildPlan, type WarehouseState } from "../../orchestrator/plan/plan";
import { bigqueryStatements } from "../../orchestrator/warehouse/bigquery/statements";
import { makeProject } from "../helpers/project";

const graph = compileProject({
  projectDir: makeProject({
    "definitions/kept.sqlx": `config { type: "incremental", protected: true, uniqueKey: ["id"] }\nselect 1 as id`,
    "definitions/appended.sqlx": `config { type: "incremental" }\nselect 1 as id`,
    "definitions/was_view.sqlx": `config { type: "table" }\nselect 1 as id`,
  }),
});

const existing = (kind: "table" | "view", name: string) => ({
  target: { database: "testproj", schema: "ds", name },
  kind,
  columns: [{ name: "id", type: "INT64" }],
});
const state: WarehouseState = new Map([
  ["testproj.ds.kept", existing("table", "kept")],
  ["testproj.ds.appended", existing("table", "appended")],
  ["testproj.ds.was_view", existing("view", "was_view")],
]);
const byName = async (fullRefresh: boolean) =>
  Object.fromEntries((await buildPlan(graph, state, { statements: bigqueryStatements(graph.projectConfig), fullRefresh })).actions.map((a) => [a.target.name, a]));

describe("execution plan", () => {
  it("never rebuilds a protected incremental table, even with --full-refresh", async () => {
    expect((await byName(true)).kept.mode).toBe("merge");
    expect((await byName(true)).appended.mode).toBe("create");
  });

  it("appends to an incremental table without a unique key, listing the existing columns", async () => {
    const sql = (await byName(false)).appended.tasks[0].sql;
    expect(sql).toMatch(/insert into `testproj\.ds\.appended`\s*\(`id`\)\s*select `id`\s*from \(/);
  });

  it("drops a view that a table replaces before creating the table", async () => {
    expect((await byName(false)).was_view.tasks[0].sql).toMatch(/^drop view if exists `testproj\.ds\.was_view`\n;\ncreate or replace table/);
  });
});
