import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { testDatabaseUrl } from "../helpers/pg";
import { copyOwnProject, repoRoot, tempHome } from "../helpers/project";

// `vwatch test`: the project's own model tests (definitions/**/*.test.yaml) pass; a wrong
// expectation fails with a diff; a bad test file is refused at its line. EXTERNAL_QUERY columns
// (typing entity_risk_training_data's inputs) are described on the local PostgreSQL inside a
// transaction that is rolled back, as `vwatch validate` does.

const env = { ...process.env };
const home = tempHome();
beforeAll(() => {
  process.env.DATABASE_URL = testDatabaseUrl("test");
});
afterAll(() => {
  process.env = env;
});

const SPIKES = "definitions/outputs/mention_spikes.test.yaml";
const ownFile = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");

/** `vwatch test` on a copy of the project with `files` added or replaced. */
async function vwatchTest(files: Record<string, string>, ...args: string[]) {
  const dir = copyOwnProject(files);
  try {
    return await runCli(["--home", home, "--project-dir", dir, "test", ...args]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("vwatch test", () => {
  it("passes on the project's model tests, one line per case", async () => {
    const { code, out } = await vwatchTest({});
    const lines = out.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("PASS ")).map((l) => /^PASS +(\S+) (\w+): /.exec(l)!.slice(1).join(" "))).toEqual([
      "definitions/intermediate/int_mention_baselines.test.yaml:7 int_mention_baselines",
      "definitions/intermediate/int_mention_baselines.test.yaml:32 int_mention_baselines",
      "definitions/intermediate/int_mention_baselines.test.yaml:74 int_mention_baselines",
      "definitions/intermediate/int_mention_baselines.test.yaml:98 int_mention_baselines",
      "definitions/outputs/entity_risk_training_data.test.yaml:7 entity_risk_training_data",
      "definitions/outputs/entity_risk_training_data.test.yaml:34 entity_risk_training_data",
      "definitions/outputs/fred_indicators.test.yaml:5 fred_indicators",
      "definitions/outputs/fred_indicators.test.yaml:15 fred_indicators",
      "definitions/outputs/mention_spikes.test.yaml:7 mention_spikes",
      "definitions/outputs/mention_spikes.test.yaml:16 mention_spikes",
      "definitions/outputs/un_comtrade.test.yaml:5 un_comtrade",
      "definitions/outputs/world_bank.test.yaml:5 world_bank",
    ]);
    expect(lines.at(-1)).toMatch(/^12 passed in \d+ ms$/);
    expect(code).toBe(0);
  }, 120_000);

  it("--models runs only those models' tests; --json gives each case's outcome", async () => {
    const { code, out } = await vwatchTest({}, "--models", "mention_spikes,world_bank", "--json");
    const report = JSON.parse(out) as { code: number; results: { file: string; line: number; status: string; rows: number }[] };
    expect(report.results.map((r) => [r.file, r.line, r.status, r.rows])).toEqual([
      [SPIKES, 7, "pass", 1],
      [SPIKES, 16, "pass", 3],
      ["definitions/outputs/world_bank.test.yaml", 5, "pass", 3],
    ]);
    expect([code, report.code]).toEqual([0, 0]);
  }, 60_000);

  it("a wrong expectation exits 1 with the different, missing and unexpected rows column by column", async () => {
    const wrong = ownFile(SPIKES)
      // Case at line 16: the kept spike's z_score (line 32) and the new spike (line 34).
      .replace("z_score: 2.5, confidence_level: MEDIUM, detected_at", "z_score: 2.4, confidence_level: MEDIUM, detected_at")
      .replace(`{event_id: 2, spike_date: "2024-01-08", mention_count: 6, z_score: 5, confidence_level: HIGH}`, `{event_id: 4, spike_date: "2024-01-09"}`);
    const { code, out } = await vwatchTest({ [SPIKES]: wrong }, "--models", "mention_spikes");
    expect(code).toBe(1);
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^PASS  definitions\/outputs\/mention_spikes\.test\.yaml:7 /);
    expect(lines[1]).toMatch(/^FAIL  definitions\/outputs\/mention_spikes\.test\.yaml:16 mention_spikes: an incremental run keeps when a re-detected spike was first detected \(\d+ ms\)$/);
    expect(lines.slice(2, -2)).toEqual([
      `  different row (${SPIKES}:32): {event_id: 1, spike_date: 2024-01-05, mention_count: 4, baseline_avg: 1.5, baseline_stddev: 0.5, confidence_level: MEDIUM, detected_at: 2024-01-05T06:00:00.000Z}`,
      "      z_score: expected 2.4, got 2.5",
      `  missing row (${SPIKES}:34): {event_id: 4, spike_date: 2024-01-09}`,
    ]);
    // Shown with the columns the expected rows list; its detected_at is the run's time.
    expect(lines.at(-2)).toMatch(/^  unexpected row: \{event_id: 2, spike_date: 2024-01-08, mention_count: 6, baseline_avg: 1, baseline_stddev: 0, z_score: 5, confidence_level: HIGH, detected_at: \d{4}-\d\d-\d\dT[\d:.]+Z\}$/);
    expect(lines.at(-1)).toMatch(/^1 passed, 1 failed in \d+ ms$/);
  }, 60_000);
});
