/**
 * Recent workflow invocations of the repository, newest first: every invocation the service lists
 * (those vwatch or anyone started, and those the schedule started), marked with the workflow
 * config that started them, plus the scheduler's attempts that started nothing (a workflow
 * config's execution records with an error). The list is read whole and sorted by start time:
 * the API orders only by name, and names are not documented to follow time.
 */
import { InputError } from "../errors";
import type { DataformApi, WorkflowConfig, WorkflowInvocation } from "./dataform-api";
import { invocationState, timeMs } from "./invocation-record";
import { lastSegment } from "./names";

export interface RecentRun {
  /** The invocation's id, or "-" for a scheduled attempt that created none. */
  id: string;
  name?: string;
  state: string;
  /** "manual", or "schedule ID" (the workflow config that started it). */
  trigger: string;
  startTime?: string;
  endTime?: string;
  seconds?: number;
  /** Why a scheduled attempt started nothing. */
  error?: string;
}

/** Every invocation, each page of the list. */
export async function listAllInvocations(api: DataformApi, repository: string): Promise<WorkflowInvocation[]> {
  const out: WorkflowInvocation[] = [];
  let pageToken: string | undefined;
  do {
    const page = await api.listWorkflowInvocations(repository, { pageSize: 100, pageToken });
    out.push(...page.invocations);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Merges the invocations and the workflow configs' execution records; newest first. Pure. */
export function mergeRecentRuns(invocations: WorkflowInvocation[], configs: WorkflowConfig[]): RecentRun[] {
  const scheduledBy = new Map<string, string>();
  const failedAttempts: RecentRun[] = [];
  for (const wc of configs) {
    const id = lastSegment(String(wc.name ?? ""));
    for (const r of wc.recentScheduledExecutionRecords ?? []) {
      if (r.workflowInvocation) scheduledBy.set(r.workflowInvocation, id);
      else if (r.errorStatus) {
        const at = timeMs(r.executionTime);
        failedAttempts.push({ id: "-", state: "NOT STARTED", trigger: `schedule ${id}`, startTime: iso(at), error: String(r.errorStatus.message ?? `error ${r.errorStatus.code}`).split("\n")[0] });
      }
    }
  }
  const runs: RecentRun[] = invocations.map((inv) => {
    const name = String(inv.name ?? "");
    const start = timeMs(inv.invocationTiming?.startTime);
    const end = timeMs(inv.invocationTiming?.endTime);
    const config = scheduledBy.get(name) ?? (inv.workflowConfig ? lastSegment(inv.workflowConfig) : undefined);
    return {
      id: lastSegment(name),
      name,
      state: invocationState(inv.state),
      trigger: config ? `schedule ${config}` : "manual",
      startTime: iso(start),
      endTime: iso(end),
      ...(start !== undefined && end !== undefined ? { seconds: (end - start) / 1000 } : {}),
    };
  });
  const key = (r: RecentRun) => (r.startTime ? Date.parse(r.startTime) : 0);
  return [...runs, ...failedAttempts].sort((a, b) => key(b) - key(a) || (a.id < b.id ? 1 : -1));
}

export async function recentRuns(api: DataformApi, repository: string, limit: number): Promise<RecentRun[]> {
  const [invocations, configs] = await Promise.all([listAllInvocations(api, repository), api.listWorkflowConfigs(repository)]);
  return mergeRecentRuns(invocations, configs as WorkflowConfig[]).slice(0, limit);
}

/** The newest invocation, for `status --last`. */
export async function lastInvocation(api: DataformApi, repository: string): Promise<string> {
  const all = await listAllInvocations(api, repository);
  const newest = all.map((i) => ({ name: String(i.name ?? ""), start: timeMs(i.invocationTiming?.startTime) ?? 0 })).sort((a, b) => b.start - a.start || (a.name < b.name ? 1 : -1))[0];
  if (!newest) throw new InputError(`no workflow invocation in ${repository} yet; start one with \`vwatch cloud run\``);
  return newest.name;
}

const INVOCATION = /^projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/]+\/workflowInvocations\/[^/:]+$/;
const ID = /^[A-Za-z0-9_-]+$/;

/** INVOCATION as given: a full resource name, or the id within the repository of vwatch.yaml. */
export function invocationNameOf(given: string, repository: string): string {
  const text = given.trim();
  if (INVOCATION.test(text)) return text;
  if (ID.test(text)) return `${repository}/workflowInvocations/${text}`;
  throw new InputError(`"${given}" is not a workflow invocation: give its id (as \`vwatch cloud runs\` lists it) or its full name projects/P/locations/L/repositories/R/workflowInvocations/ID`);
}
