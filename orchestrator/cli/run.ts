import type { Command } from "commander";
import { loadConfig, type Config } from "../config";
import { InputError } from "../errors";
import { log } from "../log";
import { compileWithVars, executeRun, type RunRequest } from "../run/execute";
import { loadVarSchema } from "../compile/var-schema";
import { checkVarNames, checkVars, isLogicVar, replayedVars } from "../compile/vars";
import { readResults, resultsFile } from "../run/results";
import type { RunRecord } from "../run/results";
import { failedAssertionDetails, shortName, summaryTable } from "../run/summary";
import { runSync } from "../sink/run-sync";
import type { SyncSpikesResult } from "../sink/sync-spikes";

/**
 * `--vars k=v,k2=v2`. A comma-separated part without `=` continues the previous value, so a code
 * list can be given as it is written in workflow_settings.yaml: `focus_actor_codes=VEN,COL`.
 * Keys and values are checked against the project's var schema when compiling.
 */
export function parseVars(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const vars: Record<string, string> = {};
  let last: string | undefined;
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0 && last !== undefined) {
      vars[last] = `${vars[last]},${part}`.trim();
      continue;
    }
    const key = part.slice(0, eq).trim();
    if (eq < 0 || !key) throw new InputError(`--vars expects k=v,k2=v2; got "${part}"`);
    if (key in vars) throw new InputError(`--vars: "${key}" is given twice`);
    vars[key] = part.slice(eq + 1).trim();
    last = key;
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
    .option(
      "--accept-var-change <vars>",
      "merge into incremental tables built with other values of these vars (comma-separated) instead of refusing",
      list,
    )
    .option("--sync", "write the spikes to PostgreSQL even when this run's vars differ from workflow_settings.yaml")
    .option("--no-sync", "do not write the spikes to PostgreSQL after mention_spikes runs")
    .action(async (opts) => {
      const config = loadConfig({ ...program.opts(), warehouse: opts.warehouse });
      checkVarNames(config.projectDir, opts.acceptVarChange ?? [], "--accept-var-change");
      const request: RunRequest = {
        tags: opts.tags,
        actions: opts.actions,
        includeDeps: opts.includeDeps,
        includeDependents: opts.includeDependents,
        fullRefresh: opts.fullRefresh,
        dryRun: opts.dryRun,
        vars: parseVars(opts.vars),
        acceptVarChange: opts.acceptVarChange,
      };
      const record = await executeRun(config, request);
      report(record, Boolean(opts.json));
      if (opts.sync !== false) await syncAfterRun(config, record, Boolean(opts.json), opts.sync === true);
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
      // run_results.json is a file anyone can edit: its vars go through the same checks as --vars.
      const source = replayedVars(resultsFile(config.home));
      checkVars(retryConfig.projectDir, last.options.vars, source);
      checkVarNames(retryConfig.projectDir, last.options.acceptVarChange ?? [], source);
      const { vars, fullRefresh, acceptVarChange } = last.options;
      const record = await executeRun(retryConfig, { actions: names, vars, fullRefresh, acceptVarChange });
      report(record, Boolean(opts.json));
      await syncAfterRun(retryConfig, record, Boolean(opts.json));
    });
}

/**
 * After a run in which mention_spikes succeeded (never after a failed one, never on a dry run),
 * write the spikes to PostgreSQL. The sync writes every spike PostgreSQL lacks, so a missed or
 * failed sync is caught up by the next run. A run whose logic vars differ from
 * workflow_settings.yaml's is an experiment: its spikes are written only when `requested` (--sync).
 */
export async function syncAfterRun(config: Config, record: RunRecord, json: boolean, requested = false): Promise<SyncSpikesResult | undefined> {
  const spikes = record.actions.find((a) => a.name.split(".").pop() === "mention_spikes");
  if (!spikes || spikes.status !== "success" || record.options.dryRun) return undefined;
  const experiment = requested ? [] : experimentVars(config, record.options.vars);
  if (experiment.length) {
    const changed = experiment.map((v) => `${v.name}=${v.run}, not ${v.settings === "" ? "empty" : v.settings}`).join("; ");
    log.warn(
      `spikes not written to PostgreSQL: this run's vars differ from workflow_settings.yaml (${changed}); ` +
        "write them deliberately with `vwatch sync-spikes`, or run with --sync",
    );
    return undefined;
  }
  try {
    const result = await runSync(config, { vars: record.options.vars });
    if (!json) log.summary(syncedLine(result));
    return result;
  } catch (e) {
    const message = (e as Error).message;
    const retry = /next sync catches up/.test(message) ? "" : "; `vwatch sync-spikes` retries the write";
    log.error(`${whatSucceeded(record)} writing the spikes to PostgreSQL failed: ${message}${retry}`);
    process.exitCode = 1;
    return undefined;
  }
}

/** What a sync wrote, in one line; a sync that read nothing says PostgreSQL already had every spike. */
export function syncedLine(r: SyncSpikesResult): string {
  if (r.daysCompared === 0) return "spikes written to PostgreSQL: none (the warehouse holds no spikes)";
  if (r.daysRead === 0) return `spikes written to PostgreSQL: none new (it already has the spikes of all ${r.daysCompared} spike day(s) in the warehouse)`;
  return (
    `spikes written to PostgreSQL: ${r.inserted} inserted, ${r.alreadyPresent} already present ` +
    `(${r.read} read from the ${r.daysRead} of ${r.daysCompared} spike day(s) that differed)`
  );
}

/** The run's vars that change logic and differ from workflow_settings.yaml's (as_of never does). */
function experimentVars(config: Config, vars: Record<string, string> | undefined): { name: string; run: string; settings: string }[] {
  const schema = loadVarSchema(config.projectDir);
  const overrides = Object.entries(vars ?? {}).filter(([name]) => isLogicVar(schema, name));
  if (overrides.length === 0) return [];
  const settings = compileWithVars(config).projectConfig.vars ?? {};
  const same = (a: string, b: string) => a.trim() === b.trim() || (a.trim() !== "" && b.trim() !== "" && Number(a) === Number(b));
  return overrides.filter(([name, value]) => !same(value, settings[name] ?? "")).map(([name, run]) => ({ name, run, settings: settings[name] ?? "" }));
}

/** What a run that reached the write-back achieved: all of it, or mention_spikes while other actions failed. */
function whatSucceeded(record: RunRecord): string {
  const { failed = 0, skipped = 0 } = record.summary;
  if (!failed && !skipped) return "the run succeeded but";
  const others = [failed && `${failed} other action${failed === 1 ? "" : "s"} failed`, skipped && `${skipped} ${skipped === 1 ? "was" : "were"} skipped`].filter(Boolean);
  return `mention_spikes succeeded, but ${others.join(" and ")}; and`;
}
