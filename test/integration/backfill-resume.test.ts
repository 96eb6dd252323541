import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import type { BackfillResult } from "../../orchestrator/backfill/backfill";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { FIXTURE_VARS, writeBackfillFixture } from "../helpers/backfill-fixture";
import { runCli } from "../helpers/cli";
import { copyOwnProject, repoRoot, tempHome, warehouseRows } from "../helpers/project";

// A backfill that stops at a failed day records the days before it; the same command again
// continues at that day, and --restart runs every day again. Bad input is refused up front.

const BASELINES = "definitions/intermediate/int_mention_baselines.sqlx";
const original = fs.readFileSync(path.join(repoRoot, BASELINES), "utf8");
// An injected fault: the model fails (a cast of 'boom' to a number) when it scores 2024-01-07.
const faulty = original.replace(/select \* from final\s*$/, "select * from final where cast(if(${vars.asOf()} = date '2024-01-07', 'boom', '1') as int64) = 1\n");

const backfill = (home: string, dir: string, ...args: string[]) =>
  runCli(["--home", home, "--project-dir", dir, "backfill", "--tags", "mentions", "--no-sync", "--vars", FIXTURE_VARS, "--from", "2024-01-05", "--to", "2024-01-09", "--json", ...args]);
const result = (out: string) => JSON.parse(out) as BackfillResult;
const SPIKES = `select event_id, cast(spike_date as varchar) as spike_date, z_score from "analytics"."mention_spikes" order by event_id, spike_date`;

describe("a backfill that stopped", () => {
  it("stops at the failed day, then the same command continues there; again it runs nothing; --restart runs every day", async () => {
    expect(faulty).not.toBe(original);
    const project = copyOwnProject({ [BASELINES]: faulty });
    const home = tempHome();
    await loadGdeltFiles(path.join(home, "warehouse.duckdb"), writeBackfillFixture(path.join(home, "in")));

    const failed = await backfill(home, project);
    expect(failed.code).toBe(1);
    const first = result(failed.out);
    expect(first.ran).toEqual(["2024-01-05", "2024-01-06"]);
    expect(first.failedDay).toBe("2024-01-07");
    expect(first.failures?.find((f) => f.status === "failed")?.action).toBe("venezuelawatch.intermediate.int_mention_baselines");
    expect(failed.err).toMatch(/^failed: int_mention_baselines on 2024-01-07: Conversion Error: Could not convert string 'boom' to INT64/m);
    expect(failed.err).toContain("error: backfill stopped at 2024-01-07 (2 of 5 days done); fix what failed and run the same command again to continue at 2024-01-07\n");

    fs.writeFileSync(path.join(project, BASELINES), original);
    const resumed = await backfill(home, project);
    expect(resumed.code, resumed.err).toBe(0);
    expect(result(resumed.out).skipped).toEqual(["2024-01-05", "2024-01-06"]);
    expect(result(resumed.out).ran).toEqual(["2024-01-07", "2024-01-08", "2024-01-09"]);
    expect(resumed.err).toMatch(/^backfill 2024-01-05 … 2024-01-09: 5 days, .*; resuming at 2024-01-07 \(2 days done before\)$/m);
    const spikes = await warehouseRows(home, SPIKES);
    expect(spikes.map((s) => [Number(s.event_id), s.spike_date, Number(s.z_score)])).toEqual([[100, "2024-01-08", 4]]);

    const args = ["--home", home, "--project-dir", project, "backfill", "--tags", "mentions", "--no-sync", "--vars", FIXTURE_VARS, "--from", "2024-01-05", "--to", "2024-01-09"];
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.out).toBe("");
    expect(again.err).toMatch(
      /^backfill 2024-01-05 … 2024-01-09: all 5 days are done already \(--restart runs them again\)\nbackfill 2024-01-05 … 2024-01-09: 0 days run, 5 skipped \(done before\), in [\d.]+ s\ntables now: int_mentions_counted_daily \d+ rows, mention_spikes 1 row\nspikes: 1 in mention_spikes\n$/,
    );

    // Another range is another backfill: its days are its own.
    const other = await runCli(["--home", home, "--project-dir", project, "-q", "backfill", "--tags", "mentions", "--no-sync", "--vars", FIXTURE_VARS, "--from", "2024-01-09", "--to", "2024-01-09", "--json"]);
    expect(result(other.out).ran).toEqual(["2024-01-09"]);

    const restarted = await backfill(home, project, "--restart");
    expect(restarted.code, restarted.err).toBe(0);
    expect(result(restarted.out).ran).toHaveLength(5);
    expect(result(restarted.out).skipped).toEqual([]);
    // Running the days again leaves the same spikes.
    expect(await warehouseRows(home, SPIKES)).toEqual(spikes);
  }, 120_000);
});

