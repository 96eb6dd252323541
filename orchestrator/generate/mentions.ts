import { parseDay } from "../days";
import { InputError } from "../errors";
import { cumulative, hashString, mixSeed, normal, pickCumulative, poisson, rng, type Rng } from "./random";

/**
 * Synthetic GDELT 2.0 mentions (`*.mentions.CSV`, 16 tab-separated columns) for given events:
 * a pure, seeded function of its spec (same spec → same rows → same bytes); mention-files.ts
 * writes them.
 *
 * The model, per event e and UTC day d of the window (documented again in SYNTHETIC.md):
 * - nothing before the event's first sighting (its DATEADDED; events given only by id start at
 *   the window's first slice): GDELT only creates a GLOBALEVENTID when it first sees the event;
 * - expected coverage w_e·(exp(−age/τ_e) + tail_e + bursts), age in days since the sighting,
 *   w_e lognormal (some stories are bigger), τ_e 0.7–2.5 days (news decays fast), tail_e 3–8%
 *   (an ongoing story keeps a trickle), weekends ×0.75;
 * - bursts: each event-day after the sighting day starts a burst with probability 3%, adding
 *   0.6–1.6× the event's first-day level, decaying with τ 0.5–1 day (the story resurfaces);
 * - everything is scaled so the window averages `rowsPerDay` rows per day, then each event-day
 *   draws a Poisson count, spread over the day's 96 fifteen-minute slices with a diurnal curve
 *   peaking around 14:00 UTC.
 * Each event-day has its own random stream (seed, event id, day), so adding events or days does
 * not change the rows of the others.
 */
export interface SyntheticEvent {
  /** GLOBALEVENTID. */
  id: number;
  /** DATEADDED (YYYYMMDDHHMMSS), when known: no mention precedes it. */
  eventTime?: string;
  /** AvgTone, when known: documents' tone scatters around it. */
  tone?: number;
}

export interface MentionsSpec {
  events: readonly SyntheticEvent[];
  /** Number of UTC days, ending with `end`. */
  days: number;
  /** Last day, YYYY-MM-DD. */
  end: string;
  seed: string | number;
  /** Average rows per day over the window (default 100). */
  rowsPerDay?: number;
}

/** One mention row, field for field (MentionDocTranslationInfo and Extras are always empty). */
export interface MentionRow {
  globalEventId: number;
  eventTimeDate: string;
  mentionTimeDate: string;
  mentionType: number;
  sourceName: string;
  identifier: string;
  sentenceId: number;
  actor1CharOffset: number;
  actor2CharOffset: number;
  actionCharOffset: number;
  inRawText: number;
  confidence: number;
  docLen: number;
  docTone: number;
}

export interface MentionSlice {
  /** YYYYMMDD */
  day: string;
  /** MentionTimeDate of every row, YYYYMMDDHHMMSS. */
  time: string;
  rows: MentionRow[];
}

const DAY_MS = 86_400_000; // days here are epoch milliseconds: the generator works in time slices
const SLICES = 96;
/** Real distribution of Confidence in the 2015-02-18 mentions (multiples of 10). */
const CONFIDENCE = cumulative([5840, 9699, 2158, 4686, 2643, 3729, 421, 2230, 96, 5706]);
const DIURNAL = cumulative(Array.from({ length: SLICES }, (_, s) => 1 + 0.6 * Math.sin(2 * Math.PI * (s / SLICES - 1 / 3))));
const OUTLETS = [
  "diario-andino", "caribbean-wire", "global-ledger", "noticias-del-sur", "energy-desk", "latam-monitor", "the-morning-post",
  "world-briefing", "petro-report", "orinoco-times", "hemisphere-news", "capital-herald", "el-correo-digital", "market-watchers",
  "coastal-gazette", "the-daily-dispatch", "la-voz-regional", "asia-pacific-review", "euro-observer", "radio-continental",
].map((name) => `${name}.synthetic.example`);
const OUTLET_WEIGHTS = cumulative(OUTLETS.map((_, i) => 1 / (i + 1)));
const SECTIONS = ["world", "americas", "politics", "business", "energy", "news"];
const WORDS = ["venezuela", "caracas", "opposition", "government", "oil", "protest", "talks", "economy", "crisis", "election", "court", "sanctions", "inflation", "border", "minister", "rally"];

function parseGdeltTime(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) throw new InputError(`expected a GDELT time YYYYMMDDHHMMSS, got "${text}"`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

function gdeltTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

interface EventPlan {
  event: SyntheticEvent;
  onset: number;
  eventTimeDate: string;
  /** Unscaled expected coverage per window day. */
  curve: number[];
}

function planEvent(event: SyntheticEvent, seed: number, start: number, days: number): EventPlan {
  const r = rng(mixSeed(seed, event.id, 0x5eed));
  const weight = Math.exp(0.8 * normal(r));
  const tau = 0.7 + 1.8 * r();
  const tail = 0.03 + 0.05 * r();
  const onset = event.eventTime ? parseGdeltTime(event.eventTime) : start;
  const curve: number[] = [];
  const bursts: { at: number; size: number; tau: number }[] = [];
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY_MS;
    const dayEnd = dayStart + DAY_MS;
    if (dayEnd <= onset) {
      curve.push(0);
      continue;
    }
    const br = rng(mixSeed(seed, event.id, d, 0xb0057));
    if (dayStart > onset && br() < 0.03) bursts.push({ at: d, size: 0.6 + br(), tau: 0.5 + 0.5 * br() });
    const age = Math.max(0, (dayStart + DAY_MS / 2 - onset) / DAY_MS);
    const share = Math.min(1, (dayEnd - onset) / DAY_MS);
    let level = Math.exp(-age / tau) + tail;
    for (const b of bursts) level += b.size * Math.exp(-(d - b.at) / b.tau);
    const weekday = new Date(dayStart).getUTCDay();
    curve.push(weight * share * level * (weekday === 0 || weekday === 6 ? 0.75 : 1));
  }
  return { event, onset, eventTimeDate: gdeltTime(onset), curve };
}

