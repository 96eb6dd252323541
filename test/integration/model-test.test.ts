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
      "definitions/intermediate/int_mentions_counted_daily.test.yaml:7 int_mentions_counted_daily",
      "definitions/intermediate/int_mentions_counted_daily.test.yaml:29 int_mentions_counted_daily",
      "definitions/outputs/entity_risk_training_data.test.yaml:7 entity_risk_training_data",
      "definitions/outputs/entity_risk_training_data.test.yaml:34 entity_risk_training_data",
      "definitions/outputs/fred_indicators.test.yaml:5 fred_indicators",
      "definitions/outputs/fred_indicators.test.yaml:15 fred_indicators",
      "definitions/outputs/mention_spikes.test.yaml:7 mention_spikes",
      "definitions/outputs/mention_spikes.test.yaml:16 mention_spikes",
      "definitions/outputs/un_comtrade.test.yaml:5 un_comtrade",
      "definitions/outputs/world_bank.test.yaml:5 world_bank",
    ]);
    expect(lines.at(-1)).toMatch(/^14 passed in \d+ ms$/);
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

describe("vwatch test tolerance", () => {
  it("a file's tolerance lets numbers differ that much relative to the expected value", async () => {
    const near = ownFile(SPIKES).replace("z_score: 2.5, confidence_level: MEDIUM, detected_at", "z_score: 2.4, confidence_level: MEDIUM, detected_at");
    // |2.5 - 2.4| = 0.1 <= 0.05 * 2.4 = 0.12, but > 0.04 * 2.4 = 0.096.
    const pass = await vwatchTest({ [SPIKES]: near.replace("model: mention_spikes\n", "model: mention_spikes\ntolerance: 0.05\n") }, "--models", "mention_spikes");
    expect(pass.out.trim().split("\n").at(-1)).toMatch(/^2 passed in \d+ ms$/);
    expect(pass.code).toBe(0);
    const fail = await vwatchTest({ [SPIKES]: near.replace("model: mention_spikes\n", "model: mention_spikes\ntolerance: 0.04\n") }, "--models", "mention_spikes");
    expect(fail.out).toContain("      z_score: expected 2.4, got 2.5\n");
    expect(fail.code).toBe(1);
  }, 60_000);
});

