import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { targetName } from "../../orchestrator/compile/graph";
import { loadConfig } from "../../orchestrator/config";
import { compileWithVars } from "../../orchestrator/compile/with-vars";
import { summaryTable } from "../../orchestrator/run/summary";
import type { ActionResult } from "../../orchestrator/run/run";
import { runCli } from "../helpers/cli";
import { makeProject, repoRoot, tempHome } from "../helpers/project";

// What a person sees: the version, -q, and a summary table that fits a 100-column terminal.

describe("vwatch --version", () => {
  it.each(["--version", "-V"])("%s prints the package version (exit 0)", async (flag) => {
    const version = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
    const r = await runCli([flag]);
    expect(r.out).toBe(`${version}\n`);
    expect(r.code).toBe(0);
  });
});

describe("vwatch -q", () => {
  const project = makeProject({
    "definitions/one.sqlx": `config { type: "table" }\nselect 1 as one`,
    "definitions/broken.sqlx": `config { type: "table" }\nselect no_such_column from \${ref("one")}`,
    "definitions/after_broken.sqlx": `config { type: "view" }\nselect * from \${ref("broken")}`,
  });

  it("keeps only the final summary line of a run", async () => {
    const r = await runCli(["--home", tempHome(), "--project-dir", project, "-q", "run", "--actions", "one"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("1 succeeded, 0 failed, 0 skipped\n");
    expect(r.out).toBe("");
  });

  it("keeps the failures before the summary line", async () => {
    const r = await runCli(["--home", tempHome(), "--project-dir", project, "-q", "run"]);
    expect(r.code).toBe(1);
    const lines = r.err.split("\n").filter(Boolean);
    expect(lines[0]).toMatch(/^failed: ds\.broken: .*no_such_column/);
    expect(lines.at(-1)).toBe("1 succeeded, 1 failed, 1 skipped");
  });
});

describe("the run summary table", () => {
  // Every action of this project, as a run reports them: the longest names there are.
  const graph = compileWithVars(loadConfig({ projectDir: repoRoot, home: tempHome() }));
  const result = (name: string, kind: string): ActionResult => ({ name, kind, status: "success", rows: 10086, seconds: 12.34, bytesProcessed: 123_456_789 });
  const actions = [
    ...(graph.tables ?? []).map((t) => result(targetName(t.target), String(t.enumType).toLowerCase())),
    ...(graph.assertions ?? []).map((a) => result(targetName(a.target), "assertion")),
  ];

  it.each(["duckdb", "bigquery"])("fits 100 columns on %s, without the default project in the names, losing no name", (warehouse) => {
    expect(actions.length).toBeGreaterThan(40);
    const lines = summaryTable(actions, warehouse, graph.projectConfig.defaultDatabase).split("\n");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines.some((l) => l.startsWith("analytics.mention_spikes "))).toBe(true);
    expect(lines.some((l) => l.includes("venezuelawatch."))).toBe(false);
    // A wrapped name continues on indented lines of its own: joined back, every name is whole.
    const names = lines.slice(2).reduce<string[]>((all, l) => (l.startsWith("  ") ? [...all.slice(0, -1), all.at(-1)! + l.trim()] : [...all, l.split(/\s{2,}/)[0]]), []);
    expect(names).toEqual(actions.map((a) => a.name.replace(/^venezuelawatch\./, "").replace(/^analytics_assertions\./, "")));
  });

  it("wraps a name too long to fit after an underscore, on an indented line", () => {
    const lines = summaryTable(actions, "bigquery", graph.projectConfig.defaultDatabase).split("\n");
    const i = lines.findIndex((l) => l.startsWith("intermediate_int_mentions_counted_daily_") && l.includes("assertion"));
    expect(lines[i]).toMatch(/^intermediate_int_mentions_counted_daily_\s+assertion\s+success\s+10086\s+12\.34$/);
    expect(lines[i + 1]).toBe("  assertions_uniqueKey_0");
  });
});
