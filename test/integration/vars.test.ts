import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { loadVarSchema } from "../../orchestrator/compile/var-schema";
import { resultsFile, type RunRecord } from "../../orchestrator/run/results";
import { runCli } from "../helpers/cli";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { copyOwnProject, repoRoot, tempHome } from "../helpers/project";
import { OFFICIAL_TIMEOUT } from "../conformance/official";

// The declared var schema (includes/var_schema.js): one place, used by core at compile time
// (so by the official CLI and the Dataform service too) and by the CLI before it compiles.

const officialCli = path.join(repoRoot, "node_modules", ".bin", "dataform");
const settings = fs.readFileSync(path.join(repoRoot, "workflow_settings.yaml"), "utf8");
const packageJson = fs.readFileSync(path.join(repoRoot, "package.json"), "utf8");

/** A copy of the project whose workflow_settings.yaml sets one var to `value`. */
function projectWithVar(name: string, value: string): string {
  const line = new RegExp(`^(\\s*${name}:).*$`, "m");
  expect(settings).toMatch(line);
  const dir = copyOwnProject({ "package.json": packageJson });
  fs.writeFileSync(path.join(dir, "workflow_settings.yaml"), settings.replace(line, `$1 ${JSON.stringify(value)}`));
  return dir;
}

/** `dataform compile DIR --json` with the official CLI: its exit code and the graph it printed. */
function officialCompile(dir: string, ...args: string[]): { code: number; graph: any } {
  try {
    return { code: 0, graph: JSON.parse(execFileSync(officialCli, ["compile", dir, "--json", ...args, ...OFFICIAL_TIMEOUT], { encoding: "utf8", maxBuffer: 64 << 20 })) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, graph: JSON.parse(err.stdout) };
  }
}

const HOSTILE_CONNECTION = 'venezuelawatch.us.app-postgres", "select lo_create(4242)::bigint as id';

