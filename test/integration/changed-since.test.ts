import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import type { RunRecord } from "../../orchestrator/run/results";
import { runCli } from "../helpers/cli";
import { gitProject, type GitProject } from "../helpers/git-project";
import { copyOwnProject, repoRoot, tempHome } from "../helpers/project";

// `vwatch run --changed-since REF` on DuckDB, on a Git copy of the project whose spike pipeline
// was built once from the bundled GDELT fixture: only what changed and what reads it runs.

const GDELT = path.join(repoRoot, "test/fixtures/gdelt");

let repo: GitProject;
let home: string;

beforeAll(async () => {
  repo = gitProject(copyOwnProject());
  home = tempHome();
  await loadGdeltFiles(path.join(home, "warehouse.duckdb"), [path.join(GDELT, "20150218231500.export.CSV"), path.join(GDELT, "20150218231500.mentions.CSV")]);
  const first = await runCli(["--home", home, "--project-dir", repo.dir, "run", "--tags", "mentions", "--no-sync"]);
  expect(first.code).toBe(0);
});

afterAll(() => {
  fs.rmSync(repo.dir, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli(["--home", home, "--project-dir", repo.dir, "run", "--changed-since", "HEAD", "--no-sync", "--json", ...args]);
const ran = (out: string) => (JSON.parse(out) as RunRecord).actions.map((a) => `${a.name.replace(/^venezuelawatch\./, "")} ${a.status}`);

describe("vwatch run --changed-since", () => {
  it("runs exactly the changed model and what reads it, on DuckDB", async () => {
    repo.edit("definitions/intermediate/int_mention_baselines.sqlx", "with daily as (", "-- edited\nwith daily as (");
    try {
      const r = await run();
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/^1 action changed since HEAD \([0-9a-f]{7}\); running 6 actions \(5 downstream\)$/m);
      expect(ran(r.out).sort()).toEqual(
        [
          "intermediate.int_mention_baselines success",
          "analytics.mention_spikes success",
          "analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0 success",
          "analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions success",
          "analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0 success",
          "analytics_assertions.analytics_mention_spikes_assertions_rowConditions success",
        ].sort(),
      );
    } finally {
      repo.reset();
    }
  });

  it("with --tags: only the changed and downstream actions that also have the tag", async () => {
    repo.edit("definitions/intermediate/int_mention_baselines.sqlx", "with daily as (", "-- edited\nwith daily as (");
    repo.edit("definitions/outputs/fred_indicators.sqlx", "  from observations\n", "  from observations\n  where value is not null\n");
    try {
      const r = await run("--tags", "economics");
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/^2 actions changed since HEAD \([0-9a-f]{7}\); running 3 actions \(2 downstream, narrowed by --tags\/--actions\)$/m);
      expect(ran(r.out)).toEqual([
        "analytics.fred_indicators success",
        "analytics_assertions.analytics_fred_indicators_assertions_uniqueKey_0 success",
        "analytics_assertions.analytics_fred_indicators_assertions_rowConditions success",
      ]);
    } finally {
      repo.reset();
    }
  });

  // Records z_threshold=2.5 for mention_spikes: later cases must not run it with the settings' 2.0.
  it("a changed threshold var: the incremental table built with the old value is refused, as any run refuses it", async () => {
    repo.edit("workflow_settings.yaml", 'z_threshold: "2.0"', 'z_threshold: "2.5"');
    try {
      const r = await run();
      expect(r.code).toBe(2);
      expect(r.err).toContain("venezuelawatch.analytics.mention_spikes was built with z_threshold=2.0 and this run has z_threshold=2.5");
      const accepted = await run("--accept-var-change", "z_threshold");
      expect(accepted.code).toBe(0);
      expect(ran(accepted.out)).toHaveLength(6);
    } finally {
      repo.reset();
    }
  });

  it("nothing changed: says so, exits 0 and opens no warehouse", async () => {
    const fresh = tempHome();
    try {
      const r = await runCli(["--home", fresh, "--project-dir", repo.dir, "run", "--changed-since", "HEAD"]);
      expect(r.code).toBe(0);
      expect(r.out).toBe("");
      expect(r.err).toBe(`no action changed since HEAD (${repo.git("rev-parse", "--short=7", "HEAD")}); nothing to run\n`);
      expect(fs.existsSync(path.join(fresh, "warehouse.duckdb"))).toBe(false);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("a bad ref: exit 2 naming the flag, nothing run", async () => {
    const r = await runCli(["--home", home, "--project-dir", repo.dir, "run", "--changed-since", "nope"]);
    expect(r).toEqual({ code: 2, out: "", err: "error: --changed-since nope: no such commit, branch or tag in this repository; name one that exists (for a remote branch, `git fetch` it first)\n" });
  });
});
