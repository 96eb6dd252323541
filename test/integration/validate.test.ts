import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { buildPlan } from "../../orchestrator/plan/plan";
import { productHooks } from "../../orchestrator/product";
import { openSink } from "../../orchestrator/postgres/connect";
import { bigqueryStatements } from "../../orchestrator/warehouse/bigquery/statements";
import { appSchemaDescriber } from "../../orchestrator/validate/app-schema";
import { buildCatalog } from "../../orchestrator/validate/catalog";
import { validateGraph } from "../../orchestrator/validate/validate";
import { ZetaSqlClient } from "../../orchestrator/validate/zetasql-client";
import { runCli } from "../helpers/cli";
import { testDatabaseUrl } from "../helpers/pg";
import { copyOwnProject, repoRoot, tempHome } from "../helpers/project";

// `vwatch validate`: every BigQuery statement analyzed offline by the real ZetaSQL server.
// EXTERNAL_QUERY columns are described on the local PostgreSQL (database test) inside a
// transaction that is rolled back.

const PG = testDatabaseUrl("test");

/** Runs the CLI, returning the exit code and what it printed on stdout. */
async function vwatch(...args: string[]): Promise<{ code: number; out: string[] }> {
  const { code, out } = await runCli(args);
  return { code, out: out.split("\n").filter(Boolean) };
}

/** `file:line:col` of the first occurrence of `needle` in a project file. */
function at(dir: string, file: string, needle: string): string {
  const text = fs.readFileSync(path.join(dir, file), "utf8");
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  const before = text.slice(0, index).split("\n");
  return `${file}:${before.length}:${before[before.length - 1].length + 1}`;
}

describe("validating the project's own definitions", () => {
  it("finds no error in any statement of any action, first run and incremental", async () => {
    const graph = compileProject({ projectDir: repoRoot });
    const home = tempHome();
    const pg = await openSink({ databaseUrl: PG, home });
    const schema = productHooks.externalQuerySchema!();
    const describer = appSchemaDescriber({ home, schemaSql: schema.sql, schemaFile: schema.file, postgres: async () => pg });
    const report = await validateGraph(graph, { projectDir: repoRoot, describeExternalQuery: describer.describe, sourceColumns: productHooks.sourceColumns })
      .finally(() => describer.close())
      .finally(() => pg.close());
    expect(report.errors).toEqual([]);
    expect(report.notValidated).toEqual([]);
    expect(report.actions).toBe((await buildPlan(graph, new Map(), { statements: bigqueryStatements(graph.projectConfig) })).actions.length);
    // Every table's create (or view), metadata and assertion statements, plus the incremental MERGEs.
    expect(report.statements).toBeGreaterThan(2 * report.actions);
  });
});

