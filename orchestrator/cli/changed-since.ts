/**
 * `vwatch run --changed-since REF`: the actions whose compiled SQL or configuration changed since
 * REF (added or modified; see cli/changes.ts) and everything downstream of them, as Dataform's
 * `--actions … --include-dependents` selects them: what they read is not added (unless
 * --include-deps), so it must be in the warehouse already. --tags and --actions narrow the
 * selection (the intersection), so CI can check one part of a change.
 */
import { log } from "../log";
import type { Selection } from "../plan/select";
import type { Session } from "../run/session";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The selection to run, or undefined when nothing is to run (said on stderr; the command exits 0). */
export async function selectChanged(session: Session, ref: string, request: Selection & { vars?: Record<string, string> }): Promise<Selection | undefined> {
  const [{ compileChanges, changedActionNames }, { selectActions }] = await Promise.all([import("./changes"), import("../plan/select")]);
  const { diff, head, commit } = await compileChanges(session, ref, request.vars, undefined, "--changed-since");
  const since = `since ${ref} (${commit.slice(0, 7)})`;
  const changed = changedActionNames(diff);
  if (!changed.length) {
    const removed = diff.changes.filter((c) => c.change === "removed").map((c) => c.name.split(".").pop());
    const only = removed.length ? `; only removed: ${removed.join(", ")} (their tables stay in the warehouse)` : "";
    log.info(`no action changed ${since}${only}; nothing to run`);
    return undefined;
  }
  let names = selectActions(head, { actions: changed, includeDependents: true });
  const narrowed = Boolean(request.tags?.length || request.actions?.length);
  if (narrowed) {
    const wanted = selectActions(head, { tags: request.tags, actions: request.actions });
    names = new Set([...names].filter((n) => wanted.has(n)));
  }
  const downstream = names.size - changed.filter((n) => names.has(n)).length;
  if (!names.size) {
    log.info(`${plural(changed.length, "action")} changed ${since}, none of them or what reads them matches --tags/--actions; nothing to run`);
    return undefined;
  }
  log.info(`${plural(changed.length, "action")} changed ${since}; running ${plural(names.size, "action")} (${downstream} downstream${narrowed ? ", narrowed by --tags/--actions" : ""})`);
  return { actions: [...names], tags: undefined, includeDependents: false, includeDeps: request.includeDeps };
}
