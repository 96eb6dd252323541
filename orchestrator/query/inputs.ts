import { InputError } from "../errors";

/**
 * The analyst queries' options, parsed and validated before any SQL runs. Times are UTC and reach
 * the warehouse as bound parameters in the form 'YYYY-MM-DD HH:MM:SS.ffffff', which BigQuery's
 * TIMESTAMP(string) and DuckDB's cast both read as UTC with microsecond precision.
 */
export interface TimeBound {
  /** The parameter value, e.g. '2024-03-01 23:59:59.999999'. */
  param: string;
  /** The same instant for people and JSON, e.g. '2024-03-01T23:59:59.999999Z'. */
  iso: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * A day or a timestamp. A bare day means its first microsecond for `edge` "start" and its last
 * (23:59:59.999999) for "end", so `--to 2024-03-01` takes in the whole of March 1st. A timestamp
 * without a zone is UTC.
 */
export function parseTimeBound(text: string, what: string, edge: "start" | "end"): TimeBound {
  const value = text.trim();
  const day = DAY.exec(value);
  const ts = day ? undefined : TIMESTAMP.exec(value);
  const m = day ?? ts;
  if (!m) throw new InputError(`${what} must be a day YYYY-MM-DD or a UTC timestamp YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM], got "${text}"`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = day ? (edge === "start" ? [0, 0, 0] : [23, 59, 59]) : [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  const micros = day ? (edge === "start" ? "000000" : "999999") : (m[7] ?? "").padEnd(6, "0");
  const offsetMinutes = ts?.[8] && ts[8].toUpperCase() !== "Z" ? offset(ts[8]) : 0;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(local);
  const valid =
    check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d && h < 24 && mi < 60 && s < 60 && Math.abs(offsetMinutes) < 24 * 60;
  if (!valid) throw new InputError(`${what} is not a valid date or time: "${text}"`);
  const utc = new Date(local - offsetMinutes * 60_000);
  const date = `${utc.getUTCFullYear()}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}`;
  const time = `${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}.${micros}`;
  return { param: `${date} ${time}`, iso: `${date}T${time}Z` };
}

function offset(zone: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** --from and --to, with from not after to. */
export function parseRange(from: string, to: string): { from: TimeBound; to: TimeBound } {
  const range = { from: parseTimeBound(from, "--from", "start"), to: parseTimeBound(to, "--to", "end") };
  if (range.from.param > range.to.param) throw new InputError(`--from ${range.from.iso} is after --to ${range.to.iso}`);
  return range;
}

const MAX_LIMIT = 10_000;

export function parseLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LIMIT) throw new InputError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got "${text}"`);
  return n;
}

const BUCKETS = ["day", "week", "month"] as const;
export type Bucket = (typeof BUCKETS)[number];

export function parseBucket(text: string): Bucket {
  const bucket = text.trim().toLowerCase();
  if (!(BUCKETS as readonly string[]).includes(bucket)) throw new InputError(`--bucket must be day, week or month, got "${text}"`);
  return bucket as Bucket;
}

/** An event type to filter on; any text (it is bound, never spliced into SQL), but not empty. */
export function parseEventType(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === "") throw new InputError("--type must not be empty");
  return text.trim();
}
