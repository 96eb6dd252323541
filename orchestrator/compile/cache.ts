import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { compileProject, listProjectFiles, type CompileOptions } from "./compile";
import type { CompiledGraph } from "./graph";

const KEEP = 20;

/** Every file core executes or reads: definitions/**, includes/*, workflow_settings.yaml. */
function inputs(projectDir: string): string[] {
  const sources = listProjectFiles(projectDir).filter((f) => f.startsWith("definitions/") || f.startsWith("includes/"));
  return [...sources, "workflow_settings.yaml"];
}

function key(options: CompileOptions): string {
  const hash = createHash("sha256");
  const core = path.join(options.projectDir, "node_modules", "@dataform", "core", "package.json");
  hash.update(fs.existsSync(core) ? fs.readFileSync(core) : "");
  hash.update(JSON.stringify(options.projectConfigOverride ?? {}));
  for (const file of inputs(options.projectDir)) {
    const full = path.join(options.projectDir, file);
    hash.update(`\0${file}\0`);
    if (fs.existsSync(full)) hash.update(fs.readFileSync(full));
  }
  return hash.digest("hex").slice(0, 32);
}

/**
 * Compiling is deterministic in the project's SQLX/JS/settings, the vars and the core version,
 * so a graph without errors is kept in `cacheDir` and reused while none of those change.
 */
export function compileCached(options: CompileOptions, cacheDir: string): CompiledGraph {
  const file = path.join(cacheDir, `${key(options)}.json`);
  if (fs.existsSync(file)) {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as CompiledGraph;
    } catch {
      // a damaged entry: compile again and overwrite it
    }
  }
  const graph = compileProject(options);
  if (!graph.graphErrors?.compilationErrors?.length) {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(graph));
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
    const entries = fs.readdirSync(cacheDir).filter((n) => n.endsWith(".json"));
    if (entries.length > KEEP) {
      const byAge = entries.map((n) => ({ n, t: fs.statSync(path.join(cacheDir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
      for (const { n } of byAge.slice(0, entries.length - KEEP)) fs.rmSync(path.join(cacheDir, n), { force: true });
    }
  }
  return graph;
}
