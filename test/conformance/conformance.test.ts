import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { buildPlan, type WarehouseState } from "../../orchestrator/plan/plan";
import { bigqueryStatements } from "../../orchestrator/warehouse/bigquery/statements";
import { copyProject } from "../helpers/project";
import { conformanceProject, conformanceTablesAfterFirstRun, officialDryRun, type ExistingTable } from "./official";

// Our BigQuery execution SQL must be the official Dataform CLI's, statement for statement: the
// official `dataform run --dry-run --json` runs live against the local fake BigQuery API.

const normalise = (sql: string) => sql.replace(/\s+/g, " ").trim();

function stateOf(tables: ExistingTable[]): WarehouseState {
  const state: WarehouseState = new Map();
  for (const t of tables) {
    const name = `${t.target.database}.${t.target.schema}.${t.target.name}`;
    state.set(name, { target: t.target, kind: t.type === "VIEW" ? "view" : "table", columns: t.schema.map((c) => ({ name: c.name, type: c.type })) });
  }
  return state;
}

async function compare(existing: ExistingTable[]) {
  const official = await officialDryRun(conformanceProject, existing);
  const graph = compileProject({ projectDir: copyProject(conformanceProject) });
  const plan = await buildPlan(graph, stateOf(existing), { statements: bigqueryStatements(graph.projectConfig) });
  const ours = new Map(plan.actions.map((a) => [a.name, a]));
  const kinds = new Set<string>();
  for (const action of official.actions) {
    const name = `${action.target.database}.${action.target.schema}.${action.target.name}`;
    const mine = ours.get(name);
    expect(mine, `our plan has ${name}`).toBeDefined();
    kinds.add(mine!.kind);
    const theirs = (action.tasks ?? []).map((t: { type: string; statement: string }) => ({ type: t.type, sql: normalise(t.statement) }));
    // vwatch's own addition (an assertion's failures table) has no counterpart in the official CLI.
    const ourTasks = mine!.tasks.filter((t) => t.type !== "metadata" && t.type !== "failures").map((t) => ({ type: t.type, sql: normalise(t.sql) }));
    expect(ourTasks, name).toEqual(theirs);
  }
  expect(plan.actions.length).toBe(official.actions.length);
  return kinds;
}

describe("BigQuery SQL conformance with the official Dataform CLI", () => {
  it("first run: tables, views, incremental create with pre-operations, operations and assertions", async () => {
    const kinds = await compare([]);
    expect([...kinds].sort()).toEqual(["assertion", "incremental", "operation", "table", "view"]);
  }, 120_000);

  it("once the tables exist: the incremental MERGE on uniqueKey within updatePartitionFilter", async () => {
    await compare(conformanceTablesAfterFirstRun);
  }, 120_000);
});
