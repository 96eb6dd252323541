/**
 * Scheduled queries in the deploy plan: what vwatch.yaml asks for (a Data Transfer config of the
 * `scheduled_query` data source per entry, its query the rendered script) against the configs the
 * service holds: create, update (each changed field, the update mask naming only those), unchanged;
 * with --prune, delete the ones vwatch created that the file no longer names. Pure.
 *
 * Transfer configs have no labels. vwatch marks the ones it manages in their query: the script's
 * first line is MARKER_LINE. A config is matched by display name; one of that name without the
 * marker (made by hand) is never touched: the plan refuses, naming it.
 */
import { ConfigError } from "../errors";
import type { ScheduledQuerySettings } from "./settings-schema";

export const DATA_SOURCE = "scheduled_query";
export const MARKER = "-- vwatch deploy: scheduled query";
export const markerLine = (name: string) => `${MARKER} "${name}" (managed by vwatch deploy; edit vwatch.yaml and the SQLX, not this text)`;

export type Json = Record<string, any>;

export interface DesiredTransfer {
  settings: ScheduledQuerySettings;
  /** projects/P/locations/L */
  parent: string;
  config: { displayName: string; dataSourceId: string; params: { query: string }; schedule: string; disabled: boolean };
  serviceAccount?: string;
}

export interface TransferChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface TransferPlanItem {
  kind: "scheduled query";
  id: string;
  /** The config's name (projects/P/locations/L/transferConfigs/ID), or its parent for a create. */
  name: string;
  action: "create" | "update" | "unchanged" | "delete";
  changes: TransferChange[];
  updateMask: string[];
  body?: Json;
  serviceAccount?: string;
}

export function desiredTransfer(project: string, q: ScheduledQuerySettings, script: string): DesiredTransfer {
  return {
    settings: q,
    parent: `projects/${project}/locations/${q.location}`,
    config: { displayName: q.name, dataSourceId: DATA_SOURCE, params: { query: `${markerLine(q.name)}\n${script}` }, schedule: q.schedule, disabled: q.disabled },
    serviceAccount: q.serviceAccount,
  };
}

export const isManaged = (c: Json) => typeof c.params?.query === "string" && c.params.query.startsWith(MARKER);

/**
 * `existing`: the scheduled_query configs of every location the file names. `where(i)` is the
 * vwatch.yaml line of entry i, for the refusal of a config made by hand.
 */
export function planTransfers(desired: DesiredTransfer[], existing: Json[], options: { prune: boolean; where: (i: number) => string }): { items: TransferPlanItem[]; stale: { id: string; name: string }[] } {
  const items: TransferPlanItem[] = [];
  const problems: string[] = [];
  const claimed = new Set<Json>();
  desired.forEach((d, i) => {
    const same = existing.filter((c) => c.displayName === d.config.displayName && sameLocation(c.name, d.parent));
    const mine = same.filter(isManaged);
    if (same.length > mine.length) {
      problems.push(`${options.where(i)}: production.scheduledQueries[${i}].name: a scheduled query "${d.config.displayName}" exists in ${d.parent} that vwatch did not create (${same.find((c) => !isManaged(c))!.name}); rename one of them, or delete it`);
      return;
    }
    if (mine.length > 1) {
      problems.push(`${options.where(i)}: production.scheduledQueries[${i}].name: ${mine.length} scheduled queries "${d.config.displayName}" marked as vwatch's exist in ${d.parent} (${mine.map((c) => c.name).join(", ")}); delete all but one`);
      return;
    }
    mine.forEach((c) => claimed.add(c));
    items.push(compareTransfer(d, mine[0]));
  });
  if (problems.length) throw new ConfigError(problems.join("\n"));
  const unnamed = existing.filter((c) => isManaged(c) && !claimed.has(c));
  if (options.prune) for (const c of unnamed) items.push({ kind: "scheduled query", id: String(c.displayName), name: String(c.name), action: "delete", changes: [], updateMask: [] });
  return { items, stale: options.prune ? [] : unnamed.map((c) => ({ id: String(c.displayName), name: String(c.name) })) };
}

