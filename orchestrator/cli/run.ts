import { InputError } from "../errors";
import { log } from "../log";
import type { RunRequest } from "../run/execute";
import type { RunRecord } from "../run/results";
import { readResults, resultsFile } from "../run/results";
import type { Session } from "../run/session";
import { failedAssertionDetails, failuresNotKept, shortName, summaryTable } from "../run/summary";
import type { Cli } from "./context";
import { list, parseVars } from "./vars";

/** Prints the summary (or --json); the run's exit code: 1 when an action failed or was skipped. */
export function report(record: RunRecord, json: boolean): number {
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
    for (const line of failuresNotKept(record.actions, record.project.defaultDatabase)) log.summary(`warning: ${line}`);
    const s = record.summary;
    const done = record.options.dryRun ? `${s.planned ?? 0} planned` : `${s.success} succeeded`;
    log.summary(`${done}, ${s.failed} failed, ${s.skipped} skipped${s.disabled ? `, ${s.disabled} disabled` : ""}${s.warning ? `, ${s.warning} warning` : ""}`);
  }
  return record.summary.failed > 0 || record.summary.skipped > 0 ? 1 : 0;
}

/** Runs, reports, then the product's after-run steps (the write-back); the worse of the two exit codes. */
async function runAndReport(session: Session, request: RunRequest, json: boolean, writeBack?: boolean): Promise<number> {
  const { executeRun } = await import("../run/execute");
  const record = await executeRun(session, request);
  const code = report(record, json);
  const after = (await session.hooks.afterRun?.(session, record, { json, writeBack })) ?? 0;
  const { recordShellRun } = await import("./record-run");
  await recordShellRun(session, record, request);
  return Math.max(code, after);
}

interface RunFlags {
  tags?: string[];
  actions?: string[];
  includeDeps?: boolean;
  includeDependents?: boolean;
  fullRefresh?: boolean;
  dryRun?: boolean;
  vars?: string;
  json?: boolean;
  warehouse?: string;
  acceptVarChange?: string[];
  sync?: boolean;
  changedSince?: string;
  storeFailures?: boolean;
}

export function register(cli: Cli): void {
  cli.program
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
    .option("--no-store-failures", "do not keep each assertion's failing rows in its <assertion>_failures table")
    .option("--changed-since <ref>", "only the actions whose compiled SQL or configuration changed since a Git ref, and what depends on them (--tags/--actions narrow it further)")
    .action(
      cli.action(async (opts: RunFlags) => {
        const config = await cli.config(opts.warehouse);
        const { checkVarNames } = await import("../compile/vars");
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
          ...(opts.storeFailures === false ? { storeFailures: false } : {}),
        };
        return cli.withSession(config, async (session) => {
          if (opts.changedSince) {
            const { selectChanged } = await import("./changed-since");
            const selected = await selectChanged(session, opts.changedSince, request);
            if (!selected) return 0;
            return runAndReport(session, { ...request, ...selected }, Boolean(opts.json), opts.sync);
          }
          return runAndReport(session, request, Boolean(opts.json), opts.sync);
        });
      }),
    );

  cli.program
    .command("retry")
    .description("re-run only the failed and skipped actions of the last run")
    .option("--json", "print the run results as JSON")
    .action(
      cli.action(async (opts: { json?: boolean }) => {
        const config = await cli.config();
        const last = readResults(config.home);
        if (!last) throw new InputError(`no previous run in ${config.home}; run \`vwatch run\` first`);
        const names = last.actions.filter((a) => a.status === "failed" || a.status === "skipped").map((a) => a.name);
        // A run the Dataform service made (`vwatch cloud run`) is retried there, not by this process.
        const invocation = (last.dataform as { invocation?: string } | undefined)?.invocation;
        if (invocation) {
          const again = names.length ? `vwatch cloud run --actions ${names.join(",")}` : "nothing: it had no failed or skipped actions";
          throw new InputError(`the last run was the Dataform service's invocation ${invocation}; retry it there: ${again}`);
        }
        if (names.length === 0) {
          log.info("the last run had no failed or skipped actions; nothing to retry");
          return 0;
        }
        const retryConfig = await cli.config(last.warehouse);
        // run_results.json is a file anyone can edit: its vars go through the same checks as --vars.
        const { checkVarNames, checkVars, replayedVars } = await import("../compile/vars");
        const source = replayedVars(resultsFile(config.home));
        checkVars(retryConfig.projectDir, last.options.vars, source);
        checkVarNames(retryConfig.projectDir, last.options.acceptVarChange ?? [], source);
        const { vars, fullRefresh, acceptVarChange, storeFailures } = last.options;
        const request = { actions: names, vars, fullRefresh, acceptVarChange, ...(storeFailures === false ? { storeFailures } : {}) };
        return cli.withSession(retryConfig, (session) => runAndReport(session, request, Boolean(opts.json)));
      }),
    );
}
