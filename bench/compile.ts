import { execFileSync } from "child_process";
import * as path from "path";
import { compileProject } from "../orchestrator/compile/compile";
import { formatTable, log } from "../orchestrator/log";
import { median } from "./util";

const root = path.join(__dirname, "..");

/** In-process compile (warm, as vwatch does inside one command) vs the official CLI process. */
export function benchCompile(repeats = 5): { ours: number; official: number; ratio: number } {
  compileProject({ projectDir: root }); // warm the module cache, as any vwatch command has by then
  const ours: number[] = [];
  const official: number[] = [];
  for (let i = 0; i < repeats; i++) {
    let t = performance.now();
    compileProject({ projectDir: root });
    ours.push((performance.now() - t) / 1000);
    t = performance.now();
    execFileSync(path.join(root, "node_modules", ".bin", "dataform"), ["compile", root, "--json"], { stdio: "pipe", maxBuffer: 64 << 20 });
    official.push((performance.now() - t) / 1000);
  }
  const result = { ours: median(ours), official: median(official), ratio: median(ours) / median(official) };
  log.out(
    formatTable(
      ["compile", "median s", "vs official"],
      [
        ["vwatch (in-process, warm)", result.ours.toFixed(3), result.ratio.toFixed(2) + "x"],
        ["dataform compile --json", result.official.toFixed(3), "1.00x"],
      ],
    ),
  );
  log.out(`goal: <= 0.5x the official CLI: ${result.ratio <= 0.5 ? "met" : "NOT met"}`);
  return result;
}

if (require.main === module) benchCompile();
