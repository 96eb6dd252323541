import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatTable, log } from "../orchestrator/log";
import { median, type Figure } from "./util";

/**
 * CLI start: `vwatch --help` and a no-op command, each as a new (cold) node process, as a user
 * types them; the median of several. The no-op command is `vwatch explain` on a home where
 * nothing is built: it parses its arguments, reads the configuration, finds nothing to explain
 * and exits 2, so its time is the CLI's start and nothing else.
 */
const root = path.join(__dirname, "..");
const bin = path.join(root, "bin", "vwatch.js");

export function benchCliStart(repeats = 7): Figure[] {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-bench-cli-"));
  try {
    const empty = path.join(home, "nothing-built");
    const commands = [
      { name: "vwatch --help", args: ["--help"], code: 0, goal: 0.3 },
      { name: "vwatch explain, nothing built (no-op)", args: ["--home", empty, "explain", "1", "2024-01-01"], code: 2, goal: 0.5 },
    ];
    timed(bin, commands[0].args); // the first process after an edit transpiles; measure the steady state
    const figures = commands.map((c) => {
      const seconds = Array.from({ length: repeats }, () => timed(bin, c.args, c.code));
      return { name: `CLI start: ${c.name}, cold process`, value: median(seconds), unit: "s" as const, goal: c.goal, note: `median of ${repeats}`, runs: seconds };
    });
    log.out(formatTable(["command (new process each time)", "median s", "runs s"], figures.map((f) => [f.name, f.value.toFixed(3), f.runs.map((s) => s.toFixed(2)).join(" ")])));
    return figures.map(({ runs: _, ...f }) => f);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function timed(script: string, args: string[], code?: number): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (code !== undefined && r.status !== code) throw new Error(`vwatch ${args.join(" ")} exited ${r.status}, expected ${code}:\n${r.stderr}`);
  return seconds;
}

if (require.main === module) benchCliStart();
