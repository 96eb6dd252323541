import { InputError } from "../errors";
import { compileProject } from "./compile";
import { loadVarSchema, type VarSchema } from "./var-schema";

/**
 * Checks vars given on top of workflow_settings.yaml (--vars, or a run's vars replayed from
 * run_results.json) before anything compiles or runs: every key must be a var of the project
 * and every value must follow its declared rule. `source` says where they came from, in errors.
 */
export function checkVars(projectDir: string, vars: Record<string, string> | undefined, source: string): void {
  if (!vars || Object.keys(vars).length === 0) return;
  const schema = loadVarSchema(projectDir);
  checkVarNames(projectDir, Object.keys(vars), source, schema);
  for (const [name, value] of Object.entries(vars)) {
    const problem = schema?.check(name, value);
    if (problem) throw new InputError(`${source}: ${problem}`);
  }
}

/** Refuses a name that is not a var of the project, listing the known vars and the nearest one. */
export function checkVarNames(projectDir: string, names: string[], source: string, schema = loadVarSchema(projectDir)): void {
  if (names.length === 0) return;
  const known = schema ? schema.names() : settingsVarNames(projectDir);
  for (const name of names) {
    if (known.includes(name)) continue;
    const near = nearest(name, known);
    throw new InputError(`${source}: unknown var "${name}"; ${near ? `did you mean ${near}? ` : ""}known vars: ${known.join(", ")}`);
  }
}

/** Where a run's vars replayed from the home folder come from, for `checkVars`. */
export const replayedVars = (resultsPath: string) => `the last run's vars (${resultsPath})`;

/**
 * Whether a var changes what a model computes (its schema says; without one, every var but
 * as_of, the scored day vwatch itself pins).
 */
export function isLogicVar(schema: VarSchema | undefined, name: string): boolean {
  return schema?.describe(name)?.logic ?? name !== "as_of";
}

/** Without a schema, the known vars are those of workflow_settings.yaml (core reads them; nothing is cached). */
function settingsVarNames(projectDir: string): string[] {
  return Object.keys(compileProject({ projectDir }).projectConfig.vars ?? {});
}

/** The known name closest to a mistyped one by edit distance, when it is close enough to be a typo. */
export function nearest(name: string, known: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { name: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}
