import type { Config } from "../config";
import { log } from "../log";
import type { Cli } from "./context";
import { validateAndReport } from "./validate";

interface DeployOptions {
  dryRun?: boolean;
  json?: boolean;
  prune?: boolean;
  settings?: string;
}

export function register(cli: Cli): void {
  cli.program
    .command("deploy")
    .description("create or update the Dataform service's repository, release config and workflow configs from vwatch.yaml (after compile and validate)")
    .option("--dry-run", "print the plan; write nothing")
    .option("--json", "print the plan and what was applied as JSON")
    .option("--prune", "delete the release and workflow configs vwatch created that vwatch.yaml no longer names")
    .option("--settings <file>", "the deployment settings (default: vwatch.yaml in the project)")
    .action(cli.action(async (opts: DeployOptions) => deploy(cli, await cli.config(), opts)));
}

async function deploy(cli: Cli, config: Config, opts: DeployOptions): Promise<number> {
  const { loadDeploySettings } = await import("../cloud/settings");
  const settings = loadDeploySettings(config.projectDir, opts.settings);
  const p = settings.production;
  const o = p.release.overrides;

  // The client first: without credentials vwatch says so at once, before compiling anything.
  const [{ createDataformClient }, { DataformApi }, desired, { planDeploy }, { applyPlan }, format] = await Promise.all([
    import("../cloud/client"),
    import("../cloud/dataform-api"),
    import("../cloud/desired"),
    import("../cloud/deploy-plan"),
    import("../cloud/deploy-apply"),
    import("../cloud/plan-format"),
  ]);
  const api = new DataformApi(await createDataformClient(), { project: p.project });
  let transfersClose: (() => Promise<void>) | undefined;
  try {
    // What the service will compile: the project with the release config's overrides. It must
    // compile and validate, and every tag and action the workflow configs name must be in it.
    const { compileWithVars } = await import("../compile/with-vars");
    const overrides = { defaultDatabase: o.defaultProject, defaultSchema: o.defaultDataset, defaultLocation: o.defaultLocation, assertionSchema: o.defaultAssertionDataset, databaseSuffix: o.projectSuffix, schemaSuffix: o.datasetSuffix, tablePrefix: o.namePrefix };
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    const graph = compileWithVars(config, o.vars, `${settings.where(["production", "release", "overrides", "vars"])}: production.release.overrides.vars`, defined);
    const valid = await cli.withSession(config, (session) => validateAndReport(session, graph, { stderr: true }));
    if (valid !== 0) {
      log.error("the project does not validate: nothing deployed (fix the errors above, or run `vwatch validate`)");
      return valid;
    }
    const { resolveWorkflowTargets } = await import("../cloud/targets");
    const targets = resolveWorkflowTargets(settings, graph);
    // Scheduled queries: each selection rendered as one script before anything is written.
    const scheduled = p.scheduledQueries ? await import("./deploy-scheduled") : undefined;
    const transfers = scheduled && (await scheduled.prepareScheduledQueries(cli, config, settings, (close) => (transfersClose = close), (v) => compileWithVars(config, { ...(o.vars ?? {}), ...(v ?? {}) }, `${settings.where(["production", "release", "overrides", "vars"])}: production.release.overrides.vars`, defined), Boolean(opts.prune)));

    const ref = desired.repositoryRef(p);
    const repositoryName = desired.desiredRepository(p).name;
    const repository = await api.getRepository(repositoryName);
    const existing = {
      repository: repository as Record<string, any> | undefined,
      releaseConfigs: repository ? ((await api.listReleaseConfigs(repositoryName)) as Record<string, any>[]) : [],
      workflowConfigs: repository ? ((await api.listWorkflowConfigs(repositoryName)) as Record<string, any>[]) : [],
    };
    const plan = planDeploy(
      { repository: desired.desiredRepository(p), releaseConfig: desired.desiredReleaseConfig(p), workflowConfigs: p.workflows.map((_, i) => desired.desiredWorkflowConfig(p, i, targets[i])) },
      existing,
      { prune: Boolean(opts.prune) },
    );
    if (!opts.json) for (const line of [...format.formatPlan(plan), ...(transfers?.lines ?? [])]) log.out(line);
    const applied = opts.dryRun ? [] : await applyPlan(api, plan, ref, (a) => log.info(`${a.kind} ${a.id}: ${a.action === "delete" ? "deleted" : `${a.action}d`}`));
    const transfersApplied = transfers && !opts.dryRun ? await transfers.apply() : [];
    if (opts.json) log.out(JSON.stringify({ ...(format.planJson(plan, applied, Boolean(opts.dryRun)) as object), ...(transfers ? { scheduledQueries: transfers.json(transfersApplied) } : {}) }, null, 2));
    log.summary(format.summaryLine(plan, Boolean(opts.dryRun)));
    if (transfers) log.summary(transfers.summary(Boolean(opts.dryRun)));
    return 0;
  } finally {
    await api.close();
    await transfersClose?.();
  }
}
