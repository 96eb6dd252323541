/**
 * `vwatch cloud run --via transfer NAME` and `vwatch cloud runs --transfers`: the scheduled
 * queries of vwatch.yaml (BigQuery Data Transfer API) run by hand and listed. A manual run is
 * started now and followed to its end, its state changes and log messages printed as they appear;
 * after a successful run whose selection includes the spikes, the write-back runs as after
 * `cloud run`. The API cannot cancel a run: Ctrl-C only stops waiting (exit 1).
 */
import type { Config } from "../config";
import type { DeploySettings } from "../cloud/settings";
import type { TransferApi } from "../cloud/transfer-api";
import { InputError, InterruptedError } from "../errors";
import { log } from "../log";
import type { RunRecord } from "../run/results";
import type { CloudRunOptions } from "./cloud-run";
import { cloudBigQueryConfig, releaseOverrides } from "../cloud/release-overrides";
import { writeBackAfterCloudRun } from "./cloud-write-back";
import type { Cli } from "./context";

interface TransferContext {
  config: Config;
  settings: DeploySettings;
  api: TransferApi;
}

/** The options of `cloud run` a scheduled query has no use for: its selection and vars are in vwatch.yaml and its rendered script. */
const REFUSED: [keyof CloudRunOptions, string][] = [
  ["tags", "--tags"],
  ["actions", "--actions"],
  ["includeDeps", "--include-deps"],
  ["includeDependents", "--include-dependents"],
  ["fullRefresh", "--full-refresh"],
  ["vars", "--vars"],
  ["commitish", "--commitish"],
];

async function withTransfer<T>(cli: Cli, settingsFile: string | undefined, fn: (c: TransferContext) => Promise<T>): Promise<T> {
  const config = await cli.config();
  const { loadDeploySettings } = await import("../cloud/settings");
  const settings = loadDeploySettings(config.projectDir, settingsFile);
  const [{ createDataTransferClient }, { TransferApi }] = await Promise.all([import("../cloud/transfer-client"), import("../cloud/transfer-api")]);
  const api = new TransferApi(await createDataTransferClient(), { project: settings.production.project });
  try {
    return await fn({ config, settings, api });
  } finally {
    await api.close();
  }
}

export async function cloudRunViaTransfer(cli: Cli, name: string | undefined, opts: CloudRunOptions): Promise<number> {
  const given = REFUSED.filter(([key]) => opts[key] !== undefined && opts[key] !== false && !(Array.isArray(opts[key]) && !(opts[key] as unknown[]).length));
  if (given.length) throw new InputError(`cloud run --via transfer: ${given.map(([, flag]) => flag).join(", ")} cannot be used: a scheduled query runs the selection and vars its entry in vwatch.yaml gives it (production.scheduledQueries); change them there and run \`vwatch deploy\``);
  if (!name) throw new InputError("cloud run --via transfer: name the scheduled query to run (its name in production.scheduledQueries of vwatch.yaml)");
  const delays = (await import("../cloud/watch")).pollDelays();
  return withTransfer(cli, opts.settings, async (c) => {
    const [{ findScheduledQuery, watchTransferRun, transferRunRow }] = await Promise.all([import("../cloud/transfer-runs")]);
    const found = await findScheduledQuery(c.api, c.settings, name);
    const configName = String(found.config.name);
    if (found.config.disabled) log.info(`the scheduled query "${name}" is disabled (its schedule does not run); this manual run does`);
    const [started] = await c.api.startManualRun(configName, new Date());
    const runName = String(started?.name ?? "");
    if (!runName) throw new InputError(`the Data Transfer service started no run of ${configName}`);
    if (opts.wait === false) {
      if (opts.json) log.out(JSON.stringify(transferRunRow(name, started), null, 2));
      else log.out(runName);
      return 0;
    }
    log.info(`transfer run ${runName} started for the scheduled query "${name}"; Ctrl-C stops waiting (the Data Transfer API cannot cancel a run)`);
    const messages: { time?: string; severity: string; text: string }[] = [];
    const interrupt = stopOnSigint(runName);
    let run;
    try {
      run = await watchTransferRun(c.api, runName, delays, {
        onState: (state) => log.info(`transfer run ${state}`),
        onMessage: (m) => (messages.push(m), log.info(`  ${m.time ?? ""} ${m.severity.padEnd(7)} ${m.text}`)),
      }, interrupt.stop);
    } finally {
      interrupt.dispose();
    }
    const row = transferRunRow(name, run);
    if (opts.json) log.out(JSON.stringify({ ...row, messages }, null, 2));
    const took = row.seconds !== undefined ? ` in ${row.seconds.toFixed(1)} s` : "";
    if (row.state !== "SUCCEEDED") {
      log.error(`the scheduled query "${name}" ${row.state}${took}${row.error ? `: ${row.error}` : ""}`);
      return 1;
    }
    log.summary(`the scheduled query "${name}" SUCCEEDED${took}`);
    if (opts.sync === false) return 0;
    const record = await transferRecord(c, found.settings, row);
    if (!record) return 0;
    return writeBackAfterCloudRun(cli, cloudBigQueryConfig(c.config, c.settings), record, Boolean(opts.json));
  });
}

