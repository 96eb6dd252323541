/**
 * Whether a change forces a full refresh of an incremental table: a merge or insert into the
 * existing table cannot give what the new definition builds when the table's output columns
 * changed (added, removed or retyped: BigQuery's MERGE writes the table's columns, and the
 * existing rows lack the new ones), its unique key changed (the merge would match on other
 * columns than the rows were written with), or its partitioning changed (the existing table
 * keeps the old one). Pure: the output columns of each side come from the caller (ZetaSQL's
 * analysis of each side's compiled graph, cli/diff-columns.ts).
 */
import type { Column } from "../warehouse/warehouse";
import type { ActionView, GraphDiff } from "./graph-diff";

export interface FullRefreshVerdict {
  name: string;
  /** yes: rebuild it (`--full-refresh`); no: a merge gives the new definition; unknown: could not tell (see reasons). */
  fullRefresh: "yes" | "no" | "unknown";
  reasons: string[];
  /** A protected table is never rebuilt by vwatch; the verdict still says what the change needs. */
  protected?: boolean;
  /**
   * The changed logic vars that reach it, with the base's values it was built with: `vwatch run`
   * refuses to merge into it until the change is accepted or it is rebuilt (cli/diff-vars.ts).
   */
  builtWith?: { name: string; value: string }[];
  /** What that means for the next run, in a sentence. */
  varChange?: string;
}

/** Each side's output columns by action name, or why they are not known. */
export interface SideColumns {
  columns: Map<string, Column[]>;
  /** Why an action's columns are missing, when known (e.g. the side did not analyze). */
  missing?: (name: string) => string | undefined;
}

/** "+a STRING, -b, c: INT64 → STRING"; "" when the column lists match by name and type. */
export function columnChanges(before: Column[], after: Column[]): string {
  const old = new Map(before.map((c) => [c.name.toLowerCase(), c]));
  const now = new Map(after.map((c) => [c.name.toLowerCase(), c]));
  const out: string[] = [];
  for (const c of after) if (!old.has(c.name.toLowerCase())) out.push(`+${c.name} ${c.type}`);
  for (const c of before) if (!now.has(c.name.toLowerCase())) out.push(`-${c.name}`);
  for (const c of after) {
    const o = old.get(c.name.toLowerCase());
    if (o && o.type !== c.type) out.push(`${c.name}: ${o.type} → ${c.type}`);
  }
  return out.join(", ");
}

/**
 * A verdict for every incremental table the change reaches (modified, or downstream of a change)
 * that was incremental at the base too: a new incremental table is simply created.
 */
export function fullRefreshVerdicts(diff: GraphDiff, base: Map<string, ActionView>, head: Map<string, ActionView>, columns?: { base: SideColumns; head: SideColumns }): FullRefreshVerdict[] {
  const reached = [...diff.changes.filter((c) => c.change === "modified").map((c) => c.name), ...diff.downstream.map((d) => d.name)];
  const verdicts: FullRefreshVerdict[] = [];
  for (const name of [...head.keys()].filter((n) => reached.includes(n))) {
    const now = head.get(name)!;
    const old = base.get(name);
    if (now.type !== "incremental" || old?.type !== "incremental") continue;
    const reasons: string[] = [];
    for (const field of ["uniqueKey", "partitionBy"]) {
      if (old.fields[field] !== now.fields[field]) reasons.push(`${field} changed: ${old.fields[field] ?? "(none)"} → ${now.fields[field] ?? "(none)"}`);
    }
    let unknown: string | undefined;
    const before = columns?.base.columns.get(name);
    const after = columns?.head.columns.get(name);
    if (before && after) {
      const changed = columnChanges(before, after);
      if (changed) reasons.push(`columns changed: ${changed}`);
    } else {
      const side = !before ? "base" : "head";
      const why = columns ? (columns[side].missing?.(name) ?? "they were not analyzed") : "they were not analyzed";
      unknown = `output columns unknown at the ${side}: ${why}`;
    }
    const verdict: FullRefreshVerdict = { name, fullRefresh: reasons.length ? "yes" : unknown ? "unknown" : "no", reasons: reasons.length || !unknown ? reasons : [unknown] };
    if (now.fields.protected) verdict.protected = true;
    verdicts.push(verdict);
  }
  return verdicts;
}
