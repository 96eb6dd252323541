import type { Command } from "commander";
import { loadConfig, type Config } from "../config";
import { InputError } from "../errors";
import { log } from "../log";
import { executeRun, type RunRequest } from "../run/execute";
import { readResults } from "../run/results";
import type { RunRecord } from "../run/results";
import { failedAssertionDetails, shortName, summaryTable } from "../run/summary";
import { runSync } from "../sink/run-sync";
import type { SyncSpikesResult } from "../sink/sync-spikes";

export function parseVars(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const vars: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new InputError(`--vars expects k=v,k2=v2; got "${pair}"`);
    vars[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return vars;
}

const list = (value: string, previous: string[] = []) => previous.concat(value.split(",").map((v) => v.trim()).filter(Boolean));

/** Prints the summary, writes --json, and sets the exit code from the run's outcome. */
export function report(record: RunRecord, json: boolean): void {
  if (json) log.out(JSON.stringify(record, null, 2));
  else {
    // A dry run's statements are its output (in --json they are in each action's `statements`).
    if (record.options.dryRun) for (const a of record.actions) for (const sql of a.statements ?? []) log.out(`-- ${a.name}\n${sql.trim()};\n`);
    log.info("");
    log.info(summaryTable(record.actions, record.warehouse, record.project.defaultDatabase));
    for (const detail of failedAssertionDetails(record.actions, record.project.defaultDatabase)) log.info(detail);
    log.info("");
    // Printed even with -q: what failed, then the counts.
    for (const a of record.actions) if (a.status === "failed") log.summary(`failed: ${shortName(a, record.project.defaultDatabase)}: ${a.error?.message ?? "(no message)"}`);
    const s = record.summary;
    const done = record.options.dryRun ? `${s.planned ?? 0} planned` : `${s.success} succeeded`;
    log.summary(`${done}, ${s.failed} failed, ${s.skipped} skipped${s.disabled ? `, ${s.disabled} disabled` : ""}${s.warning ? `, ${s.warning} warning` : ""}`);
  }
  if (record.summary.failed > 0 || record.summary.skipped > 0) process.exitCode = 1;
}

export function register(program: Command): void {
  program
    .command("run")
    .description("run the project's actions in dependency order (locally on DuckDB by default)")
    .option("--tags <tags...>", "only actions with any of these tags", list)
    .option("--actions <names...>", "only these actions (name or database.schema.name)", list)
    .option("--include-deps", "also run what the selected actions depend on")
    .option("--include-dependents", "also run what depends on the selected actions")
    .option("--full-refresh", "rebuild incremental tables from scratch (protected tables are never rebuilt)")
    .option("--dry-run", "print every statement without executing")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars")
    .option("--json", "print the run results as JSON")
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .option("--no-sync", "do not write the spikes to PostgreSQL after mention_spikes runs")
    .action(async (opts) => {
      const config = loadConfig({ ...program.opts(), warehouse: opts.warehouse });
      const request: RunRequest = {
        tags: opts.tags,
        actions: opts.actions,
        includeDeps: opts.includeDeps,
        includeDependents: opts.includeDependents,
        fullRefresh: opts.fullRefresh,
        dryRun: opts.dryRun,
        vars: parseVars(opts.vars),
      };
      const record = await executeRun(config, request);
      report(record, Boolean(opts.json));
      if (opts.sync) await syncAfterRun(config, record, Boolean(opts.json));
    });

  program
    .command("retry")
    .description("re-run only the failed and skipped actions of the last run")
    .option("--json", "print the run results as JSON")
    .action(async (opts) => {
      const config = loadConfig(program.opts());
      const last = readResults(config.home);
      if (!last) throw new InputError(`no previous run in ${config.home}; run \`vwatch run\` first`);
      const names = last.actions.filter((a) => a.status === "failed" || a.status === "skipped").map((a) => a.name);
      if (names.length === 0) {
        log.info("the last run had no failed or skipped actions; nothing to retry");
        return;
      }
      const retryConfig = loadConfig({ ...program.opts(), warehouse: last.warehouse });
      const record = await executeRun(retryConfig, { actions: names, vars: last.options.vars, fullRefresh: last.options.fullRefresh });
      report(record, Boolean(opts.json));
      await syncAfterRun(retryConfig, record, Boolean(opts.json));
    });
}

/**
 * After a run in which mention_spikes succeeded (never after a failed one, never on a dry run),
 * write the spikes to PostgreSQL. The sync covers the whole lookback window, so a missed or
 * failed sync is caught up by the next run.
 */
export async function syncAfterRun(config: Config, record: RunRecord, json: boolean): Promise<SyncSpikesResult | undefined> {
  const spikes = record.actions.find((a) => a.name.split(".").pop() === "mention_spikes");
  if (!spikes || spikes.status !== "success" || record.options.dryRun) return undefined;
  try {
    const result = await runSync(config, { vars: record.options.vars });
    if (!json) log.summary(`spikes written to PostgreSQL: ${result.inserted} inserted, ${result.alreadyPresent} already present (${result.read} read)`);
    return result;
  } catch (e) {
    log.error(`${whatSucceeded(record)} writing the spikes to PostgreSQL failed: ${(e as Error).message}; \`vwatch sync-spikes\` retries the write`);
    process.exitCode = 1;
    return undefined;
  }
}

/** What a run that reached the write-back achieved: all of it, or mention_spikes while other actions failed. */
function whatSucceeded(record: RunRecord): string {
  const { failed = 0, skipped = 0 } = record.summary;
  if (!failed && !skipped) return "the run succeeded but";
  const others = [failed && `${failed} other action${failed === 1 ? "" : "s"} failed`, skipped && `${skipped} ${skipped === 1 ? "was" : "were"} skipped`].filter(Boolean);
  return `mention_spikes succeeded, but ${others.join(" and ")}; and`;
}