/** The service may name a config with or without its location: compare what both say. */
export function sameLocation(name: string, parent: string): boolean {
  const m = /^projects\/([^/]+)\/(?:locations\/([^/]+)\/)?transferConfigs\//.exec(name);
  const p = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(parent);
  if (!m || !p) return false;
  return m[1] === p[1] && (m[2] === undefined || m[2].toLowerCase() === p[2].toLowerCase());
}

export function compareTransfer(d: DesiredTransfer, existing: Json | undefined): TransferPlanItem {
  const id = d.config.displayName;
  const want: Record<string, unknown> = { displayName: d.config.displayName, dataSourceId: d.config.dataSourceId, "params.query": d.config.params.query, schedule: d.config.schedule, disabled: d.config.disabled };
  if (!existing) {
    const changes = Object.entries(want).map(([field, v]) => ({ field, old: undefined, new: v }));
    if (d.serviceAccount) changes.push({ field: "serviceAccountName", old: undefined, new: d.serviceAccount });
    return { kind: "scheduled query", id, name: d.parent, action: "create", changes, updateMask: [], body: d.config, serviceAccount: d.serviceAccount };
  }
  const have: Record<string, unknown> = { displayName: existing.displayName, dataSourceId: existing.dataSourceId, "params.query": existing.params?.query, schedule: existing.schedule ?? "", disabled: Boolean(existing.disabled) };
  const changes: TransferChange[] = Object.keys(want).filter((k) => k !== "dataSourceId" && want[k] !== have[k]).map((field) => ({ field, old: have[field], new: want[field] }));
  // The service account is not a field of the config: the owner (ownerInfo.email) says who runs it.
  const owner = existing.ownerInfo?.email;
  if (d.serviceAccount && owner !== d.serviceAccount) changes.push({ field: "serviceAccountName", old: owner, new: d.serviceAccount });
  const mask = changes.map((c) => ({ displayName: "display_name", "params.query": "params", schedule: "schedule", disabled: "disabled", serviceAccountName: "service_account_name" })[c.field]!);
  const body: Json = { name: existing.name };
  for (const c of changes) {
    if (c.field === "params.query") body.params = d.config.params;
    else if (c.field !== "serviceAccountName") body[c.field] = c.new;
  }
  return {
    kind: "scheduled query",
    id,
    name: String(existing.name),
    action: changes.length ? "update" : "unchanged",
    changes,
    updateMask: mask,
    body: changes.length ? body : undefined,
    serviceAccount: changes.some((c) => c.field === "serviceAccountName") ? d.serviceAccount : undefined,
  };
}

/** The plan as people read it: a script is summarized by its line count, not printed. */
export function formatTransferPlan(plan: { items: TransferPlanItem[]; stale: { id: string; name: string }[] }): string[] {
  const show = (field: string, v: unknown) => (v === undefined ? "(unset)" : field === "params.query" ? `(script, ${String(v).split("\n").length} lines)` : JSON.stringify(v));
  const lines: string[] = [];
  for (const item of plan.items) {
    lines.push(`scheduled query ${JSON.stringify(item.id)}: ${item.action === "delete" ? `delete ${item.name} (created by vwatch, no longer in vwatch.yaml)` : item.action}`);
    for (const c of item.changes) lines.push(item.action === "create" ? `  ${c.field}: ${show(c.field, c.new)}` : `  ${c.field}: ${show(c.field, c.old)} → ${show(c.field, c.new)}`);
  }
  for (const s of plan.stale) lines.push(`scheduled query ${JSON.stringify(s.id)}: kept (created by vwatch, no longer in vwatch.yaml; vwatch deploy --prune deletes it)`);
  return lines;
}
