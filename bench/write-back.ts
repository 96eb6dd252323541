import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfig } from "../orchestrator/config";
import { formatTable, log } from "../orchestrator/log";
import { openSink, type PgSink } from "../orchestrator/postgres/connect";
import { migrate } from "../orchestrator/sink/migrate";
import { copyChunks, parseLine, readSpikeLines, SPIKE_COLUMNS } from "../orchestrator/sink/spike-rows";
import { SPIKES_PG_TABLE, syncSpikes } from "../orchestrator/sink/sync-spikes";
import { openDuckdb } from "../orchestrator/warehouse/duckdb/adapter";
import { median } from "./util";

/**
 * Writing 200k spikes back to PostgreSQL: our sync (warehouse read included) against a raw COPY
 * of the same rows into the empty table and a row-by-row INSERT loop, on the same server; then a
 * re-sync of 200k rows that are all present already (it compares the keys per spike day and
 * reads nothing more). The server is DATABASE_URL / PG* when set,
 * else the embedded one (in a temporary home). Everything happens in a scratch schema that is
 * dropped at the end. Goals: ours >= 0.6x COPY rows/s, >= 15x row-by-row, re-sync >= 1x COPY.
 */
const TABLE = `"analytics"."mention_spikes"`;
/** The same table's BigQuery name, as the sync's queries take it. */
const SPIKES = "`analytics.mention_spikes`";
const REPEATS = 3;

export async function benchWriteBack(opts: { rows?: number } = {}): Promise<Record<string, number>> {
  const rows = opts.rows ?? Number(process.env.BENCH_WRITE_BACK_ROWS || 200_000);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-bench-write-back-"));
  const schema = `vwatch_bench_${process.pid}`;
  const config = loadConfig({ home });
  const warehouse = await openDuckdb(":memory:");
  const pg = await openSink(config, process.env, { options: `-c search_path=${schema}` });
  try {
    log.info(`write-back of ${rows} spikes to ${pg.target} (schema ${schema})`);
    await warehouse.execute(
      `create schema analytics;
       create table ${TABLE} as
       select 800000000 + i % 5000 as event_id,
         date '2024-01-01' + (i // 5000)::int as spike_date,
         3 + (i * 7) % 200 as mention_count,
         1.0 + (i % 97) / 10.0 as baseline_avg,
         0.5 + (i % 13) / 7.0 as baseline_stddev,
         2.0 + (i % 1000) / 99.0 as z_score,
         ['LOW', 'MEDIUM', 'HIGH'][1 + i % 3] as confidence_level,
         30 as baseline_days,
         timestamp '2024-03-01 02:00:00' + to_seconds(i) as detected_at
       from range(${rows}) as t(i)`,
    );
    // The same COPY text our sync sends, read once: the baselines do not pay the warehouse read.
    const data = await readSpikeLines(warehouse, SPIKES, [{ from: "1970-01-01", to: "9999-12-31" }]);
    const fresh = async () => {
      await pg.execute(`drop schema if exists ${schema} cascade`);
      await pg.execute(`create schema ${schema}`);
      await migrate(pg);
    };

    const ours: number[] = [];
    const resync: number[] = [];
    const copy: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      await fresh();
      ours.push(await timed(() => syncSpikes({ warehouse, spikesTable: SPIKES, pg, runId: `bench-${i}` })));
      resync.push(await timed(() => syncSpikes({ warehouse, spikesTable: SPIKES, pg, runId: `bench-re-${i}` })));
      await fresh();
      copy.push(await timed(() => rawCopy(pg, data)));
    }
    await fresh();
    const rowByRow = await timed(() => insertLoop(pg, data));

    const rate = (s: number) => rows / s;
    const result = {
      rows,
      oursSeconds: median(ours),
      copySeconds: median(copy),
      rowByRowSeconds: rowByRow,
      resyncSeconds: median(resync),
      oursRowsPerSecond: rate(median(ours)),
      copyRowsPerSecond: rate(median(copy)),
      rowByRowRowsPerSecond: rate(rowByRow),
      resyncRowsPerSecond: rate(median(resync)),
      oursVsCopy: median(copy) / median(ours),
      oursVsRowByRow: rowByRow / median(ours),
      resyncVsCopy: median(copy) / median(resync),
    };
    const line = (name: string, s: number, goal: string, ratio?: number) => [name, s.toFixed(3), Math.round(rate(s)), ratio === undefined ? "" : `${ratio.toFixed(2)}x`, goal];
    log.out(
      formatTable(
        ["approach", "seconds", "rows/s", "vs baseline", "goal"],
        [
          line("ours: sync-spikes (warehouse read + probe + COPY, one transaction)", result.oursSeconds, ">= 0.6x COPY, >= 15x row-by-row", result.oursVsCopy),
          line("raw COPY into the empty table", result.copySeconds, "baseline"),
          line("row-by-row INSERT … ON CONFLICT DO NOTHING loop", result.rowByRowSeconds, ""),
          line("ours: re-sync, every row already present", result.resyncSeconds, ">= 1x COPY", result.resyncVsCopy),
        ],
      ),
    );
    log.out(
      `ours ${result.oursVsCopy.toFixed(2)}x COPY rows/s (goal 0.6), ${result.oursVsRowByRow.toFixed(1)}x row-by-row (goal 15), ` +
        `re-sync ${result.resyncVsCopy.toFixed(2)}x COPY (goal 1); medians of ${REPEATS} (row-by-row: 1 run)`,
    );
    return result;
  } finally {
    await pg.execute(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await pg.close();
    await warehouse.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function rawCopy(pg: PgSink, lines: string[]): Promise<void> {
  await pg.transaction(() => pg.copyIn(`copy ${SPIKES_PG_TABLE} (${SPIKE_COLUMNS.join(", ")}) from stdin`, copyChunks(lines)));
}

async function insertLoop(pg: PgSink, lines: string[]): Promise<void> {
  const rows = lines.map(parseLine);
  await pg.transaction(async () => {
    for (const r of rows) {
      await pg.execute(
        `insert into ${SPIKES_PG_TABLE} (${SPIKE_COLUMNS.join(", ")}) values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (event_id, spike_date) do nothing`,
        [r.event_id, r.spike_date, r.mention_count, r.baseline_avg, r.baseline_stddev, r.z_score, r.confidence_level, r.detected_at],
      );
    }
  });
}

if (require.main === module) {
  benchWriteBack().catch((e) => {
    log.error(e?.stack ?? String(e));
    process.exit(1);
  });
}
