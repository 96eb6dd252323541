/**
 * The schedule syntax of the BigQuery Data Transfer service (App Engine cron's "groc" format; the
 * times are UTC), checked before any call so a bad schedule is refused with its vwatch.yaml line.
 * Accepted (the forms the API's docs and the TransferConfig proto give):
 * - `every N minutes|mins|hours [from HH:MM to HH:MM | synchronized]`
 * - `every day HH:MM`, `every mon,wed HH:MM`, `every wed,fri of jan,jun HH:MM`
 * - `1st,3rd monday of month HH:MM`, `first sunday of quarter HH:MM`, `2nd mon of sep,oct HH:MM`
 * - `1,15 of month HH:MM`, `1 of jan,apr,jul,oct HH:MM`
 * The data source's own minimum interval (scheduled queries: 5 minutes) is left to the API.
 */
const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const ORDINALS = ["1st", "2nd", "3rd", "4th", "5th", "first", "second", "third", "fourth", "fifth"];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const isDay = (w: string) => DAYS.some((d) => d === w || d.slice(0, 3) === w);
const isMonth = (w: string) => MONTHS.some((m) => m === w || m.slice(0, 3) === w);
const list = (text: string | undefined, ok: (w: string) => boolean) => text !== undefined && text.split(",").every((w) => w !== "" && ok(w));

/** Why `schedule` is not a Data Transfer schedule, or undefined when it is one. */
export function transferScheduleProblem(schedule: string): string | undefined {
  const words = schedule.trim().toLowerCase().split(/\s+/);
  const bad = (why: string) => `"${schedule}" is not a Data Transfer schedule: ${why} (e.g. "every day 02:15", "every mon,thu 06:30", "1st monday of month 03:00", "every 6 hours")`;
  if (words[0] === "every" && /^\d+$/.test(words[1] ?? "") && ["minutes", "mins", "hours"].includes(words[2] ?? "")) {
    if (Number(words[1]) < 1) return bad("the interval must be at least 1");
    const rest = words.slice(3);
    if (!rest.length || (rest.length === 1 && rest[0] === "synchronized")) return undefined;
    if (rest.length === 4 && rest[0] === "from" && TIME.test(rest[1]) && rest[2] === "to" && TIME.test(rest[3])) return undefined;
    return bad(`after "every ${words[1]} ${words[2]}" only "from HH:MM to HH:MM" or "synchronized" may follow`);
  }
  const time = words[words.length - 1];
  if (!TIME.test(time ?? "")) return bad("it must end with a UTC time HH:MM (00:00-23:59)");
  const head = words.slice(0, -1);
  const of = head.indexOf("of");
  const period = of >= 0 ? head.slice(of + 1) : [];
  if (of >= 0 && !(period.length === 1 && (period[0] === "month" || period[0] === "quarter" || list(period[0], isMonth)))) return bad(`"of" takes month, quarter or months (jan,jun)`);
  const when = of >= 0 ? head.slice(0, of) : head;
  if (when[0] === "every" && when.length === 2 && (when[1] === "day" || list(when[1], isDay))) return undefined;
  if (when.length === 2 && list(when[0], (w) => ORDINALS.includes(w)) && (when[1] === "day" || list(when[1], isDay)) && of >= 0) return undefined;
  if (when.length === 1 && list(when[0], (w) => /^([1-9]|[12]\d|3[01])$/.test(w)) && of >= 0 && period[0] !== "quarter") return undefined;
  return bad(`"${when.join(" ")}" names no days (every day, every mon,fri, 1st monday of month, 1,15 of month)`);
}
