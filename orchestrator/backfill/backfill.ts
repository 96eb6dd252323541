/**
 * `vwatch backfill`: the selected incremental models, with what they need, run once per as_of
 * day of a range, oldest first, in one session (compiled once per day's vars, the warehouse
 * opened once), so their tables end as if the pipeline had run daily through the range. Each
 * day reads only its window: the incremental models filter on as_of. Tables that are rebuilt
 * whole (and the selection's other actions) run only on the last day, where their result is the
 * one a daily run would leave. The spikes are written back once, after the last day.
 */
import { type Target, targetName } from "../compile/graph";
import { InputError } from "../errors";
import { log } from "../log";
import type { Selection } from "../plan/select";
import { selectActions } from "../plan/select";
import type { RunRecord } from "../run/results";
import type { Session } from "../run/session";
import { bigqueryTableName } from "../sql/names";
import { SPIKES_MODEL } from "../sink/spikes-model";
import { type BackfillKey, doneDays, forget, recordDay } from "./ledger";
import { backfillDays } from "./range";

export interface BackfillRequest extends Selection {
  from?: string;
  to?: string;
  vars?: Record<string, string>;
  acceptVarChange?: string[];
  /** Forget the days done before and run them all. */
  restart?: boolean;
  /** false: no write-back (--no-sync); true: even with vars that differ from workflow_settings.yaml (--sync). */
  writeBack?: boolean;
  json?: boolean;
}

export interface BackfillResult {
  from: string;
  to: string;
  days: number;
  /** Days run now, and days skipped because an earlier backfill of the same range did them. */
  ran: string[];
  skipped: string[];
  /** The actions of a day before the last, and of the last day. */
  dayActions: string[];
  lastDayActions: string[];
  /** The day that failed (the backfill stopped there) and what failed in it. */
  failedDay?: string;
  failures?: { action: string; status: string; message: string }[];
  /** Rows the incremental models merged, over the days run now. */
  rowsMerged: number;
  /** Rows of each incremental table at the end. */
  tables: { name: string; rows: number }[];
  /** Rows in mention_spikes at the end, when the backfill runs it. */
  spikes?: number;
  sync?: unknown;
  seconds: number;
}

const short = (name: string) => name.split(".").pop()!;

/** Which actions each day runs: the selected incremental models and what they depend on; on the last day the whole selection too. */
function actionsPerDay(session: Session, request: BackfillRequest): { day: string[]; last: string[]; incremental: string[]; targets: Target[] } {
  const graph = session.graph(request.vars, "--vars");
  const selected = selectActions(graph, request);
  const tables = (graph.tables ?? []).filter((t) => t.type === "incremental" && !t.disabled && selected.has(targetName(t.target)));
  const incremental = tables.map((t) => targetName(t.target));
  if (incremental.length === 0) {
    throw new InputError("the selection has no incremental model, so there is nothing to backfill: tables rebuilt whole need only `vwatch run --vars as_of=DAY`");
  }
  const day = selectActions(graph, { actions: incremental, includeDeps: true });
  const last = new Set([...day, ...selected]);
  return { day: [...day].sort(), last: [...last].sort(), incremental, targets: tables.map((t) => t.target) };
}

function failuresOf(record: RunRecord): NonNullable<BackfillResult["failures"]> {
  return record.actions
    .filter((a) => a.status === "failed" || a.status === "skipped" || a.status === "cancelled")
    .map((a) => ({ action: a.name, status: a.status, message: a.error?.message ?? "" }));
}

