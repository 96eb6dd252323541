/**
 * `vwatch deploy`'s scheduled queries, for cli/deploy.ts: render each selection (validated, as
 * `vwatch render script` does, with the release config's overrides), read what the Data Transfer
 * service holds and plan; the caller prints, applies and reports.
 */
import type { CompiledGraph } from "../compile/graph";
import type { Config } from "../config";
import type { DeploySettings } from "../cloud/settings";
import { CompileError } from "../errors";
import { log } from "../log";
import { formatDiagnostic } from "../validate/report";
import type { Cli } from "./context";
import { AS_OF_BINDING } from "./render";
import { validateProject } from "./validate";

export async function prepareScheduledQueries(cli: Cli, config: Config, settings: DeploySettings, onClose: (close: () => Promise<void>) => void, compile: (vars?: Record<string, string>) => CompiledGraph, prune: boolean) {
  const [{ renderScript }, scheduled, { formatTransferPlan }, { createDataTransferClient }, { TransferApi }] = await Promise.all([
    import("../run/render-script"),
    import("../cloud/deploy-scheduled"),
    import("../cloud/transfer-plan"),
    import("../cloud/transfer-client"),
    import("../cloud/transfer-api"),
  ]);
  const p = settings.production;
  const api = new TransferApi(await createDataTransferClient(), { project: p.project });
  onClose(() => api.close());
  const scripts = await cli.withSession(config, (session) =>
    scheduled.renderScheduledQueries(settings, async (q) => {
      const rendered = await renderScript({
        selection: { tags: q.tags, actions: q.actions, includeDeps: q.includeDependencies },
        bind: AS_OF_BINDING,
        runProject: p.project,
        compile,
        validate: (graph, extra) => validateProject(session, graph, extra),
      });
      if (rendered.report.errors.length) {
        for (const d of rendered.report.errors) log.error(formatDiagnostic(d));
        throw new CompileError(`scheduled query "${q.name}" does not validate: nothing deployed`);
      }
      return { script: rendered.script, defaultLocation: compile().projectConfig.defaultLocation };
    }),
  );
  const plan = await scheduled.planScheduledQueries(settings, scripts, api, prune);
  return {
    plan,
    lines: formatTransferPlan(plan),
    apply: () => scheduled.applyTransferPlan(api, plan, (i) => log.info(`scheduled query "${i.id}": ${i.action === "delete" ? "deleted" : `${i.action}d`}`)),
    json: (applied: { id: string; action: string; updateMask: string[] }[]) => ({
      plan: plan.items.map(({ body: _b, ...item }) => item),
      stale: plan.stale,
      applied: applied.map((a) => ({ id: a.id, action: a.action, ...(a.action === "update" ? { updateMask: a.updateMask } : {}) })),
    }),
    summary: (dryRun: boolean) => scheduled.transferSummary(plan, dryRun),
  };
}
