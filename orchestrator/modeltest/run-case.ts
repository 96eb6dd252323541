/**
 * One model test case: its inputs created as tables in a fresh in-memory DuckDB (named as a run
 * names them), the model built by the statements a run would use — for an incremental case, its
 * incremental form MERGEd into (or inserted into) `this` holding the prior rows — and its rows
 * compared with the expected ones.
 */
import { targetName, type CompiledGraph, type Table, type Target } from "../compile/graph";
import { InputError } from "../errors";
import { quoteIdent } from "../sql/duckdb-names";
import type { DuckdbWarehouse } from "../warehouse/duckdb/adapter";
import { compareRows, type Plain } from "./compare";
import { kindOf } from "./memory";
import { rowSelects } from "./rows";
import type { Schemas } from "./schema";
import type { Row, TestCase } from "./spec";

export interface CaseContext {
  graph(vars: Record<string, string>, source: string): CompiledGraph;
  schemas: Schemas;
  /** The in-memory DuckDB the cases run in, each in a fresh database of its own. */
  warehouse: DuckdbWarehouse;
}

let cases = 0;

export interface CaseResult {
  file: string;
  line: number;
  model: string;
  name: string;
  status: "pass" | "fail";
  diff: string[];
  rows: number;
  ms: number;
}

/** The model a test names: by name, or by schema.name. */
export function findModel(graph: CompiledGraph, name: string): Table | undefined {
  return (graph.tables ?? []).find((t) => t.target.name === name || `${t.target.schema}.${t.target.name}` === name || targetName(t.target) === name);
}

export async function runCase(c: TestCase, ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const graph = ctx.graph(c.vars, `${c.file}:${c.varsLine} vars`);
  const model = findModel(graph, c.model);
  if (!model) throw new InputError(`${c.file}:${c.modelLine}: unknown model "${c.model}"; a test names a table, view or incremental model of the project`);
  const deps = model.dependencyTargets ?? [];
  const depOf = (name: string): Target | undefined => deps.find((d) => d.name === name || `${d.schema}.${d.name}` === name);
  for (const g of c.given) {
    if (!depOf(g.input)) throw new InputError(`${c.file}:${g.line}: "${g.input}" is not an input of ${c.model}; it reads ${deps.map((d) => d.name).join(", ") || "nothing"}`);
  }
  for (const d of deps) {
    if (!c.given.some((g) => depOf(g.input) === d)) throw new InputError(`${c.file}:${c.line}: case "${c.name}" does not give ${d.name}, an input of ${c.model}; list its rows under given: ([] for none)`);
  }
  if (c.incremental && kindOf(model) !== "incremental") throw new InputError(`${c.file}:${c.line}: ${c.model} is not an incremental model; remove \`incremental: true\``);

  // A fresh in-memory database per case, made the default so that the run's names resolve in it
  // (opening a DuckDB instance per case costs more than the case itself).
  const wh = ctx.warehouse;
  const db = `vw__case_${++cases}`;
  await wh.execute(`attach ':memory:' as ${db}; use ${db}`);
  try {
    const builder = await wh.statements();
    const fill = async (target: Target, what: string, rows: Row[]) => {
      const columns = await ctx.schemas.columns(target);
      if (!columns) throw new InputError(`${c.file}:${c.line}: the columns of ${what} are not known (a declaration the project states no columns for)`);
      const selects = await rowSelects(wh, c.file, what, rows, columns);
      await wh.execute(builder.createSchema(target));
      const rel = builder.relation(target);
      await wh.execute(`create table ${rel} as ${selects.length ? selects.join("\nunion all\n") : `select * from (select ${columns.map((col) => `cast(NULL as ${col.type}) as ${quoteIdent(col.name)}`).join(", ")}) where false`}`);
    };
    for (const g of c.given) await fill(depOf(g.input)!, g.input, g.rows);
    if (c.incremental) await fill(model.target, `${c.model} (this)`, c.self);
    const existing = c.incremental ? await wh.tableMetadata(model.target) : undefined;
    await wh.execute(builder.createSchema(model.target));
    const rel = builder.relation(model.target);
    const built = await builder.table(model, rel, kindOf(model), existing, false);
    if (built.externalQueries?.length) throw new InputError(`${c.file}:${c.modelLine}: ${c.model} reads EXTERNAL_QUERY, which a model test cannot give; test the models that read it`);
    for (const task of built.tasks) if (task.type === "statement") await wh.execute(task.sql);

    const actual = await wh.query<Plain>(`select * from ${rel}`);
    const types = await wh.query<{ column_name: string; column_type: string }>(`describe select * from ${rel}`);
    const outColumns = types.map((t) => ({ name: t.column_name, type: t.column_type }));
    const expected = await expectedRows(wh, c, outColumns);
    const diff = compareRows(actual, expected, c.tolerance, c.file);
    return { file: c.file, line: c.line, model: c.model, name: c.name, status: diff.length ? "fail" : "pass", diff, rows: actual.length, ms: performance.now() - started };
  } finally {
    await wh.execute(`use memory; detach ${db}`);
  }
}

/** The expected rows typed as the model's columns (read back as the output is), each with only the columns it lists. */
async function expectedRows(wh: DuckdbWarehouse, c: TestCase, columns: { name: string; type: string }[]): Promise<{ line: number; values: Plain }[]> {
  if (!c.expect.length) return [];
  const selects = await rowSelects(wh, c.file, `${c.model} (expect)`, c.expect, columns);
  const rows = await wh.query<Plain>(selects.map((s, i) => `select ${i} as vw__row, * from (${s})`).join("\nunion all\n"));
  rows.sort((a, b) => (a.vw__row as number) - (b.vw__row as number));
  return c.expect.map((r, i) => {
    const own = new Set(r.values.map((v) => v.column.toLowerCase()));
    return { line: r.line, values: Object.fromEntries(Object.entries(rows[i]).filter(([k]) => k !== "vw__row" && own.has(k.toLowerCase()))) };
  });
}
