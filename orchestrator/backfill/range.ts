/** The days a backfill runs: every day from --from to --to, both included, oldest first. */
import { addDays, parseDay } from "../days";
import { InputError } from "../errors";

/**
 * The longest range a backfill takes: ten years of days, the longest window a var allows
 * (event_window_days ≤ 3650). A longer one is almost surely a typo in a year.
 */
export const MAX_BACKFILL_DAYS = 3650;

export function backfillDays(from: string | undefined, to: string | undefined): string[] {
  if (!from) throw new InputError("--from DAY is required (the first as_of day to run, YYYY-MM-DD)");
  if (!to) throw new InputError("--to DAY is required (the last as_of day to run, YYYY-MM-DD)");
  const start = parseDay(from, "--from");
  const end = parseDay(to, "--to");
  if (start > end) throw new InputError(`--from ${from} is after --to ${to}; the range runs from the older day to the newer`);
  const count = Math.round((end - start) / 86_400_000) + 1;
  if (count > MAX_BACKFILL_DAYS) {
    throw new InputError(`--from ${from} --to ${to} is ${count} days, more than a backfill takes (${MAX_BACKFILL_DAYS}); check the years, or backfill in parts`);
  }
  return Array.from({ length: count }, (_, i) => addDays(from, i));
}
