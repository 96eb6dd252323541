import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import type { CompiledGraph } from "../../orchestrator/compile/graph";
import type { WarehouseState } from "../../orchestrator/plan/plan";
import { renderScript, type RenderScriptOptions } from "../../orchestrator/run/render-script";
import { copyOwnProject } from "../helpers/project";

// Golden BigQuery script of `vwatch render script`. Regenerate after an intended change with
// UPDATE_GOLDEN=1 npx vitest run test/golden/render-script.test.ts, then review the diff.
const root = path.join(__dirname, "..", "..");

/** The tables as a first run leaves them, their columns from the descriptors (ZetaSQL's analysis stands in). */
function describedState(graph: CompiledGraph): WarehouseState {
  const state: WarehouseState = new Map();
  for (const t of graph.tables ?? []) {
    const columns = (t.actionDescriptor?.columns ?? []).map((c) => ({ name: c.path[0], type: "STRING" }));
    state.set([t.target.database, t.target.schema, t.target.name].join("."), { target: t.target, kind: t.enumType === "VIEW" ? "view" : "table", columns });
  }
  return state;
}

function options(projectDir: string, extra: Partial<RenderScriptOptions> = {}): RenderScriptOptions {
  return {
    selection: { tags: ["mentions"], includeDeps: true },
    bind: { varName: "as_of", parameter: "run_date" },
    compile: (vars) => compileProject({ projectDir, projectConfigOverride: vars ? { vars } : undefined }),
    validate: async (graph, { onWarehouseState }) => {
      onWarehouseState?.(describedState(graph));
      return { statements: 0, actions: 0, errors: [], notValidated: [] };
    },
    ...extra,
  };
}

function checkGolden(name: string, text: string) {
  const file = path.join(__dirname, "bigquery", "script", name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
  expect(text, `golden ${path.relative(root, file)}`).toBe(fs.readFileSync(file, "utf8"));
}

describe("vwatch render script", () => {
  it("renders --tags mentions with its dependencies as one script: as_of from @run_date, IF NOT EXISTS … THEN create ELSE merge for incremental tables, ASSERT per assertion", async () => {
    const r = await renderScript(options(root));
    checkGolden("mentions.sql", r.script);
    expect(r.boundTo).toBe("@run_date");
    expect(r.actions.map((a) => a.split(".").pop())).toEqual([
      "stg_gdelt__events",
      "int_focus_events",
      "stg_gdelt__mentions",
      "int_mentions_counted_daily",
      "int_mention_baselines",
      "mention_spikes",
      "intermediate_int_focus_events_assertions_uniqueKey_0",
      "intermediate_int_focus_events_assertions_rowConditions",
      "intermediate_int_mention_baselines_assertions_uniqueKey_0",
      "intermediate_int_mention_baselines_assertions_rowConditions",
      "intermediate_int_mentions_counted_daily_assertions_uniqueKey_0",
      "intermediate_int_mentions_counted_daily_assertions_rowConditions",
      "analytics_mention_spikes_assertions_uniqueKey_0",
      "analytics_mention_spikes_assertions_rowConditions",
    ]);
    expect(r.script.match(/^IF NOT EXISTS/gm)).toHaveLength(2);
    expect(r.script.match(/^ASSERT \(SELECT COUNT\(\*\) FROM /gm)).toHaveLength(8);
    expect(r.script).not.toMatch(/1901-02-03|1902-03-04/);
    // Each assertion's failing rows are kept before its ASSERT (which ends the script when it fails).
    expect(r.script.match(/^DECLARE vwatch_run_id STRING DEFAULT @@script\.job_id;$/gm)).toHaveLength(1);
    const kept = [...r.script.matchAll(/^create or replace table `venezuelawatch\.analytics_assertions\.(\w+)_failures` as\nselect \*, cast\(vwatch_run_id as string\) as _vwatch_run_id, current_timestamp\(\) as _vwatch_stored_at\nfrom `venezuelawatch\.analytics_assertions\.(\w+)`;\nASSERT \(SELECT COUNT\(\*\) FROM `venezuelawatch\.analytics_assertions\.(\w+)`\)/gm)];
    expect(kept.map((m) => m[1])).toEqual(r.actions.slice(6).map((a) => a.split(".").pop()));
    expect(kept.every((m) => m[1] === m[2] && m[2] === m[3])).toBe(true);
    expect(r.script).not.toContain("@vwatch_run_id");
  });

  it("storeFailures: false renders the assertions without failures tables or the run id", async () => {
    const r = await renderScript(options(root, { storeFailures: false }));
    expect(r.script.match(/^ASSERT /gm)).toHaveLength(8);
    expect(r.script).not.toContain("_failures");
    expect(r.script).not.toContain("vwatch_run_id");
  });

  it("--vars as_of=2024-01-08 fixes the day: no DECLARE, no EXECUTE IMMEDIATE, the literal in place", async () => {
    const r = await renderScript(options(root, { vars: { as_of: "2024-01-08" } }));
    expect(r.boundTo).toBeUndefined();
    expect(r.script).not.toContain("DECLARE vwatch_as_of");
    expect(r.script).not.toContain("EXECUTE IMMEDIATE");
    expect(r.script).toContain("-- Fixed var: as_of = 2024-01-08.");
    expect(r.script).toContain("date_sub(date '2024-01-08', interval 30 day)");
  });

  it("--actions entity_risk_training_data renders the Vertex AI training data with its dependencies, none of them incremental but int_gdelt_events", async () => {
    const r = await renderScript(options(root, { selection: { actions: ["entity_risk_training_data"], includeDeps: true } }));
    expect(r.actions.map((a) => a.split(".").pop())).toEqual(expect.arrayContaining(["stg_app__events", "stg_app__entity_mentions", "int_gdelt_events", "events", "entity_mentions", "entity_risk_training_data"]));
    expect(r.script.match(/^IF NOT EXISTS \(SELECT 1 FROM `(\w+)`\.INFORMATION_SCHEMA\.COLUMNS WHERE table_name = "(\w+)"\) THEN$/gm)).toEqual([
      'IF NOT EXISTS (SELECT 1 FROM `intermediate`.INFORMATION_SCHEMA.COLUMNS WHERE table_name = "int_gdelt_events") THEN',
    ]);
    expect(r.script).toContain("EXTERNAL_QUERY(");
  });

  it("refuses to bind as_of when a model uses its value other than through vars.asOf(), naming the var and the fix", async () => {
    const dir = copyOwnProject({ "definitions/outputs/as_of_text.sqlx": `config { type: "table", tags: ["mentions"] }\nselect '\${dataform.projectConfig.vars.as_of}' as day\n` });
    await expect(renderScript(options(dir))).rejects.toThrow(
      "cannot bind the var as_of to @run_date: the project uses its value other than as `date 'YYYY-MM-DD'` (vars.asOf()); fix it with --vars as_of=YYYY-MM-DD",
    );
  });
});
