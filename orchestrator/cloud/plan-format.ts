/** The deploy plan as people read it, and as --json prints it. Pure. */
import type { Applied } from "./deploy-apply";
import type { DeployPlan, PlanItem } from "./deploy-plan";

const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));

/** One line per resource, then one indented line per field: `field: old → new` (a create lists its values). */
export function formatPlan(plan: DeployPlan): string[] {
  const lines: string[] = [];
  for (const item of plan.items) {
    lines.push(`${item.kind} ${item.id}: ${item.action === "delete" ? "delete (created by vwatch, no longer in vwatch.yaml)" : item.action}`);
    for (const c of item.changes) lines.push(item.action === "create" ? `  ${c.field}: ${show(c.new)}` : `  ${c.field}: ${show(c.old)} → ${show(c.new)}`);
  }
  for (const s of plan.stale) lines.push(`${s.kind} ${s.id}: kept (created by vwatch, no longer in vwatch.yaml; vwatch deploy --prune deletes it)`);
  return lines;
}

export function countActions(items: Pick<PlanItem, "action">[]): Record<PlanItem["action"], number> {
  const counts = { create: 0, update: 0, unchanged: 0, delete: 0 };
  for (const i of items) counts[i.action]++;
  return counts;
}

export function summaryLine(plan: DeployPlan, dryRun: boolean): string {
  const c = countActions(plan.items);
  const parts = `${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged${c.delete ? `, ${c.delete} to delete` : ""}`;
  if (dryRun) return `dry run: ${parts}; nothing written`;
  if (!c.create && !c.update && !c.delete) return `nothing to deploy: ${c.unchanged} unchanged`;
  return `deployed: ${c.create} created, ${c.update} updated, ${c.unchanged} unchanged${c.delete ? `, ${c.delete} deleted` : ""}`;
}

/** What --json prints: the plan, and what was applied (empty for a dry run). */
export function planJson(plan: DeployPlan, applied: Applied[], dryRun: boolean): unknown {
  return {
    dryRun,
    plan: plan.items.map(({ body: _body, ...item }) => item),
    stale: plan.stale,
    applied,
  };
}
