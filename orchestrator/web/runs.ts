/**
 * The Runs page: the run ledger's recent runs (newest first), each with its actions as a timeline
 * (start, duration, status), failures with their messages, and an assertion's failing rows when
 * the home folder's run_results.json recorded them for that run.
 */
import { listRuns, type LedgerAction, type LedgerRun } from "../ledger/runs";
import { readResults, type RunRecord } from "../run/results";
import type { Page, WebContext } from "./context";
import { esc, table } from "./html";

export const RUNS_SHOWN = 20;

const seconds = (s: number | undefined) => (s === undefined ? "" : s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`);

/** Where each action starts, from the run's start: a run runs its actions one after another, so the sum of those before. */
function timeline(actions: LedgerAction[]): { action: LedgerAction; start: number }[] {
  let at = 0;
  return actions.map((action) => {
    const start = at;
    at += action.seconds ?? 0;
    return { action, start };
  });
}

function failingRows(record: RunRecord | undefined, run: LedgerRun, name: string): string {
  const rows = record?.runId === run.id ? record.actions.find((a) => a.name === name)?.failingRows : undefined;
  if (!rows?.length) return "";
  const headers = Object.keys(rows[0]);
  return `<details class="failing"><summary>${rows.length} failing row(s) shown</summary>${table(
    headers,
    rows.map((r) => headers.map((h) => esc(typeof r[h] === "object" && r[h] !== null ? JSON.stringify(r[h]) : r[h]))),
  )}</details>`;
}

function runSection(run: LedgerRun, record: RunRecord | undefined, open: boolean, project: string | undefined): string {
  // As the CLI's summary shows them: without the default project.
  const shown = (name: string) => (project && name.startsWith(`${project}.`) ? name.slice(project.length + 1) : name);
  const steps = timeline(run.actions);
  const total = Math.max(steps.reduce((s, x) => s + (x.action.seconds ?? 0), 0), 0.001);
  const duration = run.endedAt ? seconds((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000) : "running";
  const rows = steps.map(({ action, start }) => {
    const left = (start / total) * 100;
    const width = Math.max(((action.seconds ?? 0) / total) * 100, 0.5);
    const bar = `<div class="bar-track" aria-hidden="true"><div class="bar status-${esc(action.status)}" style="margin-left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div></div>`;
    const error = action.error ? `<div class="error">${esc(action.error)}</div>${failingRows(record, run, action.name)}` : failingRows(record, run, action.name);
    return [`<span title="${esc(action.name)}">${esc(shown(action.name))}</span>${error}`, `<span class="status status-${esc(action.status)}">${esc(action.status)}</span>`, `+${seconds(start)}`, seconds(action.seconds), bar];
  });
  const selection = Object.entries(run.selection).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`).join("; ");
  const failed = run.actions.filter((a) => a.status === "failed").length;
  return `<section class="run" id="run-${esc(run.id)}" data-status="${esc(run.status)}">
<h2><span class="status status-${esc(run.status)}">${esc(run.status)}</span> ${esc(run.startedAt.replace("T", " ").slice(0, 19))} UTC · ${esc(duration)}</h2>
<details${open ? " open" : ""}><summary>${run.actions.length} action(s)${failed ? `, ${failed} failed` : ""}</summary>
<p class="meta">run ${esc(run.id)} · ${esc(run.trigger)} on ${esc(run.ranOn)}${selection ? ` · ${esc(selection)}` : ""}${run.asOf ? ` · as_of ${esc(run.asOf)}` : ""}${run.fullRefresh ? " · full refresh" : ""}</p>
${run.error ? `<p class="error">${esc(run.error)}</p>` : ""}
${run.actions.length ? table(["action", "status", "start", "duration", "timeline"], rows, 'class="timeline"') : "<p>No action ran.</p>"}
</details>
</section>`;
}

export async function runsPage(ctx: WebContext): Promise<Page> {
  const runs = await listRuns(ctx.sql, { limit: RUNS_SHOWN });
  const record = readResults(ctx.session.config.home);
  const body = runs.length
    ? `<p>The ${runs.length === RUNS_SHOWN ? `${RUNS_SHOWN} newest runs` : `${runs.length} run(s)`} of the run ledger, newest first. Starts are offsets from the run's start (its actions run one after another).</p>\n${runs.map((r, i) => runSection(r, record, i === 0 || r.status !== "succeeded", ctx.session.project().defaultDatabase)).join("\n")}`
    : "<p>No run recorded yet: run <code>vwatch run</code> or trigger one on <code>vwatch serve</code>.</p>";
  return { title: "Runs", body };
}
