import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCode } from "../helpers/cli";
import { loadSamples } from "../../orchestrator/cli/start";
import { compileProject } from "../../orchestrator/compile/compile";
import { targetName, type CompiledGraph, type Target } from "../../orchestrator/compile/graph";
import { extractExternalQueries, EXTERNAL_SCHEMA } from "../../orchestrator/sql/external-query";
import { buildPlan } from "../../orchestrator/plan/plan";
import { bigqueryStatements } from "../../orchestrator/warehouse/bigquery/statements";
import { readResults } from "../../orchestrator/run/results";
import { initTranslator, translateToDuckdb } from "../../orchestrator/translate/translate";
import { sharedClient } from "../../orchestrator/validate/zetasql-client";
import { openDuckdb, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";
import { duckdbTableName } from "../../orchestrator/sql/duckdb-names";
import { freshDatabase } from "../helpers/pg";
import { repoRoot, tempHome } from "../helpers/project";
import { compareResults, fromDuckdb, type Canonical, type Result } from "./values";
import { evaluateReference, type ReferenceTable } from "./zetasql";

/**
 * Every model and assertion of the project, evaluated twice on the same small fixture (the bundled
 * sample cut down to the Venezuela events and a few others): the compiled BigQuery SQL by ZetaSQL's
 * reference evaluator, each model reading the reference's own results upstream, and the DuckDB
 * tables the local engine built. Results must agree as multisets with exact types.
 *
 * MERGE is not evaluated by ZetaSQL: for incremental tables the MERGE's source query is compared
 * instead, and the merged table is checked against a full refresh.
 */

// Columns whose value is the clock at run time: compared by type, not value.
const VOLATILE: Record<string, string[]> = { mention_spikes: ["detected_at"] };

const GDELT = '"gdelt-bq.gdeltv2"';
const FOCUS = `coalesce(Actor1CountryCode = 'VEN' or Actor2CountryCode = 'VEN' or ActionGeo_CountryCode = 'VE', false)`;

// The four focus events with spikes in the bundled sample (samples/SOURCES.md) and two quiet ones:
// all ten would make a request to the reference evaluator larger than its 4 MB limit.
const KEPT_FOCUS = "410417500, 410422195, 410422911, 410414585, 410417488, 410417501";

/** The bundled sample cut down: six focus events, 40 others, and the mentions of those plus 40 more. */
const PRUNE = [
  `delete from ${GDELT}.events_partitioned where ${FOCUS} and GLOBALEVENTID not in (${KEPT_FOCUS})`,
  `delete from ${GDELT}.events_partitioned where not ${FOCUS} and GLOBALEVENTID not in
     (select GLOBALEVENTID from ${GDELT}.events_partitioned where not ${FOCUS} order by GLOBALEVENTID limit 40)`,
  `delete from ${GDELT}.eventmentions_partitioned where GLOBALEVENTID not in (select GLOBALEVENTID from ${GDELT}.events_partitioned)
     and rowid not in (select rowid from ${GDELT}.eventmentions_partitioned order by GLOBALEVENTID, MentionIdentifier limit 40)`,
  `delete from raw_economics.fred_observations where year(date) not between 2014 and 2015`,
  `delete from raw_economics.world_bank_observations where country_code not in ('VEN', 'COL', 'WLD')`,
  `delete from raw_economics.comtrade_records where partner_iso not in ('VEN', 'WLD') or period_code < '2016'`,
];

interface Check {
  name: string;
  kind: string;
  problems: string[];
}

describe("the project's models: ZetaSQL's reference evaluator vs the local DuckDB engine", () => {
  const env = { ...process.env };
  const home = tempHome();
  const file = path.join(home, "warehouse.duckdb");
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let graph: CompiledGraph;
  let db: DuckdbWarehouse;
  const checks: Check[] = [];
  const reference = new Map<string, ReferenceTable>();
  let fullRefresh = new Map<string, Result>();

  const vwatch = (...args: string[]) => runCliCode(["--home", home, "--project-dir", repoRoot, "-q", ...args]);

  beforeAll(async () => {
    database = await freshDatabase("vw_differential");
    process.env.DATABASE_URL = database.url;
    await loadSamples(file);
    db = await openDuckdb(file, { defaultDatabase: "venezuelawatch" });
    for (const sql of PRUNE) await db.execute(sql);
    await db.close();

    expect(await vwatch("seed-app-data", "--schema-only")).toBe(0);
    expect(await vwatch("run", "--no-sync")).toBe(0);
    expect(await vwatch("seed-app-data")).toBe(0);
    expect(await vwatch("run", "--no-sync", "--full-refresh")).toBe(0);
    const vars = readResults(home)!.options.vars;
    graph = compileProject({ projectDir: repoRoot, projectConfigOverride: { vars } });
    await initTranslator();
    db = await openDuckdb(file, { defaultDatabase: "venezuelawatch" });
    fullRefresh = await snapshot(incrementalTargets());
  }, 300_000);

  afterAll(async () => {
    await db?.close();
    process.env = env;
    await database?.drop();
    const mismatches = checks.filter((c) => c.problems.length).length;
    process.stdout.write(
      `differential models: ${checks.filter((c) => c.kind !== "merge source").length} models and assertions checked, ` +
        `${checks.filter((c) => c.kind === "merge source").length} MERGE source queries, ${mismatches} mismatches\n`,
    );
  });

  const project = () => graph.projectConfig.defaultDatabase!;
  const relation = (t: Target) => duckdbTableName(t, project());
  const pathOf = (t: Target) => [t.database ?? project(), t.schema!, t.name];
  const incrementalTargets = () => (graph.tables ?? []).filter((t) => t.type === "incremental").map((t) => t.target);

  async function local(sql: string): Promise<Result> {
    return fromDuckdb(await db.connection.runAndReadAll(sql));
  }

  async function snapshot(targets: Target[]): Promise<Map<string, Result>> {
    const out = new Map<string, Result>();
    for (const t of targets) out.set(targetName(t), withoutVolatile(t.name, await local(`select * from ${relation(t)}`)));
    return out;
  }

  function withoutVolatile(name: string, r: Result): Result {
    const drop = new Set((VOLATILE[name] ?? []).map((c) => r.columns.findIndex((x) => x.name === c)));
    return { columns: r.columns, rows: r.rows.map((row) => row.map((v, i) => (drop.has(i) ? null : v))) };
  }

  /** A DuckDB table as reference input, with the column types the local engine gave it. */
  async function asReference(t: Target, pseudo: string[] = []): Promise<ReferenceTable> {
    const r = await local(`select * from ${relation(t)}`);
    return { path: pathOf(t), columns: r.columns.map((c) => ({ ...c, ...(pseudo.includes(c.name) ? { pseudo: true } : {}) })), rows: r.rows };
  }

  /** BigQuery's INFORMATION_SCHEMA.COLUMNS of a dataset, from the reference tables in it. */
  function informationSchema(dataset: string): ReferenceTable {
    const rows: Canonical[][] = [];
    for (const t of reference.values()) {
      if (t.path[1] !== dataset) continue;
      t.columns.forEach((c, i) => {
        const nullable = c.type.startsWith("ARRAY") ? "NO" : "YES";
        rows.push([t.path[0], dataset, t.path[2], c.name, BigInt(i + 1), nullable, c.type, "NEVER", null, null, "NO", null, "NO", "NO", null, null, null, null, []]);
      });
    }
    const names = ["table_catalog", "table_schema", "table_name", "column_name", "ordinal_position", "is_nullable", "data_type", "is_generated", "generation_expression", "is_stored", "is_hidden", "is_updatable", "is_system_defined", "is_partitioning_column", "clustering_ordinal_position", "collation_name", "column_default", "rounding_mode", "policy_tags"];
    const types: Record<string, string> = { ordinal_position: "INT64", clustering_ordinal_position: "INT64", policy_tags: "ARRAY<STRING>" };
    return { path: [project(), dataset, "INFORMATION_SCHEMA", "COLUMNS"], columns: names.map((name) => ({ name, type: types[name] ?? "STRING" })), rows };
  }

  /** The statement as the reference evaluates it: EXTERNAL_QUERY calls read their PostgreSQL rows. */
  async function referenceInputs(sql: string, reads: string[]): Promise<{ sql: string; tables: ReferenceTable[] }> {
    const { sql: replaced, queries } = extractExternalQueries(sql);
    // Only what the statement reads: a request is limited to 4 MB.
    const tables = reads.map((name) => reference.get(name)).filter((t): t is ReferenceTable => t !== undefined);
    for (const q of queries) tables.push(await asReference({ database: project(), schema: EXTERNAL_SCHEMA, name: q.table }));
    // INFORMATION_SCHEMA binds its contents only as a root-level name: quote the path as one.
    const text = replaced.replace(/\b(\w+)\.INFORMATION_SCHEMA\.COLUMNS\b/g, (_, dataset: string) => {
      tables.push(informationSchema(dataset));
      return `\`${project()}.${dataset}.INFORMATION_SCHEMA.COLUMNS\``;
    });
    return { sql: text, tables };
  }

  it("agree on every model and assertion, in dependency order", async () => {
    for (const d of graph.declarations ?? []) {
      reference.set(targetName(d.target), await asReference(d.target, ["_PARTITIONTIME"]));
    }
    const byName = new Map<string, { query?: string; type?: string; target: Target }>();
    for (const t of graph.tables ?? []) byName.set(targetName(t.target), t);
    for (const a of graph.assertions ?? []) byName.set(targetName(a.target), { ...a, type: "assertion" });
    for (const action of (await buildPlan(graph, new Map(), { statements: bigqueryStatements(graph.projectConfig) })).actions) {
      const source = byName.get(action.name);
      if (!source?.query) continue;
      const short = action.name.split(".").pop()!;
      const check: Check = { name: short, kind: source.type ?? action.kind, problems: [] };
      checks.push(check);
      try {
        const inputs = await referenceInputs(source.query, action.dependencies);
        const expected = await evaluateReference(inputs.sql, inputs.tables, project());
        reference.set(action.name, { path: pathOf(action.target), columns: expected.columns, rows: expected.rows });
        const got = await local(`select * from ${relation(action.target)}`);
        check.problems = compareResults(withoutVolatile(short, expected), withoutVolatile(short, got));
      } catch (e) {
        const sizes = action.dependencies.map((d) => `${d.split(".").pop()}: ${reference.get(d)?.rows.length ?? "?"} rows`).join(", ");
        check.problems = [`could not compare: ${(e as Error).message.split("\n")[0]} (reads ${sizes})`];
      }
    }
    const failed = checks.filter((c) => c.problems.length).map((c) => `${c.name} (${c.kind}): ${c.problems.join("; ")}`);
    expect(failed).toEqual([]);
    expect(checks.length).toBe((graph.tables?.length ?? 0) + (graph.assertions?.length ?? 0));
    // A comparison of two empty tables proves little: the fixture gives every model rows.
    const empty = (graph.tables ?? []).map((t) => targetName(t.target)).filter((name) => !reference.get(name)?.rows.length);
    expect(empty).toEqual([]);
  }, 300_000);

  it("agree on the source query of every incremental MERGE", async () => {
    for (const t of (graph.tables ?? []).filter((x) => x.type === "incremental")) {
      const short = t.target.name;
      const check: Check = { name: short, kind: "merge source", problems: [] };
      checks.push(check);
      try {
        const inputs = await referenceInputs(t.incrementalQuery!, [targetName(t.target), ...(t.dependencyTargets ?? []).map(targetName)]);
        const expected = withoutVolatile(short, await evaluateReference(inputs.sql, inputs.tables, project()));
        const translated = translateToDuckdb(t.incrementalQuery!, { defaultDatabase: project(), defaultSchema: graph.projectConfig.defaultSchema });
        check.problems = compareResults(expected, withoutVolatile(short, await local(translated)));
      } catch (e) {
        check.problems = [`could not compare: ${(e as Error).message.split("\n")[0]}`];
      }
      expect(check.problems, short).toEqual([]);
    }
  }, 300_000);

  it("merge incrementally into the same tables a full refresh builds", async () => {
    await db.close();
    expect(await vwatch("run", "--no-sync")).toBe(0);
    db = await openDuckdb(file, { defaultDatabase: "venezuelawatch" });
    const merged = await snapshot(incrementalTargets());
    for (const [name, full] of fullRefresh) expect(compareResults(full, merged.get(name)!), name).toEqual([]);
    expect(fullRefresh.size).toBe(3);
  }, 300_000);

  afterAll(async () => {
    await sharedClient().close();
  });
});
