import { InputError } from "./errors";

/** Calendar days as YYYY-MM-DD strings (UTC), the form vars, flags and warehouse dates use. */
const DAY_MS = 86_400_000;

/** Epoch milliseconds of a valid YYYY-MM-DD day; an InputError naming `what` otherwise. */
export function parseDay(day: string, what = "day"): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new InputError(`${what} must be a date YYYY-MM-DD, got "${day}"`);
  }
  return ms;
}

export function checkDay(day: string, what = "day"): string {
  parseDay(day, what);
  return day;
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