describe("vwatch validate on seeded errors", () => {
  const env = { ...process.env };
  const home = tempHome();
  let dir: string;
  beforeAll(() => {
    process.env.DATABASE_URL = PG;
    dir = copyOwnProject({
      "definitions/seeded/wrong_column.sqlx": `config { type: "view", schema: "seeded" }

select
  event_id,
  mention_count,
  mention_totl
from \${ref("int_mentions_counted_daily")}
`,
      "definitions/seeded/type_error.sqlx": `config { type: "table", schema: "seeded" }

select
  event_id,
  1 + 'a' as broken
from \${ref("int_focus_events")}
`,
      "definitions/seeded/unknown_function.sqlx": `config { type: "table", schema: "seeded" }

select event_id, zscore_of(z_score) as z from \${ref("mention_spikes")}
`,
      "definitions/seeded/latest_spikes.sqlx": `config { type: "incremental", schema: "seeded", uniqueKey: ["event_id"] }

select
  event_id,
  max(spike_date) as last_spike
from \${ref("mention_spikes")}
\${when(incremental(), \`where spike_date > (select max(last_spikes) from \${self()})\`)}
group by event_id
`,
      "definitions/seeded/app_names.sqlx": `config { type: "table", schema: "seeded" }

select
  e.name,
  e.kind
from EXTERNAL_QUERY("\${dataform.projectConfig.vars.app_connection}", """
  select id::text as id, name from entities_entity
""") as e
`,
      "definitions/seeded/oil_prices.sqlx": `config { type: "view", schema: "seeded" }

select date, value from \${ref("fred_observations")} where series = 'DCOILWTICO'
`,
      "definitions/seeded/app_ids.sqlx": `config { type: "table", schema: "seeded" }

select id from EXTERNAL_QUERY("app", "select id from entities_entity")
`,
      "definitions/seeded/checked_spikes.sqlx": `config {
  type: "table",
  schema: "seeded",
  assertions: {
    nonNull: ["event_id", "spike_day"]
  }
}

select event_id, spike_date from \${ref("mention_spikes")}
`,
    });
  });
  afterAll(() => {
    process.env = env;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reports each at its file, line and column, and exits 2", async () => {
    const { code, out } = await vwatch("--home", home, "--project-dir", dir, "validate");
    expect(code).toBe(2);
    const f = "definitions/seeded";
    expect(out.slice(0, -1).sort()).toEqual(
      [
        `${at(dir, `${f}/wrong_column.sqlx`, "mention_totl")}: Unrecognized name: mention_totl; Did you mean mention_date? (venezuelawatch.seeded.wrong_column)`,
        `${at(dir, `${f}/type_error.sqlx`, "'a'")}: Could not cast literal "a" to type DATE (venezuelawatch.seeded.type_error)`,
        `${at(dir, `${f}/unknown_function.sqlx`, "zscore_of")}: Function not found: zscore_of (venezuelawatch.seeded.unknown_function)`,
        `${at(dir, `${f}/latest_spikes.sqlx`, "last_spikes")}: Unrecognized name: last_spikes; Did you mean last_spike? (venezuelawatch.seeded.latest_spikes, merge)`,
        `${at(dir, `${f}/checked_spikes.sqlx`, "spike_day")}: Unrecognized name: spike_day; Did you mean spike_date? (venezuelawatch.analytics_assertions.seeded_checked_spikes_assertions_rowConditions)`,
        // A source the economic loaders fill is typed from their schema.
        `${at(dir, `${f}/oil_prices.sqlx`, "series =")}: Unrecognized name: series; Did you mean series_id? (venezuelawatch.seeded.oil_prices)`,
        // EXTERNAL_QUERY: the columns of the inner query on the application's declared schema.
        `${at(dir, `${f}/app_names.sqlx`, "kind")}: Name kind not found inside e (venezuelawatch.seeded.app_names)`,
        `${at(dir, `${f}/app_ids.sqlx`, "EXTERNAL_QUERY")}: EXTERNAL_QUERY("app", …): column "id" has PostgreSQL type uuid, which has no exact BigQuery federated mapping; cast it in the inner query, e.g. id::text (venezuelawatch.seeded.app_ids)`,
      ].sort(),
    );
    expect(out.at(-1)).toMatch(/^validated \d+ statements of \d+ actions: 8 errors \(\d+\.\d\ds\)$/);
    // The inner queries' columns are cached: the next validation needs no PostgreSQL for them.
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(home, "validate", "external-queries.json"), "utf8"))).length).toBeGreaterThan(3);
  });

  it("vwatch compile --validate fails the same way", async () => {
    const { code, out } = await vwatch("--home", home, "--project-dir", dir, "-q", "compile", "--validate");
    expect(code).toBe(2);
    expect(out.filter((l) => l.startsWith("definitions/seeded/"))).toHaveLength(8);
  });
});

