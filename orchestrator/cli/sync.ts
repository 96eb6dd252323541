import type { Command } from "commander";
import { loadConfig } from "../config";
import { checkDay } from "../days";
import { formatTable, log } from "../log";
import { readResults } from "../run/results";
import { withSink } from "../sink/connect";
import { migrate } from "../sink/migrate";
import { runSync } from "../sink/run-sync";
import type { SyncSpikesResult } from "../sink/sync-spikes";
import { requireBuilt } from "./built";

/** Test hook: pause (until killed) after this many batches, so a sync can be killed mid-way. */
const PAUSE_ENV = "VWATCH_SYNC_PAUSE_AFTER_BATCH";
const PREVIEW_ROWS = 20;

export function register(program: Command): void {
  program
    .command("migrate")
    .description("apply the PostgreSQL sink's schema migrations (DATABASE_URL or PG* variables, else embedded PostgreSQL under --home)")
    .option("--json", "print the result as JSON")
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig(program.opts());
      const result = await withSink(config, async (sink) => ({ target: sink.target, ...(await migrate(sink)) }));
      if (opts.json) log.out(JSON.stringify(result, null, 2));
      else log.out(`${result.target}: ${result.applied.length} migration(s) applied${result.applied.length ? ` (${result.applied.join(", ")})` : ""}, ${result.alreadyApplied.length} already applied`);
    });

  program
    .command("sync-spikes")
    .description(
      "write the warehouse's mention_spikes to PostgreSQL data_pipeline_mentionspike: new (event_id, spike_date) rows are inserted, " +
        "existing rows are left as they are; all or nothing; migrates first",
    )
    .option("--since <date>", "first spike_date to sync, YYYY-MM-DD (default: the latest spike_date minus lookback_days)")
    .option("--plan", "show what would be inserted and what is already present; write nothing")
    .option("--json", "print the result as JSON")
    .option("--batch-size <rows>", "rows per batch inside the one transaction", (v) => Number(v))
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .action(async (opts: { since?: string; plan?: boolean; json?: boolean; batchSize?: number; warehouse?: string }) => {
      // Checked before PostgreSQL is reached (maybe started); syncSpikes checks --batch-size.
      if (opts.since !== undefined) checkDay(opts.since, "--since");
      const config = loadConfig({ ...program.opts(), warehouse: opts.warehouse });
      await requireBuilt(config, ["mention_spikes"], readResults(config.home)?.options.vars);
      const pauseAfter = Number(process.env[PAUSE_ENV] || 0);
      const result = await runSync(config, {
        // lookback_days and the output dataset as the last run used them (its --vars), else workflow_settings.yaml.
        vars: readResults(config.home)?.options.vars,
        since: opts.since,
        plan: opts.plan,
        batchSize: opts.batchSize,
        onBatch: async (p) => {
          log.info(`batch ${p.batch}/${p.batches}: ${p.rowsDone}/${p.rows} rows`);
          if (pauseAfter && p.batch === pauseAfter) {
            log.info(`paused after batch ${p.batch} (${PAUSE_ENV})`);
            await new Promise(() => undefined);
          }
        },
      });
      reportSync(result, Boolean(opts.json));
    });
}

function reportSync(result: SyncSpikesResult, json: boolean): void {
  if (json) {
    log.out(JSON.stringify(result, null, 2));
    return;
  }
  const window = result.since ? `spike_date >= ${result.since}${result.asOf ? ` (latest ${result.asOf})` : ""}` : "no spikes in the warehouse";
  if (result.plan && result.toInsert && result.present) {
    const rows = result.toInsert.slice(0, PREVIEW_ROWS).map((r) => [r.event_id, r.spike_date, r.mention_count, r.z_score.toFixed(2), r.confidence_level]);
    if (rows.length) log.out(formatTable(["event_id", "spike_date", "mentions", "z", "confidence"], rows));
    if (result.toInsert.length > PREVIEW_ROWS) log.out(`… and ${result.toInsert.length - PREVIEW_ROWS} more`);
    log.out(`plan (${window}): ${result.read} read, ${result.inserted} would be inserted, ${result.alreadyPresent} already present; nothing written`);
    return;
  }
  log.out(formatTable(["run", "read", "inserted", "already present"], [[result.runId, result.read, result.inserted, result.alreadyPresent]]));
  log.out(`${window}${result.migrationsApplied?.length ? `; migrations applied: ${result.migrationsApplied.join(", ")}` : ""}`);
}
