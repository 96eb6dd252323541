/**
 * Checks of the schedule values the Dataform service takes, so a bad one is refused with its
 * vwatch.yaml line before any call: a cron schedule (five fields, Unix cron) and a time zone
 * (an IANA tz database name such as `Etc/UTC` or `America/Caracas`).
 */

const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

/** Why `cron` is not a five-field cron schedule, or undefined when it is one. */
export function cronProblem(cron: string): string | undefined {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return `a cron schedule has 5 fields (minute hour day-of-month month day-of-week), "${cron}" has ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const field = FIELDS[i];
    for (const item of parts[i].split(",")) {
      const problem = itemProblem(item, field);
      if (problem) return `"${cron}": ${field.name} ${problem}`;
    }
  }
  return undefined;
}

function itemProblem(item: string, field: (typeof FIELDS)[number]): string | undefined {
  const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
  if (!m) return `"${item}" is not *, a value, a range a-b or a step x/n`;
  if (m[2] !== undefined && Number(m[2]) < 1) return `step "${item}" must be at least 1`;
  if (m[1] === "*") return undefined;
  const bounds = m[1].split("-").map((v) => value(v, field));
  if (bounds.some((b) => b === undefined)) return `"${item}" is out of range ${field.min}-${field.max}`;
  if (bounds.length === 2 && bounds[0]! > bounds[1]!) return `range "${item}" runs backwards`;
  return undefined;
}

function value(text: string, field: (typeof FIELDS)[number]): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (field.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

/** Whether `zone` is a time zone name of the tz database that this Node.js knows. */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
