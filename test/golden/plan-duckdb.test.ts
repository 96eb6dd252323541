import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { buildPlan } from "../../orchestrator/plan/plan";
import { openDuckdb, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";

// Golden DuckDB SQL of the project's assertions: the view, the statement that keeps its failing
// rows, the count. Regenerate after an intended change with
// UPDATE_GOLDEN=1 npx vitest run test/golden/plan-duckdb.test.ts, then review the diff.
const root = path.join(__dirname, "..", "..");
const graph = compileProject({ projectDir: root, projectConfigOverride: { vars: { as_of: "2015-02-18" } } });
const dir = path.join(__dirname, "duckdb", "assertions");

let warehouse: DuckdbWarehouse;
beforeAll(async () => {
  const { defaultDatabase, defaultSchema, defaultLocation } = graph.projectConfig;
  warehouse = await openDuckdb(":memory:", { defaultDatabase, defaultSchema, defaultLocation });
});
afterAll(() => warehouse?.close());

describe("DuckDB execution plan of assertions", () => {
  it("replaces each assertion's view, keeps its rows in <assertion>_failures with the run id and time, then counts them", async () => {
    const plan = await buildPlan(graph, new Map(), { statements: await warehouse.statements() });
    const assertions = plan.actions.filter((a) => a.kind === "assertion");
    expect(assertions.length).toBe(34);
    fs.mkdirSync(dir, { recursive: true });
    for (const a of assertions) {
      const text = `-- ${a.name}\n${a.tasks.map((t) => `-- ${t.type}${t.table ? ` ${t.table}` : ""}\n${t.sql.trim()}\n`).join("\n")}`;
      const file = path.join(dir, `${a.target.name}.sql`);
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
      expect(text, `golden ${path.relative(root, file)}`).toBe(fs.readFileSync(file, "utf8"));
      expect(a.tasks.map((t) => t.type)).toEqual(["statement", "failures", "assertion"]);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(assertions.map((a) => `${a.target.name}.sql`).sort());
  });

  it("storeFailures: false plans no failures statement", async () => {
    const plan = await buildPlan(graph, new Map(), { statements: await warehouse.statements(), storeFailures: false });
    const tasks = plan.actions.filter((a) => a.kind === "assertion").flatMap((a) => a.tasks.map((t) => t.type));
    expect(new Set(tasks)).toEqual(new Set(["statement", "assertion"]));
  });
});