describe("an error upstream", () => {
  it("is reported once; what reads it is listed as not validated, not as errors", async () => {
    const dir = copyOwnProject();
    const file = path.join(dir, "definitions/staging/stg_gdelt__events.sqlx");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("Actor1CountryCode as actor1_country_code", "Actor1CountryCod as actor1_country_code"));
    const env = { ...process.env };
    process.env.DATABASE_URL = PG;
    try {
      const { code, out } = await vwatch("--home", tempHome(), "--project-dir", dir, "validate", "--json");
      expect(code).toBe(2);
      const report = JSON.parse(out.join("\n"));
      expect(report.errors).toEqual([
        {
          action: "venezuelawatch.staging.stg_gdelt__events",
          file: "definitions/staging/stg_gdelt__events.sqlx",
          line: Number(at(dir, "definitions/staging/stg_gdelt__events.sqlx", "Actor1CountryCod as").split(":")[1]),
          column: 5,
          message: "Unrecognized name: Actor1CountryCod; Did you mean Actor1CountryCode?",
        },
      ]);
      const short = report.notValidated.map((d: { action: string }) => d.action.split(".").pop());
      expect(short).toContain("int_focus_events");
      expect(short).toContain("mention_spikes");
      expect(report.notValidated.every((d: { blockedBy?: string }) => d.blockedBy === "venezuelawatch.staging.stg_gdelt__events")).toBe(true);
    } finally {
      process.env = env;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the ZetaSQL server", () => {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // A zombie has exited; only its parent has not collected it yet.
    const stat = `/proc/${pid}/stat`;
    return !(fs.existsSync(stat) && / Z /.test(fs.readFileSync(stat, "utf8")));
  };

  it("dies with the process that started it, even when that process is killed with SIGKILL", async () => {
    const script = `require(${JSON.stringify(path.join(repoRoot, "orchestrator/validate/zetasql-client"))}).sharedClient().serverPid()
      .then((pid) => { process.stdout.write(pid + "\\n"); setInterval(() => {}, 1000); });`;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: repoRoot,
      env: { ...process.env, TS_NODE_PROJECT: path.join(repoRoot, "tsconfig.json") },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let text = "";
      child.stdout!.on("data", (d) => {
        text += d;
        if (text.includes("\n")) resolve(Number(text.trim()));
      });
      child.once("exit", () => reject(new Error("the child exited before starting the server")));
    });
    expect(alive(pid)).toBe(true);
    child.kill("SIGKILL");
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });

  it("is restarted after a crash, with its catalogs registered again", async () => {
    const client = new ZetaSqlClient();
    try {
      const catalog = await client.registerCatalog(buildCatalog({ tables: [{ path: ["t"], columns: [{ name: "a", type: { typeKind: "TYPE_INT64" } }] }] }, await client.languageOptions()));
      const first = await client.serverPid();
      // A table row with fewer cells than columns crashes the server when a query reads it.
      const crash = client.call(
        "evaluateQuery",
        () => ({
          sql: "select * from t",
          simpleCatalog: { name: "x", table: [{ name: "t", column: [{ name: "a", type: { typeKind: "TYPE_INT64" } }, { name: "b", type: { typeKind: "TYPE_INT64" } }] }] },
          tableContent: { t: { tableData: { row: [{ cell: [{ int64Value: "1" }] }] } } },
        }),
        false,
      );
      await expect(crash).rejects.toMatchObject({ code: 14 });
      const resolved = await client.analyzeStatement(catalog, "select a from t");
      expect(Object.keys(resolved)).toContain("resolvedQueryStmtNode");
      expect(client.starts).toBe(2);
      expect(await client.serverPid()).not.toBe(first);
      expect(alive(first)).toBe(false);
      // And after it is killed outright.
      process.kill(await client.serverPid(), "SIGKILL");
      await expect(client.analyzeStatement(catalog, "select nope from t")).rejects.toMatchObject({ details: "Unrecognized name: nope [at 1:8]" });
      expect(client.starts).toBe(3);
    } finally {
      await client.close();
    }
  });
});
