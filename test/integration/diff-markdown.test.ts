import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiffReport } from "../../orchestrator/cli/diff-format";
import { startFakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { gitProject, type GitProject } from "../helpers/git-project";
import { makeProject, repoRoot, tempHome } from "../helpers/project";

// `vwatch diff --markdown` on a two-model project, checked whole; and the temporary worktree
// removed when the process is interrupted.

const SETTINGS = `defaultProject: testproj
defaultLocation: US
defaultDataset: ds
defaultAssertionDataset: ds_assertions
vars:
  threshold: "2"
`;

const SCORES = `config { type: "table" }

select
  id,
  score >= \${dataform.projectConfig.vars.threshold} as high
from unnest([struct(1 as id, 3 as score), struct(2 as id, 1 as score)])
`;

const HIGH = `config { type: "incremental", uniqueKey: ["id"] }

select id from \${ref("scores")} where high
`;

let repo: GitProject;
let home: string;

beforeAll(() => {
  repo = gitProject(makeProject({ "definitions/scores.sqlx": SCORES, "definitions/high_scores.sqlx": HIGH }, SETTINGS));
  home = tempHome();
});

afterAll(() => {
  fs.rmSync(repo.dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

const diff = (...args: string[]) => runCli(["--home", home, "--project-dir", repo.dir, "diff", "--base", "main", ...args]);

describe("vwatch diff --markdown", () => {
  it("a raised threshold: headline counts, the settings change, a table, the SQL diff folded", async () => {
    repo.edit("workflow_settings.yaml", 'threshold: "2"', 'threshold: "3"');
    try {
      const commit = repo.git("rev-parse", "--short=7", "HEAD");
      const r = await diff("--markdown");
      expect(r.code).toBe(0);
      expect(r.out).toBe(
        [
          `### What this change does (against \`main\`, ${commit})`,
          "",
          "**1 modified, 0 added, 0 removed, 1 downstream, 0 incremental tables needing a full refresh**",
          "",
          "Settings (`workflow_settings.yaml`):",
          "",
          "- `vars.threshold`: `2` → `3`",
          "",
          "| action | change | type | what |",
          "| --- | --- | --- | --- |",
          "| `ds.scores` | modified | table | sql: query |",
          "| `ds.high_scores` | downstream | incremental | reads ds.scores, no full refresh needed, built with threshold=2: the next run refuses to merge until --accept-var-change threshold or --full-refresh |",
          "",
          "<details><summary><code>ds.scores</code> query (modified, 7 lines)</summary>",
          "",
          "```diff",
          "@@ -2,5 +2,5 @@",
          " ",
          " select",
          "   id,",
          "-  score >= 2 as high",
          "+  score >= 3 as high",
          " from unnest([struct(1 as id, 3 as score), struct(2 as id, 1 as score)])",
          "```",
          "",
          "</details>",
          "",
        ].join("\n"),
      );
    } finally {
      repo.reset();
    }
  });

  it("a new output column of the incremental table: the table row says it needs a full refresh", async () => {
    repo.edit("definitions/high_scores.sqlx", "select id from", "select id, current_date() as seen_on from");
    try {
      const r = await diff("--markdown");
      expect(r.code).toBe(0);
      expect(r.out).toContain("**1 modified, 0 added, 0 removed, 0 downstream, 1 incremental table needing a full refresh**\n");
      expect(r.out).toContain("| `ds.high_scores` | modified | incremental | sql: query, sql: incrementalQuery, full refresh needed (columns changed: +seen_on DATE) |\n");
    } finally {
      repo.reset();
    }
  });
});

describe("vwatch diff --warehouse bigquery", () => {
  it("adds the dry-run bytes of what would rebuild, as the run would write it", async () => {
    const fake = await startFakeBigQuery({ projectId: "testproj", location: "US" });
    const env = { ...process.env };
    process.env.BIGQUERY_EMULATOR_HOST = fake.url;
    process.env.GOOGLE_CLOUD_PROJECT = "testproj";
    // high_scores exists: the run merges into it.
    fake.tables.register({ target: { database: "testproj", schema: "ds", name: "high_scores" }, schema: [{ name: "id", type: "INTEGER" }] });
    fake.setQueryResult(/score >= 3/, { bytesProcessed: 2_000_000 });
    fake.setQueryResult(/^merge /i, { bytesProcessed: 3_000 });
    repo.edit("workflow_settings.yaml", 'threshold: "2"', 'threshold: "3"');
    try {
      const r = await diff("--warehouse", "bigquery", "--json");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out) as DiffReport;
      expect(report.bytes).toEqual([
        { name: "testproj.ds.scores", bytes: 2_000_000 },
        { name: "testproj.ds.high_scores", bytes: 3_000 },
      ]);
      const jobs = fake.queries();
      expect(jobs.length).toBe(2);
      expect(jobs.every((j) => j.dryRun)).toBe(true);
      expect(jobs[0].sql).toMatch(/^create or replace table `testproj\.ds\.scores`/);
      const plain = await diff("--warehouse", "bigquery");
      expect(plain.out).toContain("1 modified, 0 added, 0 removed, 1 downstream, 0 incremental tables needing a full refresh, 1.9 MB scanned to rebuild\n");
      expect(plain.out).toMatch(/^ds\.high_scores +downstream +incremental +reads ds\.scores, no full refresh needed, built with threshold=2: the next run refuses to merge until --accept-var-change threshold or --full-refresh +2\.9 KB$/m);
    } finally {
      repo.reset();
      process.env = env;
      await fake.close();
    }
  });
});

describe("the temporary worktree", () => {
  it("is removed when the process is interrupted (SIGINT) while it is in use", async () => {
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-sigint-")), "checkout");
    const script = `
      const { withRefCheckout } = require(${JSON.stringify(path.join(repoRoot, "orchestrator/compile/at-ref"))});
      withRefCheckout(${JSON.stringify(repo.dir)}, "main", async (c) => {
        require("fs").writeFileSync(${JSON.stringify(marker)}, c.projectDir);
        await new Promise(() => setInterval(() => {}, 1000));
      });`;
    const child = spawn(process.execPath, ["-r", path.join(repoRoot, "bin/ts-require.js"), "-e", script], { stdio: "ignore" });
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const checkout = fs.readFileSync(marker, "utf8");
    expect(fs.existsSync(path.join(checkout, "workflow_settings.yaml"))).toBe(true);
    expect(repo.git("worktree", "list").split("\n")).toHaveLength(2);
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGINT");
    expect(await exit).toBe("SIGINT");
    expect(fs.existsSync(checkout)).toBe(false);
    expect(repo.git("worktree", "list").split("\n")).toHaveLength(1);
    fs.rmSync(path.dirname(marker), { recursive: true, force: true });
  });
});
