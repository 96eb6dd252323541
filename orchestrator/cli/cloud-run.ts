/**
 * `vwatch cloud run`: the Dataform service compiles the project (the release config, or a Git
 * commitish with the release's overrides and --vars), vwatch checks the selection against what it
 * compiled, starts a workflow invocation and follows it to the end with the progress and summary
 * of a local run; run_results.json as a local run writes it; then the product's write-back.
 * Ctrl-C asks the service to cancel; a second Ctrl-C stops waiting.
 */
import { InputError, InterruptedError } from "../errors";
import { log } from "../log";
import type { ActionResult } from "../run/run";
import type { Interrupts } from "../cloud/watch";
import { withCloud, type CloudContext } from "./cloud-context";
import { cloudBigQueryConfig } from "../cloud/release-overrides";
import { writeBackAfterCloudRun } from "./cloud-write-back";
import type { Cli } from "./context";
import { list, parseVars } from "./vars";

export interface CloudRunOptions {
  tags?: string[];
  actions?: string[];
  includeDeps?: boolean;
  includeDependents?: boolean;
  fullRefresh?: boolean;
  vars?: string;
  commitish?: string;
  wait?: boolean;
  sync?: boolean;
  json?: boolean;
  settings?: string;
  via?: string;
}

export function registerRun(cloud: ReturnType<Cli["program"]["command"]>, cli: Cli): void {
  cloud
    .command("run [name]")
    .description("compile on the Dataform service and run a workflow invocation, following it to the end (exit 1 when an action failed or it was cancelled); with --via transfer, run the scheduled query NAME of vwatch.yaml now")
    .option("--via <service>", "dataform (the default): a workflow invocation; transfer: a manual run of the scheduled query NAME (BigQuery Data Transfer)", "dataform")
    .option("--tags <tags...>", "only actions with any of these tags", list)
    .option("--actions <names...>", "only these actions (name, dataset.name or project.dataset.name)", list)
    .option("--include-deps", "also run what the selected actions depend on")
    .option("--include-dependents", "also run what depends on the selected actions")
    .option("--full-refresh", "rebuild incremental tables from scratch")
    .option("--vars <k=v,...>", "vars over the release config's (the service then compiles its Git commitish with them)")
    .option("--commitish <ref>", "compile this Git branch, tag or commit instead of the release config's")
    .option("--no-wait", "print the invocation's name and exit without following it")
    .option("--no-sync", "do not write the spikes to PostgreSQL after mention_spikes succeeded")
    .option("--json", "print the run results as JSON")
    .option("--settings <file>", "the deployment settings (default: vwatch.yaml in the project)")
    .action(
      cli.action(async (name: string | undefined, opts: CloudRunOptions) => {
        if (opts.via === "transfer") return (await import("./cloud-transfer")).cloudRunViaTransfer(cli, name, opts);
        if (opts.via !== "dataform") throw new InputError(`--via must be dataform or transfer, got "${opts.via}"`);
        if (name) throw new InputError(`cloud run: "${name}": a name is for --via transfer (a scheduled query of vwatch.yaml); the Dataform run selects with --tags and --actions`);
        return cloudRun(cli, opts);
      }),
    );
}

async function cloudRun(cli: Cli, opts: CloudRunOptions): Promise<number> {
  const vars = parseVars(opts.vars);
  const delays = (await import("../cloud/watch")).pollDelays();
  const { checkVars } = await import("../compile/vars");
  return withCloud(
    cli,
    opts.settings,
    (c) => start(cli, c, opts, vars, delays),
    (settings, config) => {
      // The vars the service will compile with, checked here first: a bad one never reaches it.
      checkVars(config.projectDir, vars, "--vars");
      if (vars || opts.commitish) checkVars(config.projectDir, settings.production.release.overrides.vars, `${settings.where(["production", "release", "overrides", "vars"])}: production.release.overrides.vars`);
    },
  );
}

async function start(cli: Cli, c: CloudContext, opts: CloudRunOptions, vars: Record<string, string> | undefined, delays: { initialDelayMs: number; maxDelayMs: number }): Promise<number> {
  const p = c.settings.production;
  const [{ invocationBody }, { compileForRun }] = await Promise.all([import("../cloud/run-request"), import("../cloud/compile-for-run")]);
  // The selection is checked against what the service compiled, before any invocation starts.
  const { compilationResult, compiled, targets, source } = await compileForRun(c.api, c.repository, p, { ...opts, vars }, (kind) => `--${kind}`);

  // Ctrl-C is caught from before the invocation exists: one pressed while it is being created
  // cancels it as soon as it does, instead of killing vwatch and leaving it running.
  let name: string | undefined;
  const interrupts = sigint(
    () => log.warn(`cancelling ${name ?? "the invocation as soon as it is created"}; waiting for the service to stop it (Ctrl-C again to stop waiting)`),
    () => `stopped waiting; the invocation may still be cancelling: \`vwatch cloud status ${name ? name.slice(name.lastIndexOf("/") + 1) : "--last"}\` shows it`,
  );
  try {
    const invocation = await c.api.createWorkflowInvocation(c.repository, invocationBody(p, compilationResult, { ...opts, vars }, targets));
    name = String(invocation.name);
    if (opts.wait === false) {
      if (interrupts.pressed()) {
        await c.api.cancelWorkflowInvocation(name);
        throw new InterruptedError(`interrupted: ${name} was created and then cancelled`);
      }
      if (opts.json) log.out(JSON.stringify({ invocation: name, compilationResult }, null, 2));
      else log.out(name);
      return 0;
    }
    return await follow(cli, c, { name, compiled, opts, vars, delays, source }, interrupts.signals);
  } finally {
    interrupts.dispose();
  }
}

