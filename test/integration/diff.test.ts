import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiffReport } from "../../orchestrator/cli/diff-format";
import { runCli } from "../helpers/cli";
import { gitProject, type GitProject } from "../helpers/git-project";
import { testDatabaseUrl } from "../helpers/pg";
import { copyOwnProject, tempHome } from "../helpers/project";

// `vwatch diff --base REF` on a copy of the project made a Git repository: each case edits the
// working tree, compares with the last commit, and undoes its edits. The base commit adds one
// test-only incremental table reading int_focus_events with `select *`, so a staging column
// reaches an incremental table's output. EXTERNAL_QUERY columns are described on the test
// PostgreSQL (database test), as validate does.

const HISTORY = `config {
  type: "incremental",
  schema: "intermediate",
  uniqueKey: ["event_id"],
  description: "Test only: every focus event ever tracked."
}

select * from \${ref("int_focus_events")}
`;

let repo: GitProject;
/** The commit every case starts from. */
let start: string;
let home: string;
let databaseUrl: string | undefined;

beforeAll(() => {
  databaseUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = testDatabaseUrl("test");
  repo = gitProject(copyOwnProject({ "definitions/intermediate/int_focus_event_history.sqlx": HISTORY }));
  start = repo.git("rev-parse", "HEAD");
  home = tempHome();
});

