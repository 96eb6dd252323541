/**
 * The scheduled queries part of `vwatch deploy`: each entry of production.scheduledQueries rendered
 * as one BigQuery script (checked: its location against the datasets' and the EXTERNAL_QUERY
 * connections'), the configs of the locations named read, the plan made (transfer-plan.ts) and
 * applied: create, patch with the plan's mask, delete; nothing for an unchanged config.
 */
import { ConfigError, InputError } from "../errors";
import type { DeploySettings } from "./settings";
import type { TransferApi } from "./transfer-api";
import { desiredTransfer, planTransfers, type TransferPlanItem } from "./transfer-plan";
import type { ScheduledQuerySettings } from "./settings-schema";

export interface TransferPlan {
  items: TransferPlanItem[];
  stale: { id: string; name: string }[];
}

export interface RenderedQuery {
  script: string;
  /** The project's default location (where its datasets are), e.g. US. */
  defaultLocation?: string;
}

/** Renders each entry's script; a bad selection or location is a ConfigError at its vwatch.yaml line. */
export async function renderScheduledQueries(settings: DeploySettings, render: (q: ScheduledQuerySettings) => Promise<RenderedQuery>): Promise<string[]> {
  const scripts: string[] = [];
  const problems: string[] = [];
  for (const [i, q] of (settings.production.scheduledQueries ?? []).entries()) {
    const at = (key: string) => `${settings.where(["production", "scheduledQueries", i, key])}: production.scheduledQueries[${i}].${key}`;
    let rendered: RenderedQuery;
    try {
      rendered = await render(q);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(`${at(q.actions.length ? "actions" : "tags")}: ${e.message.replace(/^--actions:? ?/, "")}`);
      continue;
    }
    const datasets = rendered.defaultLocation?.toLowerCase();
    if (datasets && datasets !== q.location) problems.push(`${at("location")}: "${q.location}" but the project's datasets are in ${rendered.defaultLocation} (defaultLocation): a scheduled query runs where its datasets are; write location: ${datasets}`);
    for (const m of rendered.script.matchAll(/EXTERNAL_QUERY\(\s*["']([\w-]+)\.([\w-]+)\.([\w-]+)["']/gi)) {
      if (m[2].toLowerCase() !== q.location) problems.push(`${at("location")}: "${q.location}" but EXTERNAL_QUERY reads through the connection ${m[1]}.${m[2]}.${m[3]}, in ${m[2]}: a query and its connection must be in the same location`);
    }
    scripts.push(rendered.script);
  }
  if (problems.length) throw new ConfigError([...new Set(problems)].join("\n"));
  return scripts;
}

export async function planScheduledQueries(settings: DeploySettings, scripts: string[], api: TransferApi, prune: boolean): Promise<TransferPlan> {
  const p = settings.production;
  const desired = (p.scheduledQueries ?? []).map((q, i) => desiredTransfer(p.project, q, scripts[i]));
  // --prune looks where the file's scheduled queries are, and in the default location us.
  const parents = [...new Set([...desired.map((d) => d.parent), ...(prune ? [`projects/${p.project}/locations/us`] : [])])];
  const existing = (await Promise.all(parents.map((parent) => api.listScheduledQueries(parent)))).flat() as Record<string, any>[];
  return planTransfers(desired, existing, { prune, where: (i) => settings.where(["production", "scheduledQueries", i, "name"]) });
}

export async function applyTransferPlan(api: TransferApi, plan: TransferPlan, onApplied: (item: TransferPlanItem) => void = () => {}): Promise<TransferPlanItem[]> {
  const applied: TransferPlanItem[] = [];
  for (const item of plan.items) {
    if (item.action === "unchanged") continue;
    if (item.action === "create") await api.createTransferConfig(item.name, item.body!, item.serviceAccount);
    else if (item.action === "update") await api.updateTransferConfig(item.body!, item.updateMask, item.serviceAccount);
    else await api.deleteTransferConfig(item.name);
    applied.push(item);
    onApplied(item);
  }
  return applied;
}

export function transferSummary(plan: TransferPlan, dryRun: boolean): string {
  const c = { create: 0, update: 0, unchanged: 0, delete: 0 };
  for (const i of plan.items) c[i.action]++;
  const parts = `${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged${c.delete ? `, ${c.delete} to delete` : ""}`;
  if (dryRun) return `scheduled queries, dry run: ${parts}; nothing written`;
  if (!c.create && !c.update && !c.delete) return `scheduled queries: nothing to deploy: ${c.unchanged} unchanged`;
  return `scheduled queries deployed: ${c.create} created, ${c.update} updated, ${c.unchanged} unchanged${c.delete ? `, ${c.delete} deleted` : ""}`;
}
