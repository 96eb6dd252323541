import { log } from "../log";
import type { Cli } from "./context";
import { list, parseVars } from "./vars";

interface BackfillFlags {
  from?: string;
  to?: string;
  tags?: string[];
  actions?: string[];
  includeDeps?: boolean;
  includeDependents?: boolean;
  vars?: string;
  acceptVarChange?: string[];
  warehouse?: string;
  sync?: boolean;
  restart?: boolean;
  json?: boolean;
}

export function register(cli: Cli): void {
  cli.program
    .command("backfill")
    .description("run the selected incremental models once per as_of day of a range, oldest first, as if the pipeline had run daily")
    .option("--from <day>", "the first as_of day (YYYY-MM-DD)")
    .option("--to <day>", "the last as_of day (YYYY-MM-DD)")
    .option("--tags <tags...>", "only actions with any of these tags", list)
    .option("--actions <names...>", "only these actions (name or database.schema.name)", list)
    .option("--include-deps", "also run what the selected actions depend on")
    .option("--include-dependents", "also run what depends on the selected actions")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars (not as_of: the backfill sets it for each day)")
    .option("--accept-var-change <vars>", "merge into incremental tables built with other values of these vars (comma-separated)", list)
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .option("--sync", "write the spikes to PostgreSQL at the end even when the vars differ from workflow_settings.yaml")
    .option("--no-sync", "do not write the spikes to PostgreSQL at the end")
    .option("--restart", "forget the days an earlier backfill of this range did and run them all")
    .option("--json", "print the backfill's result as JSON")
    .action(
      cli.action(async (opts: BackfillFlags) => {
        const [{ backfillDays }, config] = await Promise.all([import("../backfill/range"), cli.config(opts.warehouse)]);
        // The range is checked before anything is compiled or opened.
        backfillDays(opts.from, opts.to);
        const { checkVarNames } = await import("../compile/vars");
        checkVarNames(config.projectDir, opts.acceptVarChange ?? [], "--accept-var-change");
        const { runBackfill, summaryLines } = await import("../backfill/backfill");
        return cli.withSession(config, async (session) => {
          const { code, result } = await runBackfill(session, {
            from: opts.from,
            to: opts.to,
            tags: opts.tags,
            actions: opts.actions,
            includeDeps: opts.includeDeps,
            includeDependents: opts.includeDependents,
            vars: parseVars(opts.vars),
            acceptVarChange: opts.acceptVarChange,
            restart: opts.restart,
            writeBack: opts.sync,
            json: opts.json,
          });
          if (opts.json) log.out(JSON.stringify(result, null, 2));
          else for (const line of summaryLines(result)) log.summary(line);
          return code;
        });
      }),
    );
}