afterAll(() => {
  if (databaseUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = databaseUrl;
  fs.rmSync(repo.dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

const diff = (...args: string[]) => runCli(["--home", home, "--project-dir", repo.dir, "diff", "--base", "HEAD", ...args]);

async function report(): Promise<DiffReport> {
  const r = await diff("--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

const names = (xs: { name: string }[]) => xs.map((x) => x.name.replace(/^venezuelawatch\./, ""));
/** Only the main worktree is left: the temporary one is gone. */
const worktrees = () => repo.git("worktree", "list", "--porcelain").split("\n").filter((l) => l.startsWith("worktree ")).length;

describe("vwatch diff against a Git ref", () => {
  it("a changed threshold var: a settings change, the one model whose SQL it changes, what reads it", async () => {
    repo.edit("workflow_settings.yaml", 'z_threshold: "2.0"', 'z_threshold: "2.5"');
    try {
      const r = await report();
      expect(r.project).toEqual([{ field: "vars.z_threshold", before: "2.0", after: "2.5" }]);
      expect(r.changes.map((c) => [c.name, c.change, c.type, c.fields, c.sql.map((s) => s.part)])).toEqual([
        ["venezuelawatch.intermediate.int_mention_baselines", "modified", "table", [], ["query"]],
      ]);
      expect(r.changes[0].sql[0].diff).toContain("\n-    coalesce(z_score >= 2, false) as meets_z_threshold\n+    coalesce(z_score >= 2.5, false) as meets_z_threshold\n");
      expect(names(r.downstream)).toEqual([
        "analytics.mention_spikes",
        "analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0",
        "analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions",
        "analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0",
        "analytics_assertions.analytics_mention_spikes_assertions_rowConditions",
      ]);
      // No full refresh, but mention_spikes was built with the old value: `vwatch run` will refuse to merge (run/var-changes.ts).
      const note = "built with z_threshold=2.0: the next run refuses to merge until --accept-var-change z_threshold or --full-refresh";
      expect(r.incremental).toEqual([{ name: "venezuelawatch.analytics.mention_spikes", fullRefresh: "no", reasons: [], builtWith: [{ name: "z_threshold", value: "2.0" }], varChange: note }]);
      const plain = await diff();
      expect(plain.out).toMatch(new RegExp(`\\nanalytics\\.mention_spikes +downstream +incremental +reads intermediate\\.int_mention_baselines, no full refresh needed, ${note.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}\\n`));
      const markdown = await diff("--markdown");
      expect(markdown.out).toContain(`| \`analytics.mention_spikes\` | downstream | incremental | reads intermediate.int_mention_baselines, no full refresh needed, ${note} |`);
      expect(worktrees()).toBe(1);
    } finally {
      repo.reset();
    }
  });

  it("a var change that does not reach an incremental table the change reaches: no var warning on it", async () => {
    // training_window_days changes only entity_risk_training_data; the edit to int_mention_baselines reaches mention_spikes.
    repo.edit("workflow_settings.yaml", 'training_window_days: "90"', 'training_window_days: "120"');
    repo.edit("definitions/intermediate/int_mention_baselines.sqlx", "    mention_count >= ${vars.integer", "    mention_count + 0 >= ${vars.integer");
    try {
      const r = await report();
      expect(r.project).toEqual([{ field: "vars.training_window_days", before: "90", after: "120" }]);
      expect(r.changes.map((c) => c.name).sort()).toEqual(["venezuelawatch.analytics.entity_risk_training_data", "venezuelawatch.intermediate.int_mention_baselines"]);
      expect(r.incremental).toEqual([{ name: "venezuelawatch.analytics.mention_spikes", fullRefresh: "no", reasons: [] }]);
      expect((await diff()).out).not.toContain("refuses to merge");
    } finally {
      repo.reset();
    }
  });

  it("an edited model: its SQL diff and each changed config field, its assertions downstream", async () => {
    repo.edit("definitions/outputs/fred_indicators.sqlx", "Days FRED marks missing are absent, not zero.", "Days FRED marks missing are absent.");
    repo.edit("definitions/outputs/fred_indicators.sqlx", "    units\n  from observations\n", "    units\n  from observations\n  where value is not null\n");
    try {
      const r = await report();
      expect(r.project).toEqual([]);
      expect(r.changes).toHaveLength(1);
      const c = r.changes[0];
      expect([c.name, c.change, c.type, c.file]).toEqual(["venezuelawatch.analytics.fred_indicators", "modified", "table", "definitions/outputs/fred_indicators.sqlx"]);
      expect(c.fields).toEqual([
        {
          field: "description",
          before: "FRED economic series (oil prices and others), one row per series and observation date. Days FRED marks missing are absent, not zero.",
          after: "FRED economic series (oil prices and others), one row per series and observation date. Days FRED marks missing are absent.",
        },
      ]);
      expect(c.sql).toHaveLength(1);
      expect(c.sql[0].diff).toMatch(/^@@ -\d+,6 \+\d+,7 @@\n/);
      expect(c.sql[0].diff).toContain("\n     units\n   from observations\n+  where value is not null\n");
      expect(names(r.downstream)).toEqual(["analytics_assertions.analytics_fred_indicators_assertions_uniqueKey_0", "analytics_assertions.analytics_fred_indicators_assertions_rowConditions"]);
      expect(r.incremental).toEqual([]);
    } finally {
      repo.reset();
    }
  });

  it("a renamed column in a staging model: what reads it listed, the incremental table whose columns change needs a full refresh", async () => {
    repo.edit("definitions/staging/stg_gdelt__events.sqlx", "SOURCEURL as source_url", "SOURCEURL as article_url");
    repo.edit("definitions/intermediate/int_gdelt_events.sqlx", "    source_url,\n    regexp_extract(source_url,", "    article_url as source_url,\n    regexp_extract(article_url,");
    try {
      const r = await report();
      expect(names(r.changes)).toEqual(["staging.stg_gdelt__events", "intermediate.int_gdelt_events"]);
      const downstream = names(r.downstream);
      for (const n of ["intermediate.int_focus_events", "intermediate.int_focus_event_history", "intermediate.int_mentions_counted_daily", "analytics.events", "analytics.mention_spikes"]) expect(downstream).toContain(n);
      expect(downstream).not.toContain("analytics.fred_indicators");
      expect(Object.fromEntries(r.incremental.map((v) => [v.name.replace(/^venezuelawatch\./, ""), [v.fullRefresh, v.reasons]]))).toEqual({
        "intermediate.int_focus_event_history": ["yes", ["columns changed: +article_url STRING, -source_url"]],
        "intermediate.int_gdelt_events": ["no", []],
        "intermediate.int_mentions_counted_daily": ["no", []],
        "analytics.mention_spikes": ["no", []],
      });
      const plain = await diff();
      expect(plain.out).toMatch(/^intermediate\.int_focus_event_history +downstream +incremental +reads staging\.stg_gdelt__events, full refresh needed \(columns changed: \+article_url STRING, -source_url\)$/m);
    } finally {
      repo.reset();
    }
  });

  it("a staging rename that breaks a reader: its full refresh is unknown, with the analysis error", async () => {
    repo.edit("definitions/staging/stg_gdelt__events.sqlx", "SOURCEURL as source_url", "SOURCEURL as article_url");
    try {
      const r = await report();
      const gdelt = r.incremental.find((v) => v.name.endsWith(".int_gdelt_events"))!;
      expect(gdelt.fullRefresh).toBe("unknown");
      expect(gdelt.reasons[0]).toMatch(/^output columns unknown at the head: definitions\/intermediate\/int_gdelt_events\.sqlx:\d+: Unrecognized name: source_url/);
    } finally {
      repo.reset();
    }
  });

  it("a new model: added with its whole SQL, nothing downstream", async () => {
    repo.write("definitions/outputs/spike_counts.sqlx", 'config { type: "view" }\n\nselect spike_date, count(*) as spikes\nfrom ${ref("mention_spikes")}\ngroup by spike_date\n');
    try {
      const r = await report();
      expect(r.changes.map((c) => [c.name, c.change, c.type, c.file])).toEqual([["venezuelawatch.analytics.spike_counts", "added", "view", "definitions/outputs/spike_counts.sqlx"]]);
      expect(r.changes[0].sql).toEqual([{ part: "query", diff: "@@ -0,0 +1,5 @@\n+\n+\n+select spike_date, count(*) as spikes\n+from `venezuelawatch.analytics.mention_spikes`\n+group by spike_date" }]);
      expect(r.downstream).toEqual([]);
    } finally {
      repo.reset();
    }
  });

  it("a deleted model: removed, with the assertions it declared", async () => {
    fs.rmSync(path.join(repo.dir, "definitions/outputs/un_comtrade.sqlx"));
    try {
      const r = await report();
      expect(r.changes.every((c) => c.change === "removed")).toBe(true);
      expect(names(r.changes)).toEqual([
        "analytics.un_comtrade",
        "analytics_assertions.analytics_un_comtrade_assertions_uniqueKey_0",
        "analytics_assertions.analytics_un_comtrade_assertions_rowConditions",
      ]);
      expect(r.downstream).toEqual([]);
    } finally {
      repo.reset();
    }
  });

  it("no change: says so and exits 0, in every format", async () => {
    const commit = repo.git("rev-parse", "HEAD").slice(0, 7);
    expect(await diff()).toEqual({ code: 0, out: `no changes against HEAD (${commit})\n`, err: "" });
    expect((await diff("--markdown")).out).toBe(`### What this change does (against \`HEAD\`, ${commit})\n\nNo action's compiled SQL or configuration changed.\n`);
    expect(await report()).toMatchObject({ project: [], changes: [], downstream: [], incremental: [] });
  });
});

describe("vwatch diff refusing", () => {
  it("a ref that names nothing: exit 2, nothing left behind", async () => {
    const r = await diff();
    expect(r.code).toBe(0);
    const bad = await runCli(["--home", home, "--project-dir", repo.dir, "diff", "--base", "no-such-branch"]);
    expect(bad).toEqual({ code: 2, out: "", err: "error: --base no-such-branch: no such commit, branch or tag in this repository; name one that exists (for a remote branch, `git fetch` it first)\n" });
    expect(worktrees()).toBe(1);
  });

  it("a side that does not compile: exit 2 naming the side and the file", async () => {
    const broken = 'config { type: "table" }\nselect * from ${ref("no_such_table")}\n';
    repo.write("definitions/outputs/broken.sqlx", broken);
    repo.commit("a broken model");
    try {
      fs.rmSync(path.join(repo.dir, "definitions/outputs/broken.sqlx"));
      const base = await diff();
      expect(base).toEqual({ code: 2, out: "", err: 'error: the base (HEAD) does not compile:\n  definitions/outputs/broken.sqlx:2: Could not resolve "no_such_table"\n' });
      repo.git("reset", "-q", "--hard", start);
      repo.write("definitions/outputs/broken.sqlx", broken);
      const head = await diff();
      expect(head).toEqual({ code: 2, out: "", err: 'error: the working tree does not compile:\n  definitions/outputs/broken.sqlx:2: Could not resolve "no_such_table"\n' });
      expect(worktrees()).toBe(1);
    } finally {
      repo.git("reset", "-q", "--hard", start);
      repo.reset();
    }
  });

  it("a ref pinning another @dataform/core: exit 2 saying what to do", async () => {
    repo.write("package.json", JSON.stringify({ dependencies: { "@dataform/core": "3.0.1" } }));
    repo.commit("another core");
    try {
      const installed = JSON.parse(fs.readFileSync(path.join(repo.dir, "node_modules/@dataform/core/package.json"), "utf8")).version;
      const r = await diff();
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `error: the base (HEAD) pins @dataform/core 3.0.1 in its package.json, but ${installed} is installed here and compiles both sides; compare with a ref that pins ${installed}, or install 3.0.1 (npm ci on a checkout of HEAD) and run the diff from there\n`,
      );
      expect(worktrees()).toBe(1);
    } finally {
      repo.git("reset", "-q", "--hard", start);
    }
  });
});