describe("the var schema", () => {
  it("lists exactly the vars of workflow_settings.yaml, each with a rule and a meaning, and accepts their values", () => {
    const schema = loadVarSchema(repoRoot)!;
    const vars = compileProject({ projectDir: repoRoot }).projectConfig.vars ?? {};
    expect(schema.names().sort()).toEqual(Object.keys(vars).sort());
    for (const [name, value] of Object.entries(vars)) {
      expect(schema.check(name, value), name).toBeUndefined();
      expect(schema.describe(name)!.meaning.length, name).toBeGreaterThan(10);
    }
    // Only as_of moves the scored day without changing what a model computes.
    expect(schema.names().filter((n) => !schema.describe(n)!.logic)).toEqual(["as_of"]);
  });

  it.each([
    ["app_connection", HOSTILE_CONNECTION, "project.location.connection_id"],
    ["app_connection", "venezuelawatch.us.app postgres", "project.location.connection_id"],
    ["as_of", "2024-02-30", "a day YYYY-MM-DD"],
    ["lookback_days", "0", "a whole number from 1"],
    ["min_stddev", "0", "a number > 0"],
    ["z_threshold", "1e400", "a number"],
    ["focus_actor_codes", "VEN,ve", "3-letter"],
    ["focus_geo_codes", "VE'", "2-letter"],
  ])("vwatch run --vars %s=%j exits 2 naming the var, the value and the rule, and creates nothing", async (name, value, rule) => {
    const home = tempHome();
    const r = await runCli(["--home", home, "--project-dir", repoRoot, "run", "--tags", "app", "--vars", `${name}=${value}`]);
    expect(r.code).toBe(2);
    const line = r.err.trim();
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toContain(`"${name}"`);
    expect(line).toContain(JSON.stringify(value));
    expect(line).toContain(rule);
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it("a bad value in workflow_settings.yaml fails `vwatch compile` (exit 2) and the official `dataform compile`, naming the var", async () => {
    const dir = projectWithVar("app_connection", HOSTILE_CONNECTION);
    const ours = await runCli(["--home", tempHome(), "--project-dir", dir, "compile"]);
    expect(ours.code).toBe(2);
    expect(ours.err).toContain('workflow_settings.yaml: var "app_connection" must be project.location.connection_id');

    const official = officialCompile(dir);
    expect(official.code).toBe(1);
    const errors = official.graph.graphErrors.compilationErrors.map((e: { fileName: string; message: string }) => `${e.fileName}: ${e.message}`);
    expect(errors[0]).toMatch(/^workflow_settings\.yaml: var "app_connection" must be project\.location\.connection_id/);
    // Not one compiled statement holds the value.
    expect(JSON.stringify(official.graph.tables ?? [])).not.toContain("lo_create");
  });

  it("the official CLI refuses a bad or unknown --vars value as a compilation error naming the var", () => {
    const dir = copyOwnProject({ "package.json": packageJson });
    const bad = officialCompile(dir, "--vars", "lookback_days=0");
    expect(bad.code).toBe(1);
    expect(bad.graph.graphErrors.compilationErrors[0].message).toMatch(/^var "lookback_days" must be a whole number from 1 to \d+/);
    const unknown = officialCompile(dir, "--vars", "z_treshold=1.5");
    expect(unknown.code).toBe(1);
    expect(unknown.graph.graphErrors.compilationErrors[0].message).toMatch(/^var "z_treshold" is not a var of this project/);
  });

  it("accepts a code list with commas in --vars", async () => {
    const r = await runCli(["--home", tempHome(), "--project-dir", repoRoot, "compile", "--json", "--vars", "focus_actor_codes=VEN,COL,z_threshold=2.5"]);
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.out);
    expect(graph.projectConfig.vars.focus_actor_codes).toBe("VEN,COL");
    const focus = graph.tables.find((t: any) => t.target.name === "int_focus_events");
    expect(focus.query).toContain("actor1_country_code in ('VEN', 'COL')");
  });
});

describe("unknown --vars keys", () => {
  it.each([
    [["run", "--tags", "mentions"]],
    [["compile"]],
    [["validate"]],
  ])("vwatch %j refuses them with exit 2, the nearest name and the known vars", async (args) => {
    const home = tempHome();
    const r = await runCli(["--home", home, "--project-dir", repoRoot, ...args, "--vars", "z_treshold=1.5"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--vars: unknown var "z_treshold"; did you mean z_threshold?');
    expect(r.err).toContain("known vars: focus_actor_codes, focus_geo_codes, as_of,");
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it("suggests by edit distance, and nothing when no name is close", async () => {
    const near = await runCli(["--home", tempHome(), "--project-dir", repoRoot, "compile", "--vars", "lookbackdays=10"]);
    expect(near.err).toContain("did you mean lookback_days?");
    const far = await runCli(["--home", tempHome(), "--project-dir", repoRoot, "compile", "--vars", "colour=blue"]);
    expect(far.code).toBe(2);
    expect(far.err).toContain('--vars: unknown var "colour"; known vars:');
  });

  it("a project without a var schema knows the vars of its workflow_settings.yaml", async () => {
    const dir = copyOwnProject();
    fs.rmSync(path.join(dir, "includes", "var_schema.js"));
    const r = await runCli(["--home", tempHome(), "--project-dir", dir, "compile", "--vars", "z_treshold=1.5"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--vars: unknown var "z_treshold"; did you mean z_threshold?');
  });
});

describe("vwatch retry replays the last run's vars through the same checks", () => {
  let database: { url: string; drop: () => Promise<void> };
  const before = process.env.DATABASE_URL;
  beforeAll(async () => {
    database = await freshDatabase("vwatch_vars");
    process.env.DATABASE_URL = database.url;
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
    await database.drop();
  });

  function lastRun(home: string, vars: Record<string, string>): void {
    const record: RunRecord = {
      runId: "hand-edited",
      startedAt: "2024-01-08T00:00:00.000Z",
      finishedAt: "2024-01-08T00:00:01.000Z",
      warehouse: "duckdb",
      project: { defaultDatabase: "venezuelawatch", defaultSchema: "analytics", defaultLocation: "US" },
      options: { vars },
      summary: { success: 0, failed: 1, skipped: 0, disabled: 0 },
      actions: [{ name: "venezuelawatch.staging.stg_app__events", kind: "table", status: "failed", seconds: 0 }],
    };
    fs.writeFileSync(resultsFile(home), JSON.stringify(record));
  }

  it("a hand-edited run_results.json with a hostile app_connection is refused (exit 2) and nothing runs on PostgreSQL", async () => {
    const home = tempHome();
    lastRun(home, { as_of: "2024-01-08", app_connection: HOSTILE_CONNECTION });
    const r = await runCli(["--home", home, "--project-dir", repoRoot, "retry"]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      `error: the last run's vars (${resultsFile(home)}): var "app_connection" must be project.location.connection_id ` +
        `(GCP project id, location, connection id; e.g. my-project.us.my-connection), got ${JSON.stringify(HOSTILE_CONNECTION)}`,
    );
    const objects = await asAdmin((c) => c.query("select count(*)::int as n from pg_largeobject_metadata where oid = 4242"), new URL(database.url).pathname.slice(1));
    expect(objects.rows[0].n).toBe(0);
    expect(fs.readdirSync(home)).toEqual(["run_results.json"]);
  });

  it("an unknown var in run_results.json is refused with the nearest name", async () => {
    const home = tempHome();
    lastRun(home, { as_of: "2024-01-08", z_treshold: "1.0" });
    const r = await runCli(["--home", home, "--project-dir", repoRoot, "retry"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the last run's vars (${resultsFile(home)}): unknown var "z_treshold"; did you mean z_threshold?`);
  });
});