/**
 * The run as a run record for the product's after-run step: the scheduled query's selection (as
 * `vwatch render script` resolved it for deploy, with the release's overrides), each action
 * succeeded: a script that succeeded ran every statement. Undefined when the selection has no
 * spikes, so no write-back runs.
 */
async function transferRecord(c: TransferContext, q: { tags: string[]; actions: string[]; includeDependencies: boolean }, row: { startTime?: string; endTime?: string; name: string }): Promise<RunRecord | undefined> {
  const [{ compileWithVars }, { selectActions }, { SPIKES_MODEL }] = await Promise.all([import("../compile/with-vars"), import("../plan/select"), import("../sink/spikes-model")]);
  const o = c.settings.production.release.overrides;
  const graph = compileWithVars(c.config, o.vars, `${c.settings.where(["production", "release", "overrides", "vars"])}: production.release.overrides.vars`, releaseOverrides(c.settings));
  const selected = [...selectActions(graph, { tags: q.tags, actions: q.actions, includeDeps: q.includeDependencies })];
  if (!selected.some((n) => n.split(".").pop() === SPIKES_MODEL)) return undefined;
  const p = graph.projectConfig;
  return {
    runId: row.name,
    startedAt: row.startTime ?? "",
    finishedAt: row.endTime ?? "",
    warehouse: "bigquery",
    project: { defaultDatabase: p.defaultDatabase, defaultSchema: p.defaultSchema, defaultLocation: p.defaultLocation },
    options: {},
    summary: { success: selected.length, failed: 0, skipped: 0, disabled: 0 },
    actions: selected.map((n) => ({ name: n, kind: "table", status: "success" as const, seconds: 0 })),
  };
}

/** Ctrl-C while waiting: the run cannot be cancelled, so vwatch stops waiting and says so. */
function stopOnSigint(runName: string): { stop: Promise<never>; dispose(): void } {
  let reject!: (e: Error) => void;
  const stop = new Promise<never>((_, r) => (reject = r));
  stop.catch(() => {});
  const handler = () => reject(new InterruptedError(`stopped waiting; the Data Transfer API cannot cancel a run, so ${runName} goes on: \`vwatch cloud runs --transfers\` shows how it ends`));
  process.on("SIGINT", handler);
  return { stop, dispose: () => void process.off("SIGINT", handler) };
}

export async function cloudRunsTransfers(cli: Cli, opts: { limit: string; json?: boolean; settings?: string }): Promise<number> {
  return withTransfer(cli, opts.settings, async (c) => {
    const [{ recentTransferRuns }, { transferRunsTable }] = await Promise.all([import("../cloud/transfer-runs"), import("../cloud/transfer-format")]);
    if (!(c.settings.production.scheduledQueries ?? []).length) {
      log.info(`${c.settings.file} declares no scheduled query (production.scheduledQueries)`);
      if (opts.json) log.out("[]");
      return 0;
    }
    const { runs, missing } = await recentTransferRuns(c.api, c.settings, Number(opts.limit));
    for (const m of missing) log.warn(`the scheduled query "${m}" is not deployed yet (\`vwatch deploy\` creates it)`);
    if (opts.json) log.out(JSON.stringify(runs, null, 2));
    else if (runs.length === 0) log.info("no transfer run of vwatch's scheduled queries yet");
    else log.out(transferRunsTable(runs));
    return 0;
  });
}
