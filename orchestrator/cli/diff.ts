import { InputError } from "../errors";
import { log } from "../log";
import type { Cli } from "./context";
import type { DiffReport } from "./diff-format";
import { parseVars } from "./vars";

interface DiffFlags {
  base?: string;
  json?: boolean;
  markdown?: boolean;
  vars?: string;
  warehouse?: string;
}

/**
 * `vwatch diff --base REF`: what a change does, compiled at REF and in the working tree (see
 * cli/changes.ts, plan/graph-diff.ts, plan/full-refresh.ts). Exit 0 whether or not anything
 * changed; 2 on a bad ref, flag or var, or a side that does not compile.
 */
export function register(cli: Cli): void {
  cli.program
    .command("diff")
    .description("what a change does: the actions whose compiled SQL or configuration differ from a Git ref, what reads them, and which incremental tables need a full refresh (exit 0 with or without changes)")
    .requiredOption("--base <ref>", "the Git ref to compare with (a branch, tag or commit, e.g. origin/main)")
    .option("--json", "print the report as JSON")
    .option("--markdown", "print a compact Markdown report for a pull-request comment")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars on both sides")
    .option("--warehouse <name>", "bigquery: add the dry-run bytes of what would rebuild (duckdb, the default, adds nothing)")
    .action(
      cli.action(async (opts: DiffFlags) => {
        if (opts.json && opts.markdown) throw new InputError("--json and --markdown: choose one");
        const config = await cli.config(opts.warehouse);
        const vars = parseVars(opts.vars);
        return cli.withSession(config, async (session) => {
          const [{ compileChanges, changedActionNames }, { actionViews }, { fullRefreshVerdicts }, { outputColumns }] = await Promise.all([
            import("./changes"),
            import("../plan/graph-diff"),
            import("../plan/full-refresh"),
            import("./diff-columns"),
          ]);
          const changes = await compileChanges(session, opts.base!, vars, async ({ base, head, diff }, baseDir) => {
            const before = actionViews(base);
            const after = actionViews(head);
            const candidates = fullRefreshVerdicts(diff, before, after);
            // The analysis runs only when an incremental table is reached and its key or partitioning alone does not decide.
            const columns = candidates.some((v) => v.fullRefresh !== "yes")
              ? { base: await outputColumns(session, base, baseDir), head: await outputColumns(session, head, config.projectDir) }
              : undefined;
            return fullRefreshVerdicts(diff, before, after, columns);
          });
          const { diff, head } = changes;
          const incremental = changes.extra ?? [];
          const { addVarChanges } = await import("./diff-vars");
          addVarChanges(session, changes.base, head, vars, incremental);
          const report: DiffReport = {
            base: { ref: changes.ref, commit: changes.commit },
            defaultDatabase: head.projectConfig.defaultDatabase,
            ...(vars ? { vars } : {}),
            project: diff.project,
            changes: diff.changes,
            downstream: diff.downstream,
            incremental,
          };
          if (config.warehouse === "bigquery") {
            const { rebuildBytes } = await import("./diff-bytes");
            const names = [...changedActionNames(diff), ...diff.downstream.filter((d) => d.type !== "declaration").map((d) => d.name)];
            report.bytes = await rebuildBytes(session, head, names, new Set(incremental.filter((v) => v.fullRefresh === "yes").map((v) => v.name)));
          }
          const format = await import("./diff-format");
          if (opts.json) log.out(JSON.stringify(report, null, 2));
          else if (opts.markdown) log.out(format.formatMarkdown(report));
          else log.out(format.formatPlain(report));
          return 0;
        });
      }),
    );
}
