/**
 * `vwatch diff`: the incremental tables a changed logic var reaches. `vwatch run` refuses to merge
 * into an incremental table built with other logic vars (run/var-changes.ts), so a var change
 * whose table needs "no full refresh" still stops the next run. Each table is asked the guard's
 * own question: with the base's value of the var, does the working tree compile the table, or an
 * action it reads, differently? The tables are assumed built at the base, with its values.
 */
import type { CompiledGraph } from "../compile/graph";
import { loadVarSchema } from "../compile/var-schema";
import { isLogicVar } from "../compile/vars";
import type { FullRefreshVerdict } from "../plan/full-refresh";
import type { Session } from "../run/session";
import { varReaches } from "../run/var-changes";
import { varChangeNote } from "./diff-format";

/** The logic vars whose value differs between the two sides (as compiled, --vars included). */
export function changedLogicVars(projectDir: string, base: CompiledGraph, head: CompiledGraph): { name: string; base: string; head: string }[] {
  const schema = loadVarSchema(projectDir);
  const before = base.projectConfig.vars ?? {};
  const after = head.projectConfig.vars ?? {};
  return Object.keys(after)
    .filter((name) => name in before && before[name] !== after[name] && isLogicVar(schema, name))
    .map((name) => ({ name, base: before[name], head: after[name] }));
}

/**
 * Adds `builtWith` (the base's values of the changed vars that reach it) and the sentence saying what the next run does to each verdict of an
 * incremental table. One compile per changed var (cached), none when no logic var changed.
 */
export function addVarChanges(session: Session, base: CompiledGraph, head: CompiledGraph, vars: Record<string, string> | undefined, verdicts: FullRefreshVerdict[]): void {
  const changed = changedLogicVars(session.config.projectDir, base, head);
  if (!changed.length || !verdicts.length) return;
  const alternatives = new Map<string, CompiledGraph | undefined>();
  for (const v of changed) {
    let alternative: CompiledGraph | undefined;
    try {
      alternative = session.graph({ ...(vars ?? {}), [v.name]: v.base });
    } catch {
      alternative = undefined; // the base's value no longer compiles: the var reaches everything
    }
    alternatives.set(v.name, alternative);
  }
  for (const verdict of verdicts) {
    const reaching = changed.filter((v) => varReaches(head, alternatives.get(v.name), verdict.name));
    if (!reaching.length) continue;
    verdict.builtWith = reaching.map((v) => ({ name: v.name, value: v.base }));
    verdict.varChange = varChangeNote(verdict);
  }
}
