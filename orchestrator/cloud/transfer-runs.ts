/**
 * Runs of vwatch's scheduled queries (Data Transfer API), for `cloud run --via transfer` and
 * `cloud runs --transfers`: the config of a scheduled query found as `vwatch deploy` matches it
 * (display name, location, vwatch's marker), a manual run followed to its end with backoff (its
 * state changes and new log messages reported as they appear), and the recent runs of them all.
 *
 * The Data Transfer API cannot cancel a run: stopping the wait leaves the run going.
 */
import { CloudError, ConfigError, InterruptedError } from "../errors";
import type { DeploySettings } from "./settings";
import type { ScheduledQuerySettings } from "./settings-schema";
import type { TransferApi, TransferConfig, TransferMessage, TransferRun } from "./transfer-api";
import { isManaged, sameLocation } from "./transfer-plan";
import { isoTime, timeMs } from "./invocation-record";
import type { PollDelays } from "./watch";

/** TransferState and MessageSeverity as the client gives them (names, or numbers with int enums). */
const STATES = ["TRANSFER_STATE_UNSPECIFIED", "", "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];
const SEVERITIES = ["MESSAGE_SEVERITY_UNSPECIFIED", "INFO", "WARNING", "ERROR"];
export const runState = (s: unknown) => (typeof s === "number" ? STATES[s] || `STATE_${s}` : String(s ?? "TRANSFER_STATE_UNSPECIFIED"));
const severity = (s: unknown) => (typeof s === "number" ? SEVERITIES[s] || String(s) : String(s ?? "INFO"));
export const isRunEnded = (state: string) => state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED";

export interface FoundQuery {
  settings: ScheduledQuerySettings;
  config: TransferConfig;
}

/** The scheduled query NAME of vwatch.yaml and its transfer config, as `vwatch deploy` made it. */
export async function findScheduledQuery(api: TransferApi, settings: DeploySettings, name: string): Promise<FoundQuery> {
  const p = settings.production;
  const declared = p.scheduledQueries ?? [];
  const q = declared.find((d) => d.name === name);
  if (!q) {
    const known = declared.map((d) => JSON.stringify(d.name)).join(", ");
    throw new ConfigError(`no scheduled query "${name}" in ${settings.file}: ${known ? `it declares ${known}` : "it declares none (production.scheduledQueries)"}`);
  }
  const parent = `projects/${p.project}/locations/${q.location}`;
  const same = (await api.listScheduledQueries(parent)).filter((c) => c.displayName === name && sameLocation(String(c.name), parent));
  const mine = same.filter(isManaged);
  if (mine.length === 0 && same.length) throw new CloudError("FAILED_PRECONDITION", `the scheduled query "${name}" in ${parent} (${same[0].name}) was not created by vwatch deploy; vwatch runs only its own: rename one of them, then run \`vwatch deploy\``);
  if (mine.length === 0) throw new CloudError("NOT_FOUND", `no scheduled query "${name}" in ${parent}; run \`vwatch deploy\` to create it`);
  if (mine.length > 1) throw new CloudError("FAILED_PRECONDITION", `${mine.length} scheduled queries "${name}" marked as vwatch's exist in ${parent} (${mine.map((c) => c.name).join(", ")}); delete all but one`);
  return { settings: q, config: mine[0] };
}

export interface TransferWatchEvents {
  onState?(state: string, run: TransferRun): void;
  onMessage?(message: { time?: string; severity: string; text: string }): void;
}

/**
 * Polls the run and its log until the run ends (from `initialDelayMs`, ×1.5 after each poll that
 * saw nothing new, capped at `maxDelayMs`). `stop` rejecting (Ctrl-C) ends the wait at once.
 */
export async function watchTransferRun(api: TransferApi, name: string, delays: PollDelays, events: TransferWatchEvents = {}, stop: Promise<never> = new Promise<never>(() => {})): Promise<TransferRun> {
  stop.catch(() => {});
  const guard = <T>(p: Promise<T>) => Promise.race([p, stop]);
  const seen = new Set<string>();
  let state = "";
  let delay = delays.initialDelayMs;
  try {
    for (;;) {
      const run = await guard(api.getTransferRun(name));
      const messages = await guard(api.listTransferLogs(name));
      let changed = false;
      for (const m of sortMessages(messages)) {
        const text = String(m.messageText ?? "");
        const key = `${timeMs(m.messageTime) ?? ""}|${severity(m.severity)}|${text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        changed = true;
        events.onMessage?.({ time: isoTime(m.messageTime), severity: severity(m.severity), text });
      }
      const now = runState(run.state);
      if (now !== state) {
        state = now;
        changed = true;
        events.onState?.(now, run);
      }
      if (isRunEnded(now)) return run;
      delay = changed ? delays.initialDelayMs : Math.min(delays.maxDelayMs, Math.round(delay * 1.5));
      await guard(new Promise((resolve) => setTimeout(resolve, delay)));
    }
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    if (e instanceof CloudError) throw new CloudError(e.reason, `${e.message}; the transfer run ${name} goes on without vwatch watching it: \`vwatch cloud runs --transfers\` shows it`, { cause: e });
    throw e;
  }
}

/** Oldest first; the API does not promise an order. */
function sortMessages(messages: TransferMessage[]): TransferMessage[] {
  return [...messages].sort((a, b) => (timeMs(a.messageTime) ?? 0) - (timeMs(b.messageTime) ?? 0));
}

export interface RecentTransferRun {
  /** The scheduled query's display name. */
  query: string;
  name: string;
  state: string;
  runTime?: string;
  startTime?: string;
  endTime?: string;
  seconds?: number;
  error?: string;
}

/** A run as `cloud runs --transfers` and `--json` show it. Pure. */
export function transferRunRow(query: string, run: TransferRun): RecentTransferRun {
  const start = timeMs(run.startTime);
  const end = timeMs(run.endTime);
  const error = run.errorStatus?.message ? String(run.errorStatus.message).split("\n")[0] : undefined;
  return {
    query,
    name: String(run.name ?? ""),
    state: runState(run.state),
    runTime: isoTime(run.runTime),
    startTime: isoTime(run.startTime),
    endTime: isoTime(run.endTime),
    ...(start !== undefined && end !== undefined ? { seconds: (end - start) / 1000 } : {}),
    ...(error ? { error } : {}),
  };
}

/**
 * The newest `limit` runs of the scheduled queries of vwatch.yaml that deploy created (each
 * config's first page of runs, newest first as the service orders them), merged newest first by
 * run time. A declared query not deployed yet is listed in `missing`.
 */
export async function recentTransferRuns(api: TransferApi, settings: DeploySettings, limit: number): Promise<{ runs: RecentTransferRun[]; missing: string[] }> {
  const p = settings.production;
  const declared = p.scheduledQueries ?? [];
  const parents = [...new Set(declared.map((q) => `projects/${p.project}/locations/${q.location}`))];
  const configs = (await Promise.all(parents.map((parent) => api.listScheduledQueries(parent).then((list) => list.map((c) => ({ c, parent })))))).flat();
  const runs: RecentTransferRun[] = [];
  const missing: string[] = [];
  for (const q of declared) {
    const parent = `projects/${p.project}/locations/${q.location}`;
    const config = configs.find(({ c, parent: at }) => at === parent && c.displayName === q.name && sameLocation(String(c.name), parent) && isManaged(c))?.c;
    if (!config) {
      missing.push(q.name);
      continue;
    }
    const page = await api.listTransferRuns(String(config.name), { pageSize: Math.min(limit, 1000) });
    runs.push(...page.runs.map((r) => transferRunRow(q.name, r)));
  }
  const ms = (t: string | undefined) => (t ? Date.parse(t) : 0) || 0;
  const newestFirst = (a: RecentTransferRun, b: RecentTransferRun) => ms(b.runTime) - ms(a.runTime) || ms(b.startTime) - ms(a.startTime) || (a.name < b.name ? 1 : -1);
  return { runs: runs.sort(newestFirst).slice(0, limit), missing };
}