export async function runBackfill(session: Session, request: BackfillRequest): Promise<{ code: number; result: BackfillResult }> {
  const started = Date.now();
  const days = backfillDays(request.from, request.to);
  const [from, to] = [days[0], days[days.length - 1]];
  if (request.vars?.as_of !== undefined) throw new InputError("--vars as_of cannot be given to backfill: it runs each as_of day from --from to --to");
  const vars = request.vars ?? {};
  const plan = actionsPerDay(session, request);
  const warehouse = await session.warehouse();
  const home = session.config.home;
  const key: BackfillKey = { warehouse: warehouse.dialect, project: session.project().defaultDatabase, from, to, actions: plan.last, vars };
  if (request.restart) forget(home, key);
  const done = doneDays(home, key);
  const start = days.findIndex((d) => !done.has(d));
  const result: BackfillResult = { from, to, days: days.length, ran: [], skipped: start < 0 ? days : days.slice(0, start), dayActions: plan.day, lastDayActions: plan.last, rowsMerged: 0, tables: [], seconds: 0 };
  const finish = async (code: number) => {
    // What the tables hold at the end (a count BigQuery answers from metadata). The warehouse is
    // asked for again: the write-back may have released it.
    const warehouse = await session.warehouse();
    for (const [i, target] of plan.targets.entries()) {
      if (!(await warehouse.tableMetadata(target))) continue;
      const [row] = await warehouse.run<{ n: number | string }>(`select count(*) as n from ${bigqueryTableName(target, session.project())}`);
      result.tables.push({ name: plan.incremental[i], rows: Number(row?.n ?? 0) });
      if (short(plan.incremental[i]) === SPIKES_MODEL) result.spikes = Number(row?.n ?? 0);
    }
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    return { code, result };
  };
  if (start < 0) {
    log.info(`backfill ${from} … ${to}: all ${days.length} days are done already (--restart runs them again)`);
    return finish(0);
  }
  const resuming = start > 0 ? `; resuming at ${days[start]} (${start} day${start === 1 ? "" : "s"} done before)` : "";
  log.info(`backfill ${from} … ${to}: ${days.length} day${days.length === 1 ? "" : "s"}, ${plan.day.length} actions a day (${plan.incremental.map(short).join(", ")} and what they need), ${plan.last.length} on the last day${resuming}`);

  const [{ executeRun }, { recordRun, shellTrigger }, { fromRecord }] = await Promise.all([import("../run/execute"), import("../ledger/record"), import("../ledger/from-record")]);
  const runStarted = Date.now();
  for (let i = start; i < days.length; i++) {
    const day = days[i];
    const last = i === days.length - 1;
    const actions = last ? plan.last : plan.day;
    const dayStarted = Date.now();
    const record = await executeRun(
      session,
      { actions, vars: { ...vars, as_of: day }, acceptVarChange: request.acceptVarChange },
      // The last day's results become run_results.json, so explain and retry see the as_of the tables end at.
      { writeResultsFile: last, quiet: true },
    );
    // Each day is a run of the run ledger (written after the write-back on the last day, with what it wrote).
    const ledgerRun = () => recordRun(session, fromRecord(record, { trigger: shellTrigger(), selection: { actions } }));
    const failures = failuresOf(record);
    if (failures.length) {
      await ledgerRun();
      result.failedDay = day;
      result.failures = failures;
      for (const f of failures) if (f.status === "failed") log.summary(`failed: ${short(f.action)} on ${day}: ${f.message}`);
      const notRun = failures.filter((f) => f.status !== "failed").length;
      if (notRun) log.summary(`${notRun} action${notRun === 1 ? " was" : "s were"} skipped because of them`);
      log.error(`backfill stopped at ${day} (${i} of ${days.length} days done); fix what failed and run the same command again to continue at ${day}`);
      return finish(1);
    }
    result.ran.push(day);
    for (const a of record.actions) if (plan.incremental.includes(a.name)) result.rowsMerged += a.rows ?? 0;
    if (last) {
      // Written back once; the last day is recorded only once the write-back succeeded, so a rerun does it again.
      const code = request.writeBack === false ? 0 : ((await session.hooks.afterRun?.(session, record, { json: Boolean(request.json), writeBack: request.writeBack })) ?? 0);
      if (record.sync) result.sync = record.sync;
      await ledgerRun();
      if (code !== 0) {
        log.error(`backfill ran every day, but the write-back failed; run the same command again (it reruns ${day} and writes back) or \`vwatch sync-spikes\``);
        return finish(code);
      }
    } else await ledgerRun();
    recordDay(home, key, day);
    const ranNow = i - start + 1;
    const left = days.length - i - 1;
    const eta = left ? `, ETA ${seconds(((Date.now() - runStarted) / ranNow) * left)}` : "";
    log.info(`backfill ${day}: day ${i + 1}/${days.length} done in ${seconds(Date.now() - dayStarted)}, ${left} left${eta}`);
  }
  return finish(0);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** The closing lines: days run and skipped, the tables' rows, the spikes, the time. */
export function summaryLines(r: BackfillResult): string[] {
  const lines = [`backfill ${r.from} … ${r.to}: ${r.ran.length} day${r.ran.length === 1 ? "" : "s"} run, ${r.skipped.length} skipped (done before)${r.failedDay ? `, stopped at ${r.failedDay}` : ""}, in ${r.seconds} s`];
  if (r.ran.length) lines.push(`rows merged: ${r.rowsMerged.toLocaleString("en-US")}`);
  if (r.tables.length) lines.push(`tables now: ${r.tables.map((t) => `${short(t.name)} ${t.rows.toLocaleString("en-US")} row${t.rows === 1 ? "" : "s"}`).join(", ")}`);
  if (r.spikes !== undefined) lines.push(`spikes: ${r.spikes.toLocaleString("en-US")} in ${SPIKES_MODEL}`);
  return lines;
}
