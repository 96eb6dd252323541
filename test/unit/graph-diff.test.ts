import { describe, expect, it } from "vitest";
import type { CompiledGraph, Table } from "../../orchestrator/compile/graph";
import { columnChanges, fullRefreshVerdicts } from "../../orchestrator/plan/full-refresh";
import { actionViews, diffGraphs } from "../../orchestrator/plan/graph-diff";
import { unifiedDiff } from "../../orchestrator/plan/unified-diff";
import { formatMarkdown, MARKDOWN_DIFF_LINES, type DiffReport } from "../../orchestrator/cli/diff-format";

const t = (name: string) => ({ database: "p", schema: "d", name });

function graph(tables: Table[], vars: Record<string, string> = {}): CompiledGraph {
  return { projectConfig: { defaultDatabase: "p", defaultSchema: "d", vars }, tables };
}

const staging = (query = "select 1 as a"): Table => ({ target: t("stg"), enumType: "VIEW", query, fileName: "definitions/stg.sqlx" });
const daily = (over: Partial<Table> = {}): Table => ({
  target: t("daily"),
  enumType: "INCREMENTAL",
  query: "select * from p.d.stg",
  incrementalQuery: "select * from p.d.stg where true",
  uniqueKey: ["a"],
  dependencyTargets: [t("stg")],
  fileName: "definitions/daily.sqlx",
  ...over,
});
const out = (): Table => ({ target: t("out"), enumType: "TABLE", query: "select * from p.d.daily", dependencyTargets: [t("daily")], fileName: "definitions/out.sqlx" });

describe("unified diff of compiled SQL", () => {
  it("writes the hunks diff -u writes, three lines of context, separate hunks when far apart", () => {
    const before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
    const after = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nl\n";
    expect(unifiedDiff(before, after)).toBe("@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n@@ -9,3 +9,4 @@\n i\n j\n k\n+l");
    expect(unifiedDiff("", "x\ny")).toBe("@@ -0,0 +1,2 @@\n+x\n+y");
    expect(unifiedDiff("x\ny", "")).toBe("@@ -1,2 +0,0 @@\n-x\n-y");
    expect(unifiedDiff("same", "same")).toBe("");
  });
});

describe("diffing two compiled graphs", () => {
  it("matches actions by target: modified with SQL and config fields, added, removed, and what reads a change", () => {
    const base = graph([staging(), daily(), out(), { target: t("gone"), enumType: "TABLE", query: "select 2", fileName: "definitions/gone.sqlx" }], { z: "2.0" });
    const head = graph([staging("select 1 as b"), daily({ tags: ["x"] }), out(), { target: t("new"), enumType: "TABLE", query: "select 3", fileName: "definitions/new.sqlx" }], { z: "2.5" });
    const d = diffGraphs(base, head);
    expect(d.project).toEqual([{ field: "vars.z", before: "2.0", after: "2.5" }]);
    expect(d.changes.map((c) => [c.name, c.change, c.type])).toEqual([
      ["p.d.stg", "modified", "view"],
      ["p.d.daily", "modified", "incremental"],
      ["p.d.new", "added", "table"],
      ["p.d.gone", "removed", "table"],
    ]);
    expect(d.changes[0].sql).toEqual([{ part: "query", diff: "@@ -1 +1 @@\n-select 1 as a\n+select 1 as b" }]);
    expect(d.changes[1]).toMatchObject({ fields: [{ field: "tags", before: undefined, after: "x" }], sql: [] });
    expect(d.changes[2].sql).toEqual([{ part: "query", diff: "@@ -0,0 +1 @@\n+select 3" }]);
    expect(d.changes[3].sql).toEqual([{ part: "query", diff: "@@ -1 +0,0 @@\n-select 2" }]);
    expect(d.downstream).toEqual([{ name: "p.d.out", type: "table", file: "definitions/out.sqlx", via: ["p.d.stg", "p.d.daily"] }]);
  });

  it("an unchanged graph has no differences", () => {
    expect(diffGraphs(graph([staging(), daily()]), graph([staging(), daily()]))).toEqual({ project: [], changes: [], downstream: [] });
  });
});

describe("whether a change forces a full refresh of an incremental table", () => {
  const base = graph([staging(), daily()]);
  const cols = (...names: string[]) => names.map((n) => ({ name: n.split(" ")[0], type: n.split(" ")[1] ?? "INT64" }));
  const side = (m: Record<string, ReturnType<typeof cols>>) => ({ columns: new Map(Object.entries(m)) });

  it("yes when its output columns changed (added, removed, retyped), no when they did not", () => {
    expect(columnChanges(cols("a", "b STRING", "c"), cols("a STRING", "c", "d DATE"))).toBe("+d DATE, -b, a: INT64 → STRING");
    const head = graph([staging("select 1 as b"), daily()]);
    const d = diffGraphs(base, head);
    const changed = fullRefreshVerdicts(d, actionViews(base), actionViews(head), { base: side({ "p.d.daily": cols("a") }), head: side({ "p.d.daily": cols("b") }) });
    expect(changed).toEqual([{ name: "p.d.daily", fullRefresh: "yes", reasons: ["columns changed: +b INT64, -a"] }]);
    const same = fullRefreshVerdicts(d, actionViews(base), actionViews(head), { base: side({ "p.d.daily": cols("a") }), head: side({ "p.d.daily": cols("a") }) });
    expect(same).toEqual([{ name: "p.d.daily", fullRefresh: "no", reasons: [] }]);
  });

  it("yes when its unique key or partitioning changed, even without columns; unknown without columns otherwise; protected said", () => {
    const head = graph([staging(), daily({ uniqueKey: ["a", "b"], protected: true })]);
    const d = diffGraphs(base, head);
    expect(fullRefreshVerdicts(d, actionViews(base), actionViews(head))).toEqual([
      { name: "p.d.daily", fullRefresh: "yes", reasons: ["uniqueKey changed: a → a, b"], protected: true },
    ]);
    const head2 = graph([staging("select 2 as a"), daily()]);
    const d2 = diffGraphs(base, head2);
    const missing = { columns: new Map(), missing: () => "definitions/daily.sqlx:3: Unrecognized name: a" };
    expect(fullRefreshVerdicts(d2, actionViews(base), actionViews(head2), { base: side({ "p.d.daily": cols("a") }), head: missing })).toEqual([
      { name: "p.d.daily", fullRefresh: "unknown", reasons: ["output columns unknown at the head: definitions/daily.sqlx:3: Unrecognized name: a"] },
    ]);
  });
});

describe("the Markdown report", () => {
  it("cuts a long SQL diff with a note naming the command that prints it whole", () => {
    const long = Array.from({ length: 200 }, (_, i) => `+line ${i}`).join("\n");
    const report: DiffReport = {
      base: { ref: "origin/main", commit: "0123456789abcdef" },
      project: [],
      changes: [{ name: "p.d.big", type: "table", change: "added", fields: [], sql: [{ part: "query", diff: `@@ -0,0 +1,200 @@\n${long}` }] }],
      downstream: [],
      incremental: [],
    };
    const md = formatMarkdown(report);
    expect(md).toContain("<details><summary><code>p.d.big</code> query (added, 201 lines)</summary>");
    expect(md).toContain(`+line ${MARKDOWN_DIFF_LINES - 2}\n\`\`\`\n`);
    expect(md).not.toContain(`+line ${MARKDOWN_DIFF_LINES - 1}\n`);
    expect(md).toContain(`… ${201 - MARKDOWN_DIFF_LINES} more lines: run \`vwatch diff --base origin/main\` for the whole diff.`);
  });
});