interface Follow {
  name: string;
  compiled: Awaited<ReturnType<CloudContext["api"]["queryCompilationResultActions"]>>;
  opts: CloudRunOptions;
  vars?: Record<string, string>;
  delays: { initialDelayMs: number; maxDelayMs: number };
  source: { releaseConfig?: string; gitCommitish?: string; resolvedGitCommitSha?: string };
}

async function follow(cli: Cli, c: CloudContext, f: Follow, interrupts: Interrupts): Promise<number> {
  const [{ watchInvocation }, { invocationRecord }, format, { writeResults }] = await Promise.all([import("../cloud/watch"), import("../cloud/invocation-record"), import("../cloud/invocation-format"), import("../run/results")]);
  log.info(`invocation ${f.name} started; Ctrl-C cancels it`);
  const watched = await watchInvocation(c.api, f.name, f.compiled, f.delays, {
    onAction: (r, _previous, done, total) => log.info(format.progressLine(r, done, total)),
    onState: (state) => log.info(`invocation ${state}`),
    onCancel: (accepted) => !accepted && log.info("the invocation had ended already"),
  }, interrupts);
  const o = c.settings.production.release.overrides;
  const record = invocationRecord({
    invocation: watched.invocation,
    actions: watched.actions,
    compiled: f.compiled,
    project: { defaultDatabase: o.defaultProject, defaultSchema: o.defaultDataset, defaultLocation: o.defaultLocation },
    options: { vars: f.vars, fullRefresh: f.opts.fullRefresh },
    source: f.source,
  });
  const config = cloudBigQueryConfig(c.config, c.settings);
  await addJobBytes(cli, { ...config, bigquery: { ...config.bigquery, projectId: c.settings.production.project } }, record.actions);
  writeResults(c.config.home, record);
  const state = (record.dataform as { state: string }).state;
  if (f.opts.json) log.out(JSON.stringify(record, null, 2));
  else {
    log.info("");
    log.info(format.invocationTable(record));
    log.info("");
    for (const line of format.failureLines(record)) log.summary(line);
    log.summary(`${format.countsLine(record)}; invocation ${state}`);
  }
  const code = state === "SUCCEEDED" && !record.summary.failed && !record.summary.skipped ? 0 : 1;
  // The write-back, as after a local run: from BigQuery (the release's project and location) to
  // PostgreSQL; then the run goes to the run ledger (cancelled or not synced too).
  const writeBack = !(watched.cancelled || f.opts.sync === false);
  const after = await writeBackAfterCloudRun(cli, config, record, Boolean(f.opts.json), { writeBack, selection: { tags: f.opts.tags, actions: f.opts.actions, includeDeps: f.opts.includeDeps, includeDependents: f.opts.includeDependents } });
  return Math.max(code, after);
}

/**
 * Each action's bytes processed, from its BigQuery job (jobs.get in the repository's project,
 * where the service runs them). Best effort: a job that cannot be read leaves "unknown", said once.
 */
async function addJobBytes(cli: Cli, config: Parameters<Cli["withSession"]>[0], actions: ActionResult[]): Promise<void> {
  const withJobs = actions.filter((a) => a.jobId);
  if (!withJobs.length) return;
  await cli
    .withSession(config, async (session) => {
      const warehouse = await session.warehouse();
      for (const a of withJobs) {
        const bytes = await warehouse.jobBytes?.(a.jobId!);
        if (bytes !== undefined) a.bytesProcessed = bytes;
      }
    })
    .catch((e: Error) => log.warn(`bytes processed unknown: ${e.message.split("\n")[0]} (reading the service's jobs needs bigquery.jobs.get in project ${config.bigquery.projectId}, e.g. BigQuery Resource Viewer)`));
}

/** Ctrl-C while following: the first asks to cancel, the second stops waiting. */
function sigint(onFirst: () => void, stopMessage: () => string): { signals: Interrupts; pressed(): boolean; dispose(): void } {
  let cancel!: () => void;
  let stop!: (e: Error) => void;
  const signals: Interrupts = { cancel: new Promise<void>((r) => (cancel = r)), stop: new Promise<never>((_, reject) => (stop = reject)) };
  signals.stop.catch(() => {});
  let count = 0;
  const handler = () => {
    count += 1;
    if (count === 1) {
      onFirst();
      cancel();
    } else stop(new InterruptedError(stopMessage()));
  };
  process.on("SIGINT", handler);
  return { signals, pressed: () => count > 0, dispose: () => void process.off("SIGINT", handler) };
}
