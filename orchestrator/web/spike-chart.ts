/**
 * The chart of an event on a day: its daily mentions, each day's baseline mean and the band the
 * threshold implies (mean + z_threshold · max(sd, min_stddev), the sd the model used), the scored
 * day marked; then n / mean / sd / z and each rule with whether it held: the numbers `vwatch
 * explain --json` prints (query/explain.ts, embedded whole as #explain-data), for spikes and for
 * days that did not fire alike.
 */
import { checkDay } from "../days";
import { InputError } from "../errors";
import { explainEventDay, fmt } from "../query/explain";
import { COLORS, chartBlock, type ChartSpec } from "./chart-data";
import type { Page, WebContext } from "./context";
import { esc, href, jsonScript } from "./html";
import { webQuery } from "./queries";

interface EventRow {
  event_id: number;
  event_date: string | null;
  title: string | null;
  actor1: string | null;
  actor2: string | null;
  place: string | null;
  source_url: string | null;
}

export async function spikeChartPage(ctx: WebContext): Promise<Page> {
  const event = (ctx.query.event ?? "").trim();
  const day = (ctx.query.day ?? "").trim();
  if (!/^\d{1,18}$/.test(event)) throw new InputError(`event must be a GDELT GLOBALEVENTID (digits), got "${event}"`);
  checkDay(day, "day");
  const eventId = Number(event);
  const explained = await explainEventDay(ctx.session, eventId, day);
  // Without the events model (a run of the mentions tag only) the chart still stands; the facts say what to run.
  const info = await webQuery<EventRow>(ctx.session, "web-event", { models: ["int_focus_events", "events"], params: { event_id: eventId } }).then(
    (rows) => rows[0] ?? null,
    (e) => {
      if (e instanceof InputError) return e;
      throw e;
    },
  );
  const { json, days, scored, thresholds } = explained;
  const title = `Event ${eventId} on ${day}`;
  const spec: ChartSpec = {
    title: `Daily mentions of event ${eventId}, ${days[0]?.day ?? day} to ${days.at(-1)?.day ?? day}`,
    days: days.map((d) => d.day),
    series: [
      { label: "mentions", values: days.map((d) => d.mention_count), color: COLORS.primary },
      { label: "baseline mean", values: days.map((d) => d.baseline_avg), color: COLORS.mean, dash: [6, 4] },
      {
        label: `band: mean + ${thresholds.zThreshold} × max(sd, ${thresholds.minStddev})`,
        values: days.map((d) => (d.baseline_avg === null ? null : d.baseline_avg + thresholds.zThreshold * d.stddev_used)),
        color: COLORS.band,
        dash: [2, 3],
      },
      { label: "scored day", values: days.map((d) => (d.day === day ? d.mention_count : null)), color: COLORS.mark, pointsOnly: true },
    ],
  };
  const facts = eventFacts(eventId, info);
  const verdictClass = json.isSpike ? "verdict spike" : "verdict";
  const numbers = scored
    ? `<p class="numbers">n = <strong>${esc(scored.baseline_days)}</strong>, mean = <strong>${fmt(scored.baseline_avg)}</strong>, sd = <strong>${fmt(scored.baseline_stddev)}</strong> (floor ${esc(thresholds.minStddev)}), z = (${esc(scored.mention_count)} − ${fmt(scored.baseline_avg)}) / ${fmt(json.sdUsed)} = <strong>${fmt(scored.z_score)}</strong></p>
<ul class="rules">${json.checks.map((c) => `<li class="${c.passed ? "held" : "failed"}"><span class="mark">${c.passed ? "held" : "did not hold"}</span> ${esc(c.rule)}</li>`).join("")}</ul>`
    : `<p>No scored series on ${esc(day)}: the event is not tracked as of this run, or the day is before its first mention or after as_of (${esc(explained.asOf || "latest mention day")}).</p>`;
  const recorded = json.recordedSpike ? `<p>Recorded in mention_spikes, detected ${esc(json.recordedSpike.detected_at)}.</p>` : "";
  const body = `${facts}
<p class="${verdictClass}" id="verdict">${esc(json.verdict)}</p>
${days.length ? chartBlock("chart-spike", spec) : ""}
${numbers}
${recorded}
${jsonScript("explain-data", json)}
<p><a href="${href("/spikes")}?event=${esc(eventId)}">All spikes of event ${esc(eventId)}</a></p>`;
  return { title, body, charts: days.length > 0 };
}

/** What the event is; a notice when the models that say it are not built. */
function eventFacts(eventId: number, info: EventRow | null | InputError): string {
  if (info instanceof InputError) return `<p class="notice">${esc(info.message)}</p>`;
  if (!info) return `<p>Event ${eventId} is not a tracked focus event as of this run.</p>`;
  const source = info.source_url ? `<a href="${esc(info.source_url)}" rel="noopener noreferrer">${esc(info.source_url)}</a>` : "(none)";
  return `<dl class="facts">
<dt>Title</dt><dd>${esc(info.title ?? "(no title)")}</dd>
<dt>Actors</dt><dd>${esc([info.actor1, info.actor2].filter(Boolean).join(" · ") || "(none named)")}</dd>
<dt>Place</dt><dd>${esc(info.place ?? "(unknown)")}</dd>
<dt>Event date</dt><dd>${esc(info.event_date ?? "")}</dd>
<dt>Source</dt><dd>${source}</dd>
</dl>`;
}
