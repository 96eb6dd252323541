import * as path from "path";
import type { Config } from "../config";
import { CompileError } from "../errors";
import { compileCached } from "./cache";
import { sourceLine } from "./compile";
import type { CompiledGraph } from "./graph";
import { rootErrorLines } from "./root-errors";
import { checkVars } from "./vars";

/**
 * Compiles with `vars` applied on top of workflow_settings.yaml's vars, after checking them
 * against the project's var schema (`source` names where they came from in errors). Graphs are
 * cached under the home folder; a graph with errors is a CompileError naming each root error once.
 */
export function compileWithVars(config: Pick<Config, "projectDir" | "home">, vars?: Record<string, string>, source = "--vars"): CompiledGraph {
  checkVars(config.projectDir, vars, source);
  const options = { projectDir: config.projectDir, projectConfigOverride: vars ? { vars } : undefined };
  const graph = compileCached(options, path.join(config.home, "compiled"));
  const errors = graph.graphErrors?.compilationErrors ?? [];
  if (errors.length) {
    throw new CompileError(
      ["compilation failed:", ...rootErrorLines(errors, (e) => location(config.projectDir, e)).map((line) => `  ${line}`)].join("\n"),
      errors.map((e) => ({ file: e.fileName ?? "?", message: e.message ?? "" })),
    );
  }
  return graph;
}

function location(projectDir: string, e: { fileName?: string; stack?: string; message?: string }): string {
  if (!e.fileName) return "?";
  const line = sourceLine(projectDir, e.fileName, `${e.message ?? ""}\n${e.stack ?? ""}`);
  return line ? `${e.fileName}:${line}` : e.fileName;
}
