import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { writeMentionFiles } from "../../orchestrator/generate/mention-files";
import { runCli } from "../helpers/cli";
import { tempHome } from "../helpers/project";

// `vwatch generate mentions` checks every argument before it creates anything: a bad one is one
// line naming the flag and what was typed (exit 2), and the output folder is not created.

const GOOD = ["--events", "410415546,410417499", "--days", "5", "--end", "2015-02-22", "--seed", "7", "--rows-per-day", "20"];

function withArg(flag: string, value: string): string[] {
  const args = [...GOOD];
  const i = args.indexOf(flag);
  if (i >= 0) args[i + 1] = value;
  else args.push(flag, value);
  return args;
}

describe("vwatch generate mentions with bad arguments", () => {
  it.each([
    ["--days", "0", '--days must be a whole number of days >= 1, got "0"'],
    ["--days", "1.5", '--days must be a whole number of days >= 1, got "1.5"'],
    ["--days", "ten", '--days must be a whole number of days >= 1, got "ten"'],
    ["--end", "2025-02-30", '--end must be a date YYYY-MM-DD, got "2025-02-30"'],
    ["--rows-per-day", "0", '--rows-per-day must be a number > 0, got "0"'],
    ["--rows-per-day", "1e999", '--rows-per-day must be a number > 0, got "1e999"'],
    ["--rows-per-day", "many", '--rows-per-day must be a number > 0, got "many"'],
    ["--seed", "", "--seed must not be empty"],
    ["--per", "week", '--per must be 15min or day, got "week"'],
    ["--events", "12x", 'not an event id or a range a..b: "12x"'],
  ])("%s %s: one line, exit 2, no output folder", async (flag, value, message) => {
    const out = path.join(tempHome(), "out");
    const r = await runCli(["generate", "mentions", ...withArg(flag, value), "--out", out]);
    expect(r.err).toBe(`error: ${message}\n`);
    expect(r.code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("--out naming a file: one line, exit 2", async () => {
    const out = path.join(tempHome(), "a-file");
    fs.writeFileSync(out, "x");
    const r = await runCli(["generate", "mentions", ...GOOD, "--out", out]);
    expect(r.err).toBe(`error: --out ${out} is a file, not a folder\n`);
    expect(r.code).toBe(2);
  });

  it("the generator itself refuses a bad spec before creating the folder", async () => {
    const out = path.join(tempHome(), "out");
    await expect(writeMentionFiles({ events: [{ id: 1 }], days: 0, end: "2015-02-22", seed: 1 }, { outDir: out, per: "day" })).rejects.toThrow(/--days/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("good arguments still write the files", async () => {
    const out = path.join(tempHome(), "out");
    const r = await runCli(["generate", "mentions", ...GOOD, "--out", out]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out)).toContain("SYNTHETIC.md");
  });
});
