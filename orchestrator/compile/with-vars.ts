import * as path from "path";
import type { Config } from "../config";
import { CompileError } from "../errors";
import { compileCached } from "./cache";
import { sourceLine } from "./compile";
import type { CompiledGraph } from "./graph";
import { rootErrorLines } from "./root-errors";
import { checkVars } from "./vars";

/** Overrides of workflow_settings.yaml other than vars, as a release config's code compilation config sets them (core's ProjectConfig fields). */
export interface ProjectOverrides {
  defaultDatabase?: string;
  defaultSchema?: string;
  defaultLocation?: string;
  assertionSchema?: string;
  databaseSuffix?: string;
  schemaSuffix?: string;
  tablePrefix?: string;
}

/**
 * Compiles with `vars` applied on top of workflow_settings.yaml's vars, after checking them
 * against the project's var schema (`source` names where they came from in errors). Graphs are
 * cached under the home folder; a graph with errors is a CompileError naming each root error once.
 */
export function compileWithVars(config: Pick<Config, "projectDir" | "home">, vars?: Record<string, string>, source = "--vars", overrides?: ProjectOverrides): CompiledGraph {
  checkVars(config.projectDir, vars, source);
  const override = { ...(overrides ?? {}), ...(vars ? { vars } : {}) };
  const options = { projectDir: config.projectDir, projectConfigOverride: Object.keys(override).length ? override : undefined };
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
