import { checkDay } from "../days";
import { InputError } from "../errors";
import { formatTable, log } from "../log";
import { readResults } from "../run/results";
import type { SyncSpikesResult } from "../sink/sync-spikes";
import type { LedgerEntry, SyncStatus } from "../sink/sync-status";
import { requireBuilt } from "../query/built";
import type { Cli } from "./context";

const PREVIEW_ROWS = 20;

interface SyncFlags {
  since?: string;
  plan?: boolean;
  json?: boolean;
  batchSize?: string;
  warehouse?: string;
  status?: boolean;
}

export function register(cli: Cli): void {
  const program = cli.program;
  program
    .command("migrate")
    .description("apply the PostgreSQL sink's schema migrations (DATABASE_URL or PG* variables, else embedded PostgreSQL under --home)")
    .option("--json", "print the result as JSON")
    .action(
      cli.action(async (opts: { json?: boolean }) => {
        const { migrate } = await import("../sink/migrate");
        const result = await cli.withSession(await cli.config(), async (session) => {
          const pg = await session.postgres();
          return { target: pg.target, ...(await migrate(pg)) };
        });
        if (opts.json) log.out(JSON.stringify(result, null, 2));
        else log.out(`${result.target}: ${result.applied.length} migration(s) applied${result.applied.length ? ` (${result.applied.join(", ")})` : ""}, ${result.alreadyApplied.length} already applied`);
        return 0;
      }),
    );

  program
    .command("sync-spikes")
    .description(
      "write the warehouse's mention_spikes to PostgreSQL data_pipeline_mentionspike: every spike PostgreSQL lacks is inserted, " +
        "existing rows are left as they are; all or nothing; migrates first",
    )
    .option("--since <date>", "only spike days from this one on, YYYY-MM-DD (default: every spike day PostgreSQL does not have in full)")
    .option("--plan", "show what would be inserted and what is already present; write nothing")
    .option("--status", "show the write-back's health: last successful sync, rows behind, failed or abandoned syncs, a sync running now; exit 1 when behind or the latest sync failed; writes nothing")
    .option("--json", "print the result as JSON")
    .option("--batch-size <rows>", "rows per batch inside the one transaction")
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .action(
      cli.action(async (opts: SyncFlags) => {
        // Checked before PostgreSQL is reached (maybe started).
        if (opts.since !== undefined) checkDay(opts.since, "--since");
        const batchSize = opts.batchSize === undefined ? undefined : wholeNumber(opts.batchSize, "--batch-size");
        if (opts.status && (opts.since !== undefined || opts.plan || batchSize !== undefined)) {
          throw new InputError("--status takes only --json and --warehouse (not --since, --plan or --batch-size)");
        }
        const config = await cli.config(opts.warehouse);
        const { runSync, runSyncStatus } = await import("../sink/run-sync");
        const { SPIKES_MODEL } = await import("../sink/spikes-model");
        return cli.withSession(config, async (session) => {
          // The output dataset as the last run used it (its --vars), else workflow_settings.yaml.
          const vars = readResults(config.home)?.options.vars;
          await requireBuilt(session, [SPIKES_MODEL], vars);
          if (opts.status) {
            const status = await runSyncStatus(session, { vars });
            reportStatus(status, Boolean(opts.json));
            return status.healthy ? 0 : 1;
          }
          const result = await runSync(session, {
            vars,
            since: opts.since,
            plan: opts.plan,
            batchSize,
            onBatch: async (p) => {
              log.info(`batch ${p.batch}/${p.batches}: ${p.rowsDone}/${p.rows} rows`);
              await cli.options.onSyncBatch?.(p);
            },
          });
          reportSync(result, Boolean(opts.json));
          // PostgreSQL is open and migrated: the runs waiting in the home folder go to the run ledger.
          if (!opts.plan) {
            const { flushPending } = await import("../ledger/pending");
            const flushed = await flushPending(config.home, await session.postgres()).catch((e) => {
              log.warn(`the runs waiting in ${config.home} were not written to the run ledger (${(e as Error).message}); the next command with PostgreSQL tries again`);
              return 0;
            });
            if (flushed) log.info(`${flushed} run(s) from the home folder written to the run ledger`);
          }
          return 0;
        });
      }),
    );
}

/** A whole number > 0 typed on the command line; refused as typed otherwise. */
function wholeNumber(raw: string, flag: string): number {
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`${flag} must be a whole number > 0, got ${JSON.stringify(raw)}`);
  return n;
}

/** "2024-01-05, 2024-02-10..2024-02-12" (the first few). */
function rangesText(ranges: { from: string; to: string }[], max = 5): string {
  const shown = ranges.slice(0, max).map((r) => (r.from === r.to ? r.from : `${r.from}..${r.to}`));
  return shown.join(", ") + (ranges.length > max ? `, … (${ranges.length} ranges)` : "");
}

function reportSync(result: SyncSpikesResult, json: boolean): void {
  if (result.abandoned?.length) log.info(`marked ${result.abandoned.length} sync${result.abandoned.length === 1 ? "" : "s"} abandoned: ${result.abandoned.join(", ")}`);
  if (json) {
    log.out(JSON.stringify(result, null, 2));
    return;
  }
  const scope = result.since ? `spike_date >= ${result.since}` : "all spike days";
  const window =
    result.daysCompared === 0
      ? `${scope}: no spikes in the warehouse`
      : `${scope}: ${result.daysRead} of ${result.daysCompared} spike days differed from PostgreSQL${result.ranges.length ? ` (${rangesText(result.ranges)})` : ""}, latest ${result.asOf}`;
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

function reportStatus(status: SyncStatus, json: boolean): void {
  if (json) {
    log.out(JSON.stringify(status, null, 2));
    return;
  }
  const s = status.lastSuccess;
  log.out(`PostgreSQL ${status.target}: ${status.healthy ? "healthy" : "NOT healthy"}`);
  log.out(s ? `last successful sync: ${s.runId} at ${s.finishedAt}, ${s.rowsRead} rows read, ${s.inserted} inserted` : "last successful sync: none");
  if (status.lastSync && status.lastSync.status !== "succeeded") log.out(`latest sync ${status.lastSync.status}: ${status.lastSync.runId}: ${status.lastSync.error ?? ""}`);
  log.out(`rows behind: ${status.rowsBehind}${status.rowsBehind ? ` (on ${status.daysBehind} spike day${status.daysBehind === 1 ? "" : "s"}; \`vwatch sync-spikes\` writes them)` : ""}`);
  for (const r of status.running) log.out(`running now: ${r.runId} (started ${r.startedAt}${r.backendPid ? `, server pid ${r.backendPid}` : ""})`);
  if (status.problems.length) {
    log.out("failed or abandoned syncs of the last 7 days:");
    log.out(formatTable(["status", "run", "started", "error"], status.problems.map((p: LedgerEntry) => [p.status, p.runId, p.startedAt, p.error])));
  }
}
