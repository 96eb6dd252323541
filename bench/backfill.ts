import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { runBackfill } from "../orchestrator/backfill/backfill";
import { compileWithVars } from "../orchestrator/compile/with-vars";
import { loadConfig } from "../orchestrator/config";
import { addDays } from "../orchestrator/days";
import { writeMentionFiles } from "../orchestrator/generate/mention-files";
import { loadGdeltFiles } from "../orchestrator/load/gdelt";
import { formatTable, log } from "../orchestrator/log";
import { productHooks } from "../orchestrator/product";
import { withSession } from "../orchestrator/run/session";
import { warehouseFile } from "../orchestrator/warehouse/open";
import type { Figure } from "./util";

/**
 * `vwatch backfill` over 90 days (issue 16): what it reads against 90 full refreshes, and its time
 * against 90 separate `vwatch run` processes (one per day, as a daily schedule runs them).
 * Data: 30 days of history then the 90 days, 10 Venezuela events added each day, seeded
 * synthetic mentions (BENCH_BACKFILL_ROWS, default 300,000). The processes are timed for the
 * first BENCH_BACKFILL_PROCESSES days (default 10; 90 times them all) and their mean counted 90 times.
 */
const root = path.join(__dirname, "..");
const END = "2024-06-30";
const RANGE = 90;
const EVENTS_PER_DAY = 10;
const FIRST_EVENT_ID = 800_000_001;
/** Issue 16's goal: the backfill reads at most 35/90 of what 90 full refreshes read. */
const READ_GOAL = 35 / 90;

export interface BackfillBench {
  mentionRows: number;
  backfillSeconds: number;
  processSeconds: number;
  processesTimed: number;
  rowsReadBackfill: number;
  rowsReadFullRefreshes: number;
  rowsReadWholeHistory: number;
}

const dayKey = (day: string) => day.replace(/-/g, "");