describe("vwatch test on bad test files", () => {
  const BAD = "definitions/outputs/bad.test.yaml";
  const file = (lines: string[]) => ({ [BAD]: lines.join("\n") + "\n" });
  const good = [
    "model: fred_indicators",
    "cases:",
    "  - name: one observation",
    "    given:",
    "      fred_observations:",
    '        - {series_id: X, date: "2024-01-02", value: 1.5}',
    "    expect: [{series_id: X, value: 1.5}]",
  ];
  const edit = (line: number, text: string) => file(good.map((l, i) => (i + 1 === line ? text : l)));

  it.each([
    ["an unknown model", edit(1, "model: fred_indicatorz"), `${BAD}:1: unknown model "fred_indicatorz"`],
    ["an unknown column of an input", edit(6, '        - {series_id: X, date: "2024-01-02", valu: 1.5}'), `${BAD}:6: unknown column "valu" of fred_observations; its columns are series_id, date, value, series_name, units, source_file, loaded_at`],
    ["an unknown column of the model", edit(7, "    expect: [{series_id: X, val: 1.5}]"), `${BAD}:7: unknown column "val" of fred_indicators (expect); its columns are series_id, date, value, series_name, units`],
    ["a number that is not one", edit(6, '        - {series_id: X, date: "2024-01-02", value: abc}'), `${BAD}:6: value of fred_observations is FLOAT64; "abc" is not a FLOAT64`],
    ["a date that is not one", edit(6, '        - {series_id: X, date: "2024-02-30", value: 1.5}'), `${BAD}:6: date of fred_observations is DATE; "2024-02-30" is not a DATE`],
    ["an expected value of the wrong type", edit(7, "    expect: [{series_id: X, date: soon}]"), `${BAD}:7: date of fred_indicators (expect) is DATE; "soon" is not a DATE`],
    ["an input not given", file([...good.slice(0, 4), "      {}", good[6]]), `${BAD}:3: case "one observation" does not give fred_observations, an input of fred_indicators; list its rows under given: ([] for none)`],
    ["a table that is not an input", file([...good.slice(0, 6), "      world_bank_observations: []", good[6]]), `${BAD}:7: "world_bank_observations" is not an input of fred_indicators; it reads fred_observations`],
    ["incremental: true on a table", file([...good.slice(0, 3), "    incremental: true", ...good.slice(3)]), `${BAD}:3: fred_indicators is not an incremental model; remove \`incremental: true\``],
    ["an unknown var", file([good[0], "vars: {z_treshold: \"3\"}", ...good.slice(1)]), `${BAD}:2 vars: unknown var "z_treshold"; did you mean z_threshold?`],
    ["a case without expect", file(good.slice(0, 6)), `${BAD}:3: a case needs \`expect:\``],
    ["an unknown key", edit(7, "    expected: []"), `${BAD}:7: unknown key "expected" in a case`],
    ["YAML that is not YAML", edit(6, "        - {series_id: X, date: [}"), `${BAD}:6: not valid YAML`],
  ])("%s: exit 2 naming the file and line", async (_what, files, message) => {
    // The unknown model's test is selected by its own (unknown) name.
    const { code, out } = await vwatchTest(files, "--models", message.includes("fred_indicatorz") ? "fred_indicatorz" : "fred_indicators");
    expect(out.split("\n").find((l) => l.startsWith("ERROR "))).toContain(`ERROR ${message}`);
    expect(out.trim().split("\n").at(-1)).toMatch(/1 refused \(bad test file\) in \d+ ms$/);
    expect(code).toBe(2);
  }, 60_000);
});

describe("the official Dataform compile", () => {
  it("ignores model test files, even ones that are neither valid YAML nor JavaScript", () => {
    const officialCli = path.join(repoRoot, "node_modules", ".bin", "dataform");
    const compile = (dir: string) => JSON.parse(execFileSync(officialCli, ["compile", dir, "--json", "--timeout", "120s"], { encoding: "utf8", maxBuffer: 64 << 20 }));
    // Without dataformCoreVersion the official CLI wants a package.json naming core (as test/conformance/official.ts stages it).
    const core = JSON.parse(ownFile("node_modules/@dataform/core/package.json")).version as string;
    const pkg = { "package.json": JSON.stringify({ private: true, dependencies: { "@dataform/core": core } }) };
    const withTests = copyOwnProject({ ...pkg, "definitions/outputs/broken.test.yaml": "model: [\n  {{ not yaml\n" });
    const without = copyOwnProject(pkg);
    try {
      for (const f of execFileSync("find", [path.join(without, "definitions"), "-name", "*.test.yaml"], { encoding: "utf8" }).split("\n").filter(Boolean)) fs.rmSync(f);
      expect(fs.readdirSync(path.join(withTests, "definitions", "outputs")).filter((f) => f.endsWith(".test.yaml")).length).toBeGreaterThan(3);
      const a = compile(withTests);
      const b = compile(without);
      expect(a.graphErrors ?? {}).toEqual({});
      const files = (g: { tables: { fileName: string }[]; declarations: { fileName: string }[]; assertions: { fileName: string }[] }) =>
        [...g.tables, ...g.declarations, ...g.assertions].map((x) => x.fileName).sort();
      expect(files(a)).toEqual(files(b));
      expect(files(a).filter((f) => !f.endsWith(".sqlx"))).toEqual([]);
    } finally {
      fs.rmSync(withTests, { recursive: true, force: true });
      fs.rmSync(without, { recursive: true, force: true });
    }
  }, 120_000);
});