describe("a killed backfill", () => {
  it("rerun, continues at the first day the ledger does not hold, and ends with the spikes of an uninterrupted one", async () => {
    const home = tempHome();
    await loadGdeltFiles(path.join(home, "warehouse.duckdb"), writeBackfillFixture(path.join(home, "in")));
    const args = ["--home", home, "--project-dir", repoRoot, "backfill", "--tags", "mentions", "--no-sync", "--vars", FIXTURE_VARS, "--from", "2024-01-05", "--to", "2024-01-12"];
    // Killed (SIGKILL: no cleanup) once its third day is done.
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "vwatch.js"), ...args], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    const ended = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stderr.on("data", (chunk) => {
      err += String(chunk);
      if (/day 3\/8 done/.test(err)) child.kill("SIGKILL");
    });
    expect(await ended, err).toBeNull();
    const ledger = JSON.parse(fs.readFileSync(path.join(home, "backfills.json"), "utf8")) as { backfills: Record<string, { done: string[] }> };
    const done = Object.values(ledger.backfills)[0].done;
    expect(done.slice(0, 3)).toEqual(["2024-01-05", "2024-01-06", "2024-01-07"]);
    expect(done.length).toBeLessThan(8);

    const resumed = await runCli([...args, "--json"]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(result(resumed.out).skipped).toEqual(done);
    expect(result(resumed.out).ran[0]).toBe(`2024-01-${String(5 + done.length).padStart(2, "0")}`);
    const spikes = await warehouseRows(home, SPIKES);
    expect(spikes.map((s) => [Number(s.event_id), s.spike_date, Number(s.z_score)])).toEqual([
      [100, "2024-01-08", 4],
      [200, "2024-01-12", 6],
    ]);
  }, 120_000);
});

describe("bad input to backfill", () => {
  /** Refused with exit 2 and the message, before the warehouse is opened (a bad range even before the home folder is made). */
  const refuse = async (args: string[], message: string, compiles = false) => {
    const home = path.join(tempHome(), "never-created");
    const r = await runCli(["--home", home, "--project-dir", repoRoot, "backfill", "--no-sync", ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: ${message}\n`);
    expect(fs.existsSync(path.join(home, "warehouse.duckdb"))).toBe(false);
    if (!compiles) expect(fs.existsSync(home)).toBe(false);
  };

  it("a day that is not a date", () => refuse(["--from", "2024-02-30", "--to", "2024-03-01"], '--from must be a date YYYY-MM-DD, got "2024-02-30"'));
  it("a missing --to", () => refuse(["--from", "2024-02-01"], "--to DAY is required (the last as_of day to run, YYYY-MM-DD)"));
  it("--from after --to", () => refuse(["--from", "2024-03-02", "--to", "2024-03-01"], "--from 2024-03-02 is after --to 2024-03-01; the range runs from the older day to the newer"));
  it("a range of more than ten years", () =>
    refuse(["--from", "1024-03-01", "--to", "2024-03-01"], "--from 1024-03-01 --to 2024-03-01 is 365244 days, more than a backfill takes (3650); check the years, or backfill in parts"));
  it("--vars as_of", () => refuse(["--from", "2024-03-01", "--to", "2024-03-02", "--vars", "as_of=2024-03-01"], "--vars as_of cannot be given to backfill: it runs each as_of day from --from to --to"));
  it("a selection without an incremental model", () =>
    refuse(
      ["--from", "2024-03-01", "--to", "2024-03-02", "--actions", "int_focus_events"],
      "the selection has no incremental model, so there is nothing to backfill: tables rebuilt whole need only `vwatch run --vars as_of=DAY`",
      true,
    ));
});
