/**
 * The step after a run: once mention_spikes succeeded (never after it failed, never on a dry
 * run), its spikes are written to PostgreSQL. The sync writes every spike PostgreSQL lacks, so a
 * missed or failed sync is caught up by the next run. A run whose logic vars differ from
 * workflow_settings.yaml's is an experiment: its spikes are written only when asked (--sync).
 */
import { loadVarSchema } from "../compile/var-schema";
import { isLogicVar } from "../compile/vars";
import { log } from "../log";
import type { AfterRunOptions } from "../run/hooks";
import type { RunRecord } from "../run/results";
import type { Session } from "../run/session";
import { SPIKES_MODEL } from "../sink/spikes-model";
import type { SyncSpikesResult } from "../sink/sync-spikes";

/** The write-back after a run: its exit code (1 when the sync failed) and what it wrote, when it ran. */
export async function syncAfterRun(session: Session, record: RunRecord, options: AfterRunOptions): Promise<{ code: number; result?: SyncSpikesResult }> {
  const spikes = record.actions.find((a) => a.name.split(".").pop() === SPIKES_MODEL);
  if (options.writeBack === false || !spikes || spikes.status !== "success" || record.options.dryRun) return { code: 0 };
  const experiment = options.writeBack ? [] : experimentVars(session, record.options.vars);
  if (experiment.length) {
    const changed = experiment.map((v) => `${v.name}=${v.run}, not ${v.settings === "" ? "empty" : v.settings}`).join("; ");
    log.warn(
      `spikes not written to PostgreSQL: this run's vars differ from workflow_settings.yaml (${changed}); ` +
        "write them deliberately with `vwatch sync-spikes`, or run with --sync",
    );
    return { code: 0 };
  }
  try {
    // Loaded only when a sync runs: it brings pg.
    const { runSync } = await import("../sink/run-sync");
    const result = await runSync(session, { vars: record.options.vars });
    if (!options.json) log.summary(syncedLine(result));
    return { code: 0, result };
  } catch (e) {
    const message = (e as Error).message;
    const retry = /next sync catches up/.test(message) ? "" : "; `vwatch sync-spikes` retries the write";
    log.error(`${whatSucceeded(record)} writing the spikes to PostgreSQL failed: ${message}${retry}`);
    return { code: 1 };
  }
}

/** What a sync wrote, in one line; a sync that read nothing says PostgreSQL already had every spike. */
export function syncedLine(r: SyncSpikesResult): string {
  if (r.daysCompared === 0) return "spikes written to PostgreSQL: none (the warehouse holds no spikes)";
  if (r.daysRead === 0) return `spikes written to PostgreSQL: none new (it already has the spikes of all ${r.daysCompared} spike day(s) in the warehouse)`;
  return (
    `spikes written to PostgreSQL: ${r.inserted} inserted, ${r.alreadyPresent} already present ` +
    `(${r.read} read from the ${r.daysRead} of ${r.daysCompared} spike day(s) that differed)`
  );
}

/** The run's vars that change logic and differ from workflow_settings.yaml's (as_of never does). */
function experimentVars(session: Session, vars: Record<string, string> | undefined): { name: string; run: string; settings: string }[] {
  const schema = loadVarSchema(session.config.projectDir);
  const overrides = Object.entries(vars ?? {}).filter(([name]) => isLogicVar(schema, name));
  if (overrides.length === 0) return [];
  const settings = session.graph().projectConfig.vars ?? {};
  const same = (a: string, b: string) => a.trim() === b.trim() || (a.trim() !== "" && b.trim() !== "" && Number(a) === Number(b));
  return overrides.filter(([name, value]) => !same(value, settings[name] ?? "")).map(([name, run]) => ({ name, run, settings: settings[name] ?? "" }));
}

/** What a run that reached the write-back achieved: all of it, or mention_spikes while other actions failed. */
function whatSucceeded(record: RunRecord): string {
  const { failed = 0, skipped = 0 } = record.summary;
  if (!failed && !skipped) return "the run succeeded but";
  const others = [failed && `${failed} other action${failed === 1 ? "" : "s"} failed`, skipped && `${skipped} ${skipped === 1 ? "was" : "were"} skipped`].filter(Boolean);
  return `${SPIKES_MODEL} succeeded, but ${others.join(" and ")}; and`;
}
