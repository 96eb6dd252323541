import { InputError } from "../errors";

/** A range of GDELT file times, both ends inclusive, as YYYYMMDDHHMMSS (UTC). */
export interface TimeRange {
  from: string;
  to: string;
}

/** YYYYMMDDHHMMSS of a Date, UTC. */
export const gdeltTime = (d: Date) => d.toISOString().replace(/[-:T]/g, "").slice(0, 14);

/**
 * The range of `--from TIME --to TIME` or `--days N` (the N days ending now). TIME is GDELT's
 * YYYYMMDDHHMMSS or an ISO date/time (UTC unless it says otherwise); `--to` defaults to now.
 */
export function parseRange(opts: { from?: string; to?: string; days?: string }, now: Date): TimeRange {
  if (opts.days !== undefined) {
    if (opts.from !== undefined || opts.to !== undefined) throw new InputError("give either --days or --from/--to, not both");
    if (!/^\d+$/.test(opts.days) || Number(opts.days) < 1) throw new InputError(`--days must be a whole number of days, at least 1, got "${opts.days}"`);
    return { from: gdeltTime(new Date(now.getTime() - Number(opts.days) * 86_400_000)), to: gdeltTime(now) };
  }
  if (opts.from === undefined) throw new InputError("say which files to fetch: --days N (the last N days) or --from TIME [--to TIME]");
  const range = { from: parseTime(opts.from, "--from"), to: opts.to === undefined ? gdeltTime(now) : parseTime(opts.to, "--to") };
  if (range.from > range.to) throw new InputError(`--from ${opts.from} is after --to ${opts.to ?? "(now)"}`);
  return range;
}

function parseTime(text: string, flag: string): string {
  const bad = () => new InputError(`${flag}: expected YYYYMMDDHHMMSS (GDELT's file time, UTC) or an ISO date/time such as 2026-11-01T06:00Z, got "${text}"`);
  if (/^\d{14}$/.test(text)) {
    const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(8, 10)}:${text.slice(10, 12)}:${text.slice(12)}Z`;
    const d = new Date(iso);
    if (Number.isNaN(d.getTime()) || gdeltTime(d) !== text) throw bad();
    return text;
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) throw bad();
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) || text.length === 10 ? text : `${text}Z`;
  const d = new Date(zoned.replace(" ", "T"));
  if (Number.isNaN(d.getTime())) throw bad();
  return gdeltTime(d);
}
