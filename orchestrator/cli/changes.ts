/**
 * The two sides of a change: the project compiled at a Git ref (a temporary worktree) and as the
 * working tree has it (uncommitted edits included), both with the same --vars over each side's
 * own workflow_settings.yaml; and what differs. Shared by `vwatch diff` and `run --changed-since`.
 */
import type { CompiledGraph } from "../compile/graph";
import type { Config } from "../config";
import { CompileError } from "../errors";
import type { GraphDiff } from "../plan/graph-diff";
import type { Session } from "../run/session";

export interface Changes {
  ref: string;
  commit: string;
  base: CompiledGraph;
  head: CompiledGraph;
  diff: GraphDiff;
}

/** A side that does not compile: exit 2, the side named, then core's errors (file:line: message). */
function sideError(side: string, e: unknown): unknown {
  if (!(e instanceof CompileError)) return e;
  return new CompileError(e.message.replace(/^compilation failed:/, `${side} does not compile:`), e.problems);
}

/**
 * Compiles both sides and diffs them. `atBase`, when given, runs while the ref's checkout still
 * exists (with its project folder), for work that reads the base's files.
 */
export async function compileChanges<T = undefined>(
  session: Session,
  ref: string,
  vars: Record<string, string> | undefined,
  atBase?: (changes: Changes, baseDir: string) => Promise<T>,
  /** The flag that named the ref, for errors. */
  flag = "--base",
): Promise<Changes & { extra?: T }> {
  const [{ withRefCheckout }, { compileWithVars }, { diffGraphs }] = await Promise.all([import("../compile/at-ref"), import("../compile/with-vars"), import("../plan/graph-diff")]);
  let head: CompiledGraph;
  try {
    head = session.graph(vars);
  } catch (e) {
    throw sideError("the working tree", e);
  }
  return withRefCheckout(session.config.projectDir, ref, async (checkout) => {
    let base: CompiledGraph;
    try {
      const baseConfig: Pick<Config, "projectDir" | "home"> = { projectDir: checkout.projectDir, home: session.config.home };
      base = compileWithVars(baseConfig, vars, "--vars");
    } catch (e) {
      throw sideError(`the base (${ref})`, e);
    }
    const changes: Changes = { ref, commit: checkout.commit, base, head, diff: diffGraphs(base, head) };
    return { ...changes, extra: atBase ? await atBase(changes, checkout.projectDir) : undefined };
  }, flag);
}

/** The added and modified actions that run (not declarations), by name. */
export function changedActionNames(diff: GraphDiff): string[] {
  return diff.changes.filter((c) => c.change !== "removed" && c.type !== "declaration").map((c) => c.name);
}
