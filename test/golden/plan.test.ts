import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { buildPlan, type Plan, type WarehouseState } from "../../orchestrator/plan/plan";
import { bigqueryStatements } from "../../orchestrator/warehouse/bigquery/statements";

// Golden SQL for the project's own actions. Regenerate after an intended change with
// UPDATE_GOLDEN=1 npx vitest run test/golden, then review the diff.
const root = path.join(__dirname, "..", "..");
const graph = compileProject({ projectDir: root, projectConfigOverride: { vars: { as_of: "2015-02-18" } } });

function existingState(): WarehouseState {
  const state: WarehouseState = new Map();
  for (const t of graph.tables ?? []) {
    const name = [t.target.database, t.target.schema, t.target.name].join(".");
    const columns = (t.actionDescriptor?.columns ?? []).map((c) => ({ name: c.path[0], type: "STRING" }));
    state.set(name, { target: t.target, kind: t.enumType === "VIEW" ? "view" : "table", columns });
  }
  return state;
}

function render(plan: Plan, only?: (a: Plan["actions"][number]) => boolean): Map<string, string> {
  const files = new Map<string, string>();
  for (const a of plan.actions.filter(only ?? (() => true))) {
    const body = a.tasks.map((t) => `-- ${t.type}\n${t.sql.trim()}\n`).join("\n");
    files.set(`${a.target.schema}.${a.target.name}`, `-- ${a.name} (${a.kind}${a.mode ? `, ${a.mode}` : ""})\n${body}`);
  }
  return files;
}

function checkGolden(dir: string, files: Map<string, string>) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) {
    const file = path.join(dir, `${name}.sql`);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
    expect(text, `golden ${path.relative(root, file)}`).toBe(fs.readFileSync(file, "utf8"));
  }
  expect(fs.readdirSync(dir).sort()).toEqual([...files.keys()].map((n) => `${n}.sql`).sort());
}

describe("BigQuery execution plan", () => {
  it("creates every table on the first run, with partitioning, clustering and descriptions", async () => {
    checkGolden(path.join(__dirname, "bigquery", "first-run"), render(await buildPlan(graph, new Map(), { statements: bigqueryStatements(graph.projectConfig) })));
  });

  it.each([
    ["events", "partition by DATE(mentioned_at) cluster by event_type, source_name"],
    ["entity_mentions", "partition by DATE(mentioned_at) cluster by entity_id"],
    ["fred_indicators", "partition by DATE_TRUNC(date, MONTH) cluster by series_id"],
    ["un_comtrade", "partition by period cluster by commodity_code"],
    ["world_bank", "partition by date cluster by indicator_id"],
    ["entity_risk_training_data", "partition by DATE(mentioned_at)"],
  ])("creates %s partitioned and clustered as the warehouse design says", async (name, clauses) => {
    const action = (await buildPlan(graph, new Map(), { statements: bigqueryStatements(graph.projectConfig) })).actions.find((a) => a.target.name === name);
    expect(action?.tasks[0].sql).toContain(`create or replace table \`venezuelawatch.analytics.${name}\` ${clauses} as`);
  });

  it("merges incremental tables on their unique key within the update partition filter once they exist", async () => {
    // Only incremental tables differ from the first run.
    const plan = await buildPlan(graph, existingState(), { statements: bigqueryStatements(graph.projectConfig) });
    checkGolden(path.join(__dirname, "bigquery", "incremental"), render(plan, (a) => a.kind === "incremental"));
  });

  it("rebuilds incremental tables with --full-refresh", async () => {
    const plan = await buildPlan(graph, existingState(), { statements: bigqueryStatements(graph.projectConfig), fullRefresh: true });
    const modes = Object.fromEntries(plan.actions.filter((a) => a.kind === "incremental").map((a) => [a.target.name, a.mode]));
    expect(modes).toEqual({ int_gdelt_events: "create", int_mentions_counted_daily: "create", mention_spikes: "create" });
  });

  it("creates each dataset once before the actions", async () => {
    const plan = await buildPlan(graph, new Map(), { statements: bigqueryStatements(graph.projectConfig) });
    expect([...plan.schemas].sort()).toEqual([
      'create schema if not exists `venezuelawatch.analytics` options(location="US")',
      'create schema if not exists `venezuelawatch.analytics_assertions` options(location="US")',
      'create schema if not exists `venezuelawatch.intermediate` options(location="US")',
      'create schema if not exists `venezuelawatch.staging` options(location="US")',
    ].sort());
  });
});
