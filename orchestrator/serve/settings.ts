/**
 * What `vwatch serve` needs beyond the configuration (config.ts): where it listens, whom it lets
 * in, and when the last successful run is too old. Read from flags and the environment in one
 * place; a missing or bad value is one line naming the variable and what to set.
 *
 * - PORT (Cloud Run sets it) or --port, default 8080; --host, default 0.0.0.0.
 * - VWATCH_SERVICE_URL: the service's URL, the audience every ID token must carry.
 * - VWATCH_ALLOWED_CALLERS: comma-separated e-mails (service accounts of Cloud Scheduler, of the
 *   Pub/Sub push subscription) allowed to call.
 * - VWATCH_OIDC_CERTS_URL: where the token signing keys are read (default Google's); tests point
 *   it at keys of their own.
 * - VWATCH_STALE_AFTER_HOURS: the age of the last successful run beyond which /health/detailed
 *   answers 503; default: the longest gap between two runs of the first workflow's schedule in
 *   vwatch.yaml (its cron in its time zone: 24 h for a daily run, 72 h for one on weekdays) plus 2
 *   hours, else 26.
 */
import * as fs from "fs";
import * as path from "path";
import { Cron } from "croner";
import { parse } from "yaml";
import { ConfigError } from "../errors";

export interface AuthSettings {
  audience: string;
  allowed: string[];
  certsUrl?: string;
}

export interface ServeSettings {
  port: number;
  host: string;
  /** false with --no-auth (loopback only). */
  auth: AuthSettings | false;
  staleAfterHours: number;
}

export interface ServeFlags {
  port?: string;
  host?: string;
  /** commander's --no-auth: false when given. */
  auth?: boolean;
}

const LOOPBACK = ["127.0.0.1", "::1", "localhost"];
const GRACE_HOURS = 2;

export function serveSettings(flags: ServeFlags, env: NodeJS.ProcessEnv, projectDir: string): ServeSettings {
  const portText = flags.port ?? env.PORT ?? "8080";
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`${flags.port !== undefined ? "--port" : "PORT"} must be a port number (0-65535), got "${portText}"`);
  const noAuth = flags.auth === false;
  const host = flags.host ?? (noAuth ? "127.0.0.1" : "0.0.0.0");
  if (noAuth && !LOOPBACK.includes(host)) throw new ConfigError(`--no-auth listens on the loopback interface only (127.0.0.1, ::1), not on ${host}; drop --host or set up authentication`);
  return { port, host, auth: noAuth ? false : authSettings(env), staleAfterHours: staleAfter(env, projectDir) };
}

function authSettings(env: NodeJS.ProcessEnv): AuthSettings {
  const audience = env.VWATCH_SERVICE_URL?.trim();
  if (!audience) throw new ConfigError("VWATCH_SERVICE_URL is not set: set it to the service's URL (the audience of the callers' ID tokens), or run locally with --no-auth");
  const allowed = (env.VWATCH_ALLOWED_CALLERS ?? "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (!allowed.length) throw new ConfigError("VWATCH_ALLOWED_CALLERS is not set: set it to the comma-separated e-mails allowed to call (say the Cloud Scheduler service account)");
  const bad = allowed.find((e) => !/^[^@\s]+@[^@\s]+$/.test(e));
  if (bad) throw new ConfigError(`VWATCH_ALLOWED_CALLERS: "${bad}" is not an e-mail address`);
  return { audience, allowed, ...(env.VWATCH_OIDC_CERTS_URL ? { certsUrl: env.VWATCH_OIDC_CERTS_URL } : {}) };
}

function staleAfter(env: NodeJS.ProcessEnv, projectDir: string): number {
  const raw = env.VWATCH_STALE_AFTER_HOURS;
  if (raw !== undefined && raw !== "") {
    const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(n > 0)) throw new ConfigError(`VWATCH_STALE_AFTER_HOURS must be a number of hours > 0, got "${raw}"`);
    return n;
  }
  const schedule = workflowSchedule(projectDir);
  const interval = schedule ? cronIntervalHours(schedule.cron, schedule.timeZone) : undefined;
  return (interval ?? 24) + GRACE_HOURS;
}

/** The first workflow's schedule in vwatch.yaml, if the file has one. */
function workflowSchedule(projectDir: string): { cron: string; timeZone?: string } | undefined {
  const file = path.join(projectDir, "vwatch.yaml");
  if (!fs.existsSync(file)) return undefined;
  try {
    const workflow = parse(fs.readFileSync(file, "utf8"))?.production?.workflows?.[0];
    if (typeof workflow?.cron !== "string") return undefined;
    return { cron: workflow.cron, ...(typeof workflow.timeZone === "string" ? { timeZone: workflow.timeZone } : {}) };
  } catch {
    return undefined; // `vwatch deploy` reports a bad vwatch.yaml; the server falls back to a day
  }
}

/**
 * The longest gap, in hours, between two consecutive runs of a cron schedule over the year from
 * `from` (so weekday-only runs give the weekend's 72 h, a monthly one 31 days); undefined when
 * croner cannot read it (`vwatch deploy` says why).
 */
export function cronIntervalHours(cron: string, timeZone = "Etc/UTC", from = new Date()): number | undefined {
  let job: Cron;
  try {
    job = new Cron(cron, { timezone: timeZone, paused: true });
  } catch {
    return undefined;
  }
  const end = from.getTime() + 366 * 24 * 3600_000;
  let previous = job.nextRun(from);
  let longest = 0;
  for (let i = 0; previous && previous.getTime() < end && i < 5000; i++) {
    const next = job.nextRun(previous);
    if (!next) break;
    longest = Math.max(longest, next.getTime() - previous.getTime());
    previous = next;
  }
  return longest ? longest / 3600_000 : undefined;
}
