/**
 * The Spikes page: mention_spikes newest first (queries/web-spikes.sql), filtered by day range,
 * confidence and event; each row links to its chart. A form charts any event-day, spike or not.
 */
import { checkDay } from "../days";
import { InputError } from "../errors";
import type { Page, WebContext } from "./context";
import { esc, href, num, table } from "./html";
import { webQuery } from "./queries";

const CONFIDENCES = ["HIGH", "MEDIUM", "LOW"];
/** Rows shown at most; the filters narrow the rest down. */
export const SPIKES_SHOWN = 200;

interface SpikeRow {
  event_id: number;
  spike_date: string;
  mentions: number;
  baseline: number | null;
  z: number | null;
  confidence: string;
  place: string | null;
  source_url: string | null;
}

export interface SpikeFilters {
  from?: string;
  to?: string;
  event?: number;
  confidence?: string;
}

/** The filters of the query string; a bad one is an InputError naming the field and what it takes. */
export function spikeFilters(query: WebContext["query"]): SpikeFilters {
  const given = (k: string) => (query[k] ?? "").trim() || undefined;
  const f: SpikeFilters = {};
  const from = given("from");
  const to = given("to");
  const event = given("event");
  const confidence = given("confidence");
  if (from) f.from = checkDay(from, "from");
  if (to) f.to = checkDay(to, "to");
  if (event !== undefined) {
    if (!/^\d{1,18}$/.test(event)) throw new InputError(`event must be a GDELT GLOBALEVENTID (digits), got "${event}"`);
    f.event = Number(event);
  }
  if (confidence !== undefined) {
    if (!CONFIDENCES.includes(confidence)) throw new InputError(`confidence must be one of ${CONFIDENCES.join(", ")}, got "${confidence}"`);
    f.confidence = confidence;
  }
  return f;
}

export const chartLink = (eventId: number | string, day: string) => `${href("/spikes/chart")}?event=${encodeURIComponent(String(eventId))}&day=${encodeURIComponent(day)}`;

export async function spikesPage(ctx: WebContext): Promise<Page> {
  const f = spikeFilters(ctx.query);
  const rows = await webQuery<SpikeRow>(ctx.session, "web-spikes", {
    models: ["mention_spikes", "int_focus_events"],
    when: { from_day: f.from !== undefined, to_day: f.to !== undefined, event: f.event !== undefined, confidence: f.confidence !== undefined },
    params: { row_limit: SPIKES_SHOWN, ...(f.from ? { from_day: f.from } : {}), ...(f.to ? { to_day: f.to } : {}), ...(f.event !== undefined ? { event_id: f.event } : {}), ...(f.confidence ? { confidence: f.confidence } : {}) },
  });
  const options = ["", ...CONFIDENCES].map((c) => `<option value="${c}"${c === (f.confidence ?? "") ? " selected" : ""}>${c || "any"}</option>`).join("");
  const form = `<form class="filters" method="get" action="${href("/spikes")}" aria-label="Filter spikes">
<label>From <input type="date" name="from" value="${esc(f.from)}"></label>
<label>To <input type="date" name="to" value="${esc(f.to)}"></label>
<label>Confidence <select name="confidence">${options}</select></label>
<label>Event <input type="text" name="event" inputmode="numeric" pattern="[0-9]*" size="12" value="${esc(f.event)}"></label>
<button type="submit">Filter</button> <a href="${href("/spikes")}">Clear</a>
</form>`;
  const body = rows.length
    ? table(
        ["day", "event", "mentions", "baseline", "z", "confidence", "place", "source"],
        rows.map((r) => [
          `<a href="${esc(chartLink(r.event_id, r.spike_date))}">${esc(r.spike_date)}</a>`,
          esc(r.event_id),
          esc(r.mentions),
          num(r.baseline),
          num(r.z),
          `<span class="conf conf-${esc(r.confidence).toLowerCase()}">${esc(r.confidence)}</span>`,
          esc(r.place),
          r.source_url ? `<a href="${esc(r.source_url)}" rel="noopener noreferrer">${esc(hostOf(r.source_url))}</a>` : "",
        ]),
        'id="spikes"',
      )
    : '<p id="spikes-empty">No spike matches these filters.</p>';
  const shown = `<p class="count">${rows.length === SPIKES_SHOWN ? `The newest ${SPIKES_SHOWN} spikes; narrow the filters to see others.` : `${rows.length} spike(s).`}</p>`;
  const any = `<form class="filters" method="get" action="${href("/spikes/chart")}" aria-label="Chart any event and day">
<label>Event <input type="text" name="event" inputmode="numeric" pattern="[0-9]*" size="12" required></label>
<label>Day <input type="date" name="day" required></label>
<button type="submit">Chart this event-day</button>
</form>`;
  return { title: "Spikes", body: `${form}\n${shown}\n${body}\n<h2>Why not a spike?</h2>\n<p>Chart any tracked event on any day to see which rule held.</p>\n${any}` };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
