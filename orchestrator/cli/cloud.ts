/**
 * `vwatch cloud run | status | runs | cancel`: runs on the Google Cloud Dataform service, from CI
 * or a terminal, for the repository vwatch.yaml names (see docs/production-cloud-run.md).
 */
import { log } from "../log";
import { withCloud, type CloudContext } from "./cloud-context";
import { registerRun } from "./cloud-run";
import type { Cli } from "./context";
import { InputError } from "../errors";

export function register(cli: Cli): void {
  const cloud = cli.program.command("cloud").description("run and watch workflow invocations on the Google Cloud Dataform service (vwatch.yaml names the repository)");
  registerRun(cloud, cli);

  cloud
    .command("status [invocation]")
    .description("an invocation's state, timing and actions (its id, its full name, or --last); exit 1 when it failed or was cancelled")
    .option("--last", "the newest invocation")
    .option("--json", "print it as run_results.json holds a run")
    .option("--settings <file>", "the deployment settings (default: vwatch.yaml in the project)")
    .action(
      cli.action(async (given: string | undefined, opts: { last?: boolean; json?: boolean; settings?: string }) => {
        if (Boolean(given) === Boolean(opts.last)) throw new InputError("cloud status: give an invocation (its id or full name) or --last, not both");
        return withCloud(cli, opts.settings, (c) => status(c, given, opts));
      }),
    );

  cloud
    .command("runs")
    .description("recent invocations, newest first, the scheduled ones included (with the workflow config that started them)")
    .option("--limit <n>", "how many (default 20)", "20")
    .option("--transfers", "the runs of vwatch's scheduled queries (BigQuery Data Transfer) instead")
    .option("--json", "print them as JSON")
    .option("--settings <file>", "the deployment settings (default: vwatch.yaml in the project)")
    .action(
      cli.action(async (opts: { limit: string; json?: boolean; settings?: string; transfers?: boolean }) => {
        if (!/^\d{1,4}$/.test(opts.limit) || Number(opts.limit) < 1) throw new InputError(`--limit must be a whole number from 1 to 9999, got "${opts.limit}"`);
        if (opts.transfers) return (await import("./cloud-transfer")).cloudRunsTransfers(cli, opts);
        return withCloud(cli, opts.settings, async (c) => {
          const [{ recentRuns }, { runsTable }] = await Promise.all([import("../cloud/recent-runs"), import("../cloud/invocation-format")]);
          const runs = await recentRuns(c.api, c.repository, Number(opts.limit));
          if (opts.json) log.out(JSON.stringify(runs, null, 2));
          else if (runs.length === 0) log.info(`no workflow invocation in ${c.repository} yet`);
          else log.out(runsTable(runs));
          return 0;
        });
      }),
    );

  cloud
    .command("cancel <invocation>")
    .description("ask the service to cancel an invocation (its id or full name)")
    .option("--settings <file>", "the deployment settings (default: vwatch.yaml in the project)")
    .action(
      cli.action(async (given: string, opts: { settings?: string }) =>
        withCloud(cli, opts.settings, async (c) => {
          const { invocationNameOf } = await import("../cloud/recent-runs");
          const name = invocationNameOf(given, c.repository);
          await c.api.cancelWorkflowInvocation(name);
          log.summary(`cancelling ${name}: the service stops its running actions; \`vwatch cloud status ${name.slice(name.lastIndexOf("/") + 1)}\` shows when it is CANCELLED`);
          return 0;
        }),
      ),
    );
}

async function status(c: CloudContext, given: string | undefined, opts: { json?: boolean }): Promise<number> {
  const [{ invocationNameOf, lastInvocation }, { invocationRecord }, format] = await Promise.all([import("../cloud/recent-runs"), import("../cloud/invocation-record"), import("../cloud/invocation-format")]);
  const name = given ? invocationNameOf(given, c.repository) : await lastInvocation(c.api, c.repository);
  const invocation = await c.api.getWorkflowInvocation(name);
  const actions = await c.api.queryWorkflowInvocationActions(name);
  const compiledName = invocation.resolvedCompilationResult || invocation.compilationResult;
  const compiled = compiledName ? await c.api.queryCompilationResultActions(compiledName) : [];
  const o = c.settings.production.release.overrides;
  const record = invocationRecord({ invocation, actions, compiled, project: { defaultDatabase: o.defaultProject, defaultSchema: o.defaultDataset, defaultLocation: o.defaultLocation }, options: {} });
  const state = (record.dataform as { state: string }).state;
  if (opts.json) log.out(JSON.stringify(record, null, 2));
  else {
    for (const line of format.statusHead(record)) log.out(line);
    log.out("");
    log.out(format.invocationTable(record));
    for (const line of format.failureLines(record)) log.out(line);
    log.out(format.countsLine(record));
  }
  return state === "FAILED" || state === "CANCELLED" ? 1 : 0;
}
