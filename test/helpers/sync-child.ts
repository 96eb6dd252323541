import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openDuckdb, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";

/**
 * For the write-back tests that run `vwatch` as a child process (to stop it, kill it or freeze
 * its server backend): a home whose DuckDB warehouse holds spikes, and the child itself.
 */
export const SPIKES_TABLE = `"analytics"."mention_spikes"`;
const root = path.join(__dirname, "..", "..");

export interface Spike {
  event_id: number;
  spike_date: string;
  mention_count: number;
}

export async function createSpikesTable(w: DuckdbWarehouse): Promise<void> {
  await w.execute(
    `create schema if not exists analytics;
     create or replace table ${SPIKES_TABLE} (event_id bigint, spike_date date, mention_count bigint, baseline_avg double,
       baseline_stddev double, z_score double, confidence_level varchar, baseline_days bigint, detected_at timestamp)`,
  );
}

export async function addSpikes(w: DuckdbWarehouse, spikes: Spike[]): Promise<void> {
  for (let at = 0; at < spikes.length; at += 5000) {
    const values = spikes
      .slice(at, at + 5000)
      .map((s) => `(${s.event_id}, date '${s.spike_date}', ${s.mention_count}, 2.5, 1.25, 3.5, 'HIGH', 30, timestamp '${s.spike_date} 06:00:00')`);
    await w.execute(`insert into ${SPIKES_TABLE} values ${values.join(", ")}`);
  }
}

/** `perDay` spikes a day (events 1000..) on `days` consecutive days from `first`. */
export function spikesOverDays(days: number, perDay: number, first = "2024-01-01"): Spike[] {
  return Array.from({ length: days * perDay }, (_, i) => ({
    event_id: 1000 + (i % perDay),
    spike_date: new Date(Date.parse(first) + Math.floor(i / perDay) * 86_400_000).toISOString().slice(0, 10),
    mention_count: 10 + (i % 13),
  }));
}

/** A temporary --home whose warehouse.duckdb holds these spikes; remove() deletes it. */
export async function homeWithSpikes(spikes: Spike[]): Promise<{ home: string; remove: () => void }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-sync-child-"));
  const w = await openDuckdb(path.join(home, "warehouse.duckdb"));
  try {
    await createSpikesTable(w);
    await addSpikes(w, spikes);
  } finally {
    await w.close();
  }
  return { home, remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

/** The environment without any PostgreSQL settings, plus these. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PG") && k !== "DATABASE_URL" && !k.startsWith("VWATCH_")));
  return { ...env, VWATCH_WAREHOUSE: "duckdb", ...extra };
}

export interface VwatchChild {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr contains the text; rejects if the process exits first. */
  waitFor(text: string): Promise<void>;
  exited: Promise<number | null>;
}

/** The command line of a vwatch child: bin/vwatch.js, or with `pauseAfterBatch` the CLI whose sync pauses after that batch (vwatch-paused.js). */
export function vwatchCommand(args: string[], options: { pauseAfterBatch?: number } = {}): string[] {
  if (options.pauseAfterBatch === undefined) return [path.join(root, "bin", "vwatch.js"), ...args];
  return [path.join(__dirname, "vwatch-paused.js"), String(options.pauseAfterBatch), ...args];
}

/** Starts `node bin/vwatch.js --home HOME …args` with a clean environment plus `env`; `pauseAfterBatch` pauses its sync (vwatchCommand). */
export function startVwatch(home: string, args: string[], env: Record<string, string>, options: { pauseAfterBatch?: number } = {}): VwatchChild {
  const child = spawn(process.execPath, vwatchCommand(["--home", home, ...args], options), { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => {
    err += d;
    for (const w of waiters.filter((w) => err.includes(w.text))) w.resolve();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (err.includes(text)) return resolve();
        waiters.push({ text, resolve });
        exited.then((code) => reject(new Error(`vwatch exited (${code}) before printing "${text}":\n${err}`)));
      }),
  };
}

/** Runs vwatch to the end: its exit code and output. */
export async function runVwatch(home: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = startVwatch(home, args, env);
  const code = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}
