/**
 * The deploy plan: for the repository, the release config and each workflow config, what exists
 * against what vwatch.yaml asks for: create, update (each changed field, old → new, and the update
 * mask naming only the changed fields) or unchanged; with --prune, delete the configs vwatch
 * created that the file no longer names. Pure: a function of the settings' resources and the
 * service's.
 */
import { MARK, MARK_VALUE, releaseMark, workflowMark, type Json } from "./desired";
import { lastSegment } from "./names";

export type PlanAction = "create" | "update" | "unchanged" | "delete";
export type ResourceKind = "repository" | "release config" | "workflow config";

export interface FieldChange {
  /** The JSON path, e.g. `invocationConfig.includedTags` or `labels.vwatch-wc-daily`. */
  field: string;
  old: unknown;
  new: unknown;
}

export interface PlanItem {
  kind: ResourceKind;
  id: string;
  name: string;
  action: PlanAction;
  changes: FieldChange[];
  /** The update mask (snake_case top-level fields) of an update. */
  updateMask: string[];
  /** The resource to create, or the fields to send with an update (the masked ones). */
  body?: Json;
}

export interface DeployPlan {
  items: PlanItem[];
  /** Configs vwatch created that vwatch.yaml no longer names, kept because --prune was not given. */
  stale: { kind: ResourceKind; id: string; name: string }[];
  /**
   * With --prune, the repository is written in two steps: first with the marks of the configs to
   * delete still on (so a failed delete can be pruned again), then without them once deleted.
   */
  repositorySteps?: [PlanItem, PlanItem];
}

export interface Existing {
  repository?: Json;
  releaseConfigs: Json[];
  workflowConfigs: Json[];
}

export interface Desired {
  repository: Json;
  releaseConfig: Json;
  workflowConfigs: Json[];
}

/**
 * Fields of a resource that the service sets (or that vwatch does not manage), never compared nor
 * sent; `name` only at the top (a target's name inside a message is data).
 */
const OUTPUT_ONLY = new Set(["name", "createTime", "updateTime", "recentScheduledExecutionRecords", "recentScheduledReleaseRecords", "releaseCompilationResult", "dataEncryptionState", "internalMetadata", "setAuthenticatedUserAdmin"]);
const NESTED_OUTPUT_ONLY = new Set(["tokenStatus"]);

export function planDeploy(desired: Desired, existing: Existing, options: { prune: boolean }): DeployPlan {
  const marks = Object.entries(existing.repository?.labels ?? {}).flatMap(([k, v]) => {
    const m = MARK.exec(k);
    return m && v === MARK_VALUE ? [{ label: k, kind: (m[1] === "rc" ? "release config" : "workflow config") as ResourceKind, id: m[2] }] : [];
  });
  const releaseId = lastSegment(desired.releaseConfig.name);
  const workflowIds = desired.workflowConfigs.map((w) => lastSegment(w.name));
  const named = (kind: ResourceKind, id: string) => (kind === "release config" ? id === releaseId : workflowIds.includes(id));
  const existsNow = (kind: ResourceKind, id: string) => (kind === "release config" ? existing.releaseConfigs : existing.workflowConfigs).some((c) => lastSegment(c.name) === id);
  const unnamed = marks.filter((m) => !named(m.kind, m.id) && existsNow(m.kind, m.id));
  const pruned = options.prune ? unnamed : [];

  // The labels: the repository's own, vwatch's marks for every config the file names, minus the pruned ones.
  const labels: Record<string, string> = { ...(existing.repository?.labels ?? {}) };
  for (const m of marks) if (!named(m.kind, m.id) && (options.prune || !existsNow(m.kind, m.id))) delete labels[m.label];
  labels[releaseMark(releaseId)] = MARK_VALUE;
  for (const id of workflowIds) labels[workflowMark(id)] = MARK_VALUE;

  const items: PlanItem[] = [
    compare("repository", { ...desired.repository, labels }, existing.repository),
    compare("release config", desired.releaseConfig, existing.releaseConfigs.find((c) => c.name === desired.releaseConfig.name)),
    ...desired.workflowConfigs.map((w) => compare("workflow config", w, existing.workflowConfigs.find((c) => c.name === w.name))),
    ...[...pruned].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "workflow config" ? -1 : 1)).map((m) => deletion(m.kind, m.id, existing)),
  ];
  const plan: DeployPlan = {
    items,
    stale: options.prune ? [] : unnamed.map((m) => ({ kind: m.kind, id: m.id, name: findName(m.kind, m.id, existing) })),
  };
  if (pruned.length) {
    const during = { ...desired.repository, labels: { ...labels, ...Object.fromEntries(pruned.map((m) => [m.label, MARK_VALUE])) } };
    plan.repositorySteps = [compare("repository", during, existing.repository), compare("repository", { ...desired.repository, labels }, during)];
  }
  return plan;
}

function findName(kind: ResourceKind, id: string, existing: Existing): string {
  return ((kind === "release config" ? existing.releaseConfigs : existing.workflowConfigs).find((c) => lastSegment(c.name) === id)?.name as string) ?? id;
}

function deletion(kind: ResourceKind, id: string, existing: Existing): PlanItem {
  return { kind, id, name: findName(kind, id, existing), action: "delete", changes: [], updateMask: [] };
}

/** Create, update (the changed leaves, the mask of their top-level fields) or unchanged. */
export function compare(kind: ResourceKind, desired: Json, existing: Json | undefined): PlanItem {
  const want = normalize(desired) ?? {};
  const id = lastSegment(desired.name);
  if (!existing) return { kind, id, name: desired.name, action: "create", changes: leaves(want).map(([field, v]) => ({ field, old: undefined, new: v })), updateMask: [], body: want };
  const have = normalize(existing) ?? {};
  const changes: FieldChange[] = [];
  diff(have, want, "", changes);
  const top = [...new Set(changes.map((c) => c.field.split(".")[0]))];
  const body: Json = { name: desired.name };
  for (const key of top) if (want[key] !== undefined) body[key] = want[key];
  return { kind, id, name: desired.name, action: changes.length ? "update" : "unchanged", changes, updateMask: top.map(snake), body: changes.length ? body : undefined };
}

/** Proto3 JSON without defaults ("", false, 0, [], {}, null) and output-only fields, as the service would echo it. */
export function normalize(value: unknown, top = true): any {
  if (value === null || value === undefined || value === "" || value === false || value === 0) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v, false)).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
      if ((top ? OUTPUT_ONLY : NESTED_OUTPUT_ONLY).has(k)) continue;
      const n = normalize(v, false);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function diff(have: unknown, want: unknown, at: string, out: FieldChange[]): void {
  if (isPlainObject(have) || isPlainObject(want)) {
    if (!(isPlainObject(have) || have === undefined) || !(isPlainObject(want) || want === undefined)) {
      out.push({ field: at, old: have, new: want });
      return;
    }
    const keys = [...new Set([...Object.keys(have ?? {}), ...Object.keys(want ?? {})])].sort();
    for (const k of keys) diff((have as Json | undefined)?.[k], (want as Json | undefined)?.[k], at ? `${at}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(have) !== JSON.stringify(want)) out.push({ field: at, old: have, new: want });
}

function leaves(value: Json, at = ""): [string, unknown][] {
  return Object.entries(value).flatMap(([k, v]) => (isPlainObject(v) ? leaves(v, at ? `${at}.${k}` : k) : [[at ? `${at}.${k}` : k, v] as [string, unknown]]));
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