function writeEvents(dir: string, days: string[]): { files: string[]; events: { id: number; eventTime: string }[] } {
  const sample = path.join(root, "samples", "gdelt", "20150218230000.export.CSV.gz");
  const template = zlib.gunzipSync(fs.readFileSync(sample)).toString("utf8").split("\n")[0].split("\t");
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const events: { id: number; eventTime: string }[] = [];
  days.forEach((day, d) => {
    const lines = Array.from({ length: EVENTS_PER_DAY }, (_, i) => {
      const id = FIRST_EVENT_ID + d * EVENTS_PER_DAY + i;
      events.push({ id, eventTime: `${dayKey(day)}000000` });
      const f = [...template];
      f[0] = String(id);
      f[7] = "VEN";
      f[53] = "US";
      f[59] = `${dayKey(day)}000000`;
      return f.join("\t");
    });
    // One file per day added: GDELT partitions events by their file's time.
    const file = path.join(dir, `${dayKey(day)}000000.export.CSV`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    files.push(file);
  });
  return { files, events };
}

/** A `vwatch run` process for one day, as a daily schedule starts it; its seconds. */
function runProcess(home: string, asOf: string): number {
  const args = ["--home", home, "-q", "run", "--tags", "mentions", "--no-sync", "--vars", `as_of=${asOf}`];
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(root, "bin", "vwatch.js"), ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`vwatch ${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function benchBackfill(opts: { rows?: number; processes?: number } = {}): Promise<BackfillBench> {
  const rows = opts.rows ?? Number(process.env.BENCH_BACKFILL_ROWS ?? 300_000);
  const processes = Math.min(RANGE, opts.processes ?? Number(process.env.BENCH_BACKFILL_PROCESSES ?? 10));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-bench-backfill-"));
  try {
    const home = path.join(work, "backfill");
    const config = loadConfig({ home, projectDir: root });
    const window = Number(compileWithVars(config, {}).projectConfig.vars?.event_window_days ?? 30);
    const total = window + RANGE;
    const first = addDays(END, -(total - 1));
    const from = addDays(END, -(RANGE - 1));
    const allDays = Array.from({ length: total }, (_, i) => addDays(first, i));
    log.info(`generating ${rows} mention rows over ${total} days (${first} .. ${END}), ${EVENTS_PER_DAY} events added a day`);
    const { files, events } = writeEvents(path.join(work, "in"), allDays);
    const written = await writeMentionFiles({ events, days: total, end: END, seed: "bench-backfill", rowsPerDay: rows / total }, { outDir: path.join(work, "in", "mentions"), per: "day", gzip: false });
    const mentionFiles = written.files.map((f) => path.join(work, "in", "mentions", f.name));
    const failed = (await loadGdeltFiles(warehouseFile(config), [...files, ...mentionFiles], { tmpDir: work })).filter((r) => r.status === "failed");
    if (failed.length) throw new Error(`generated files did not load: ${failed.map((r) => r.error).join("; ")}`);
    // A copy of the loaded home for the processes, before anything is built.
    const processHome = path.join(work, "processes");
    fs.mkdirSync(processHome);
    fs.copyFileSync(warehouseFile(config), path.join(processHome, "warehouse.duckdb"));

    log.info(`backfilling ${from} .. ${END}`);
    let t = performance.now();
    const { code, result } = await withSession(config, productHooks, (s) => runBackfill(s, { from, to: END, tags: ["mentions"], writeBack: false, json: true }));
    const backfillSeconds = (performance.now() - t) / 1000;
    if (code !== 0) throw new Error(`the backfill failed on ${result.failedDay}: ${JSON.stringify(result.failures)}`);

    // What a day reads: the staging view hands the models the mention partitions of
    // [as_of - event_window_days, as_of] (BigQuery bills those partitions), whether the day's run
    // merges (the backfill) or rebuilds (a full refresh). Counted per partition from the table.
    const perDay = new Map<string, number>();
    await withSession(config, productHooks, async (s) => {
      const w = await s.warehouse();
      const counted = await w.run<{ day: string; n: number | string }>(
        "select format_date('%Y-%m-%d', date(_PARTITIONTIME)) as day, count(*) as n from `gdelt-bq.gdeltv2.eventmentions_partitioned` group by day",
      );
      for (const r of counted) perDay.set(r.day, Number(r.n));
    });
    const readOn = (asOf: string) => Array.from({ length: window + 1 }, (_, i) => perDay.get(addDays(asOf, -i)) ?? 0).reduce((a, b) => a + b, 0);
    const rangeDays = allDays.slice(window);
    const rowsReadBackfill = rangeDays.reduce((sum, d) => sum + readOn(d), 0);
    const loadedBefore = (asOf: string) => [...perDay].filter(([d]) => d <= asOf).reduce((sum, [, n]) => sum + n, 0);
    const rowsReadWholeHistory = rangeDays.reduce((sum, d) => sum + loadedBefore(d), 0);

    log.info(`timing ${processes} \`vwatch run\` processes, one per day from ${from}`);
    t = performance.now();
    const processTimes = rangeDays.slice(0, processes).map((d) => runProcess(processHome, d));
    const processSeconds = (processTimes.reduce((a, b) => a + b, 0) / processes) * RANGE;

    const bench: BackfillBench = {
      mentionRows: written.rows,
      backfillSeconds,
      processSeconds,
      processesTimed: processes,
      rowsReadBackfill,
      rowsReadFullRefreshes: rowsReadBackfill,
      rowsReadWholeHistory,
    };
    log.out(
      formatTable(
        ["90-day backfill of `--tags mentions`", "value"],
        [
          ["mention rows loaded", written.rows.toLocaleString("en-US")],
          ["backfill, one process (s)", backfillSeconds.toFixed(1)],
          [`90 \`vwatch run\` processes (s, ${processes === RANGE ? "all timed" : `mean of ${processes} x 90`})`, processSeconds.toFixed(1)],
          ["speed-up", `${(processSeconds / backfillSeconds).toFixed(2)}x`],
          ["mention rows read: backfill (each day its window)", rowsReadBackfill.toLocaleString("en-US")],
          ["mention rows read: 90 full refreshes (same windows)", rowsReadBackfill.toLocaleString("en-US")],
          ["mention rows read: 90 runs reading all history", rowsReadWholeHistory.toLocaleString("en-US")],
          ["backfill / all-history runs", (rowsReadBackfill / rowsReadWholeHistory).toFixed(3)],
        ],
      ),
    );
    return bench;
  } finally {
    if (!process.env.BENCH_KEEP) fs.rmSync(work, { recursive: true, force: true });
    else log.info(`kept ${work}`);
  }
}

/**
 * Issue 16's figures. The read goal is not met by design of the models, not of the backfill: a
 * full refresh here reads the same window as an incremental day (the staging view prunes the
 * mention partitions to event_window_days), so the two read alike (see bench/README.md).
 */
export function backfillFigures(b: BackfillBench): Figure[] {
  return [
    { name: "90-day backfill: mention rows read vs 90 full refreshes", value: Number((b.rowsReadBackfill / b.rowsReadFullRefreshes).toFixed(3)), unit: "", goal: Number(READ_GOAL.toFixed(3)) },
    { name: "90-day backfill: speed-up vs 90 `vwatch run` processes", value: b.processSeconds / b.backfillSeconds, unit: "x", goal: 1, atLeast: true, note: b.processesTimed === RANGE ? undefined : `processes: mean of ${b.processesTimed} x 90` },
  ];
}

if (require.main === module) {
  log.setQuiet(false);
  benchBackfill()
    .then((b) => log.out(JSON.stringify(b)))
    .catch((e) => {
      log.error(e?.stack ?? String(e));
      process.exit(1);
    });
}