function plan(spec: MentionsSpec) {
  if (!Number.isInteger(spec.days) || spec.days < 1) throw new InputError(`--days must be a positive integer, got ${spec.days}`);
  const rowsPerDay = spec.rowsPerDay ?? 100;
  if (!(rowsPerDay > 0) || !Number.isFinite(rowsPerDay)) throw new InputError(`--rows-per-day must be a number > 0, got ${rowsPerDay}`);
  if (spec.events.length === 0) throw new InputError("no events to generate mentions for");
  const seed = typeof spec.seed === "number" ? spec.seed >>> 0 : hashString(spec.seed);
  const start = parseDay(spec.end, "--end") - (spec.days - 1) * DAY_MS;
  const plans = spec.events.map((e) => planEvent(e, seed, start, spec.days));
  const total = plans.reduce((sum, p) => sum + p.curve.reduce((a, b) => a + b, 0), 0);
  if (total === 0) throw new InputError(`every event was first seen after ${spec.end}; no mentions can be generated`);
  return { plans, seed, start, scale: (rowsPerDay * spec.days) / total };
}

/**
 * The rows, one non-empty 15-minute slice at a time in time order (a generator, so 10M rows
 * never sit in memory at once). Within a slice, rows follow the order of `spec.events`.
 */
export function generateMentionSlices(spec: MentionsSpec): Generator<MentionSlice> {
  // Checked now, not at the first slice: a bad spec fails before anything is written.
  return slices(spec, plan(spec));
}

function* slices(spec: MentionsSpec, { plans, seed, start, scale }: ReturnType<typeof plan>): Generator<MentionSlice> {
  for (let d = 0; d < spec.days; d++) {
    const dayStart = start + d * DAY_MS;
    const day = gdeltTime(dayStart).slice(0, 8);
    // Each event-day draws its count and slices first, then its rows slice by slice, all
    // from its own stream.
    const draws = plans.flatMap((p) => {
      const mean = p.curve[d] * scale;
      if (mean <= 0) return [];
      const r = rng(mixSeed(seed, p.event.id, d));
      const n = poisson(r, mean);
      const firstSlice = Math.max(0, Math.ceil((p.onset - dayStart) / 900_000));
      const counts = new Uint32Array(SLICES);
      for (let k = 0; k < n; k++) {
        let slice = pickCumulative(r, DIURNAL);
        if (slice < firstSlice) slice = firstSlice + Math.floor(r() * (SLICES - firstSlice));
        counts[slice]++;
      }
      return [{ p, r, counts, k: 0 }];
    });
    for (let s = 0; s < SLICES; s++) {
      const time = `${day}${String(Math.floor(s / 4)).padStart(2, "0")}${String((s % 4) * 15).padStart(2, "0")}00`;
      const rows: MentionRow[] = [];
      for (const draw of draws) {
        for (let j = 0; j < draw.counts[s]; j++) rows.push(mention(draw.r, draw.p, time, draw.k++));
      }
      if (rows.length > 0) yield { day, time, rows };
    }
  }
}

function mention(r: Rng, p: EventPlan, time: string, k: number): MentionRow {
  const outlet = OUTLETS[pickCumulative(r, OUTLET_WEIGHTS)];
  const word = () => WORDS[Math.floor(r() * WORDS.length)];
  const slug = `${word()}-${word()}-${word()}`;
  const docLen = Math.max(300, Math.round(Math.exp(Math.log(3200) + 0.6 * normal(r))));
  const sentenceId = Math.min(80, 1 + Math.floor(-Math.log(1 - r()) * 7));
  const action = Math.min(docLen - 1, sentenceId * 140 + Math.floor(r() * 140));
  const words = Math.max(50, Math.round(docLen / 6));
  const target = (p.event.tone ?? -3) + 3 * normal(r);
  const net = Math.round((target * words) / 100);
  return {
    globalEventId: p.event.id,
    eventTimeDate: p.eventTimeDate,
    mentionTimeDate: time,
    mentionType: 1,
    sourceName: outlet,
    identifier: `http://www.${outlet}/${time.slice(0, 4)}/${time.slice(4, 6)}/${time.slice(6, 8)}/${SECTIONS[Math.floor(r() * SECTIONS.length)]}/${slug}-${p.event.id}-${time.slice(8, 12)}${k}.html`,
    sentenceId,
    actor1CharOffset: r() < 0.15 ? -1 : Math.max(0, action - Math.floor(r() * 80)),
    actor2CharOffset: r() < 0.3 ? -1 : Math.min(docLen - 1, action + Math.floor(r() * 80)),
    actionCharOffset: action,
    inRawText: r() < 0.48 ? 1 : 0,
    confidence: 10 * (1 + pickCumulative(r, CONFIDENCE)),
    docLen,
    docTone: Number(((net * 100) / words).toPrecision(15)),
  };
}

/** One tab-separated line, as in `*.mentions.CSV` (no line break). */
export function formatMentionRow(m: MentionRow): string {
  return `${m.globalEventId}\t${m.eventTimeDate}\t${m.mentionTimeDate}\t${m.mentionType}\t${m.sourceName}\t${m.identifier}\t${m.sentenceId}\t${m.actor1CharOffset}\t${m.actor2CharOffset}\t${m.actionCharOffset}\t${m.inRawText}\t${m.confidence}\t${m.docLen}\t${m.docTone}\t\t`;
}
