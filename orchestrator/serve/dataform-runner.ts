/**
 * The server's runs on the Dataform service (`POST /runs` with `where: "dataform"`): claimed in
 * the ledger (ran on dataform) like a local run, answered 202 at once; then, in the background,
 * the service compiles the release config (cloud/compile-for-run.ts, as `vwatch cloud run`), a
 * workflow invocation is created with the body's selection and followed (cloud/watch.ts), each
 * action's state written to the ledger as it changes. A cancel asks the service to cancel the
 * invocation. At its end the run is handed on (phase chaining publishes transform's completion).
 * A shutdown stops following: the invocation goes on on the service and the run is marked
 * interrupted, naming it.
 */
import { claimRun, type Claim } from "../ledger/claim";
import { keepAlive } from "../ledger/heartbeat";
import { ledgerActions, outcome } from "../ledger/from-record";
import { markInterrupted, updateRun } from "../ledger/runs";
import { log } from "../log";
import type { DeploySettings } from "../cloud/settings";
import type { RunBody } from "./run-body";
import type { ServerPool } from "./pool";
import { newLedgerRun, type RunEnd, type TriggerContext } from "./runner";

interface Following {
  id: string;
  correlationId: string;
  invocation?: string;
  cancel(): void;
  stop(e: Error): void;
  done: Promise<void>;
}

const STOPPED = "the server stopped (SIGTERM)";

export class DataformRunner {
  readonly ranOn = "dataform" as const;
  private readonly following = new Map<string, Following>();

  constructor(
    private readonly settings: DeploySettings,
    private readonly pool: ServerPool,
    private readonly onRunEnd?: (end: RunEnd) => Promise<void>,
  ) {}

  async trigger(body: RunBody, context: TriggerContext): Promise<Claim> {
    const run = newLedgerRun(body, context, this.ranOn);
    const claim = await claimRun(this.pool.transaction, run);
    if (claim.outcome !== "created") return claim;
    let cancel!: () => void;
    let stop!: (e: Error) => void;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => undefined);
    const f: Following = { id: run.id, correlationId: run.correlationId, cancel, stop, done: Promise.resolve() };
    this.following.set(run.id, f);
    f.done = log
      .withFields({ runId: run.id, correlationId: run.correlationId }, () => this.execute(f, body, { cancel: cancelled, stop: stopped }))
      .finally(() => this.following.delete(run.id));
    return claim;
  }

  /** Asks the service to cancel the run's invocation; false when this process does not follow it. */
  cancel(id: string): boolean {
    const f = this.following.get(id);
    if (!f) return false;
    f.cancel();
    return true;
  }

  get running(): string | undefined {
    return this.following.keys().next().value;
  }

  /** Stops following (the invocations go on on the service) and marks the runs interrupted. */
  async shutdown(): Promise<void> {
    const all = [...this.following.values()];
    for (const f of all) f.stop(new Error(STOPPED));
    await Promise.all(all.map((f) => f.done));
  }

  private async execute(f: Following, body: RunBody, interrupts: { cancel: Promise<void>; stop: Promise<never> }): Promise<void> {
    const fields = { runId: f.id, correlationId: f.correlationId };
    const sql = this.pool.sql;
    let writes = Promise.resolve();
    const write = (change: Parameters<typeof updateRun>[2]) => {
      writes = writes.then(() => updateRun(sql, f.id, change).then(() => undefined)).catch((e) => log.event("ERROR", `run ledger not updated: ${(e as Error).message}`, fields));
      return writes;
    };
    const p = this.settings.production;
    const [{ createDataformClient }, { DataformApi }, { repositoryRef }, { repositoryName }, { compileForRun }, { invocationBody }, { watchInvocation, pollDelays }, { invocationRecord }] = await Promise.all([
      import("../cloud/client"),
      import("../cloud/dataform-api"),
      import("../cloud/desired"),
      import("../cloud/names"),
      import("../cloud/compile-for-run"),
      import("../cloud/run-request"),
      import("../cloud/watch"),
      import("../cloud/invocation-record"),
    ]);
    let api: InstanceType<typeof DataformApi> | undefined;
    const stopBeating = keepAlive(sql, f.id);
    try {
      await write({ status: "running" });
      api = new DataformApi(await createDataformClient(), { project: p.project });
      const repository = repositoryName(repositoryRef(p));
      const flags = { ...body.selection, vars: body.vars, fullRefresh: body.fullRefresh };
      const c = await Promise.race([compileForRun(api, repository, p, flags, (kind, i) => `selection.${kind}.${i}`), interrupts.stop]);
      const invocation = await api.createWorkflowInvocation(repository, invocationBody(p, c.compilationResult, flags, c.targets));
      f.invocation = String(invocation.name);
      log.event("INFO", `invocation ${f.invocation} started on the Dataform service`, { ...fields, invocation: f.invocation });
      const watched = await watchInvocation(api, f.invocation, c.compiled, pollDelays(), {
        onAction: (r, _previous, done, total) => log.event(r.status === "failed" ? "ERROR" : "INFO", `action ${r.status}: ${r.name}`, { ...fields, done, total }),
        // Every action of the invocation, pending ones too: GET /runs/{id} shows where the run is.
        onPoll: (results, done, total) => void write({ actions: ledgerActions({ actions: results }), progress: { done, total } }),
        onCancel: (accepted) => log.event("WARNING", accepted ? `cancelling ${f.invocation}` : `${f.invocation} had ended already`, fields),
      }, interrupts);
      const o = p.release.overrides;
      const record = invocationRecord({
        invocation: watched.invocation,
        actions: watched.actions,
        compiled: c.compiled,
        project: { defaultDatabase: o.defaultProject, defaultSchema: o.defaultDataset, defaultLocation: o.defaultLocation },
        options: { vars: body.vars, fullRefresh: body.fullRefresh },
        source: c.source,
      });
      const state = (record.dataform as { state: string }).state;
      // As for the service's own completions (events/envelope.ts): the service runs with `as_of`
      // empty, which scores the current UTC day.
      const asOf = body.vars?.as_of || new Date().toISOString().slice(0, 10);
      const status = watched.cancelled ? "cancelled" : state === "SUCCEEDED" ? outcome(record.summary) : "failed";
      await write({
        status,
        actions: ledgerActions(record),
        progress: { done: record.actions.length, total: record.actions.length },
        asOf,
        ...(status === "cancelled" ? { error: `cancelled on request: ${f.invocation} CANCELLED` } : status === "failed" ? { error: `invocation ${f.invocation} ${state}` } : {}),
        endedAt: new Date().toISOString(),
      });
      log.event(status === "succeeded" ? "NOTICE" : "WARNING", `run ${status} (invocation ${f.invocation} ${state})`, { ...fields, summary: record.summary });
      await this.onRunEnd?.({ runId: f.id, correlationId: f.correlationId, asOf, status, summary: record.summary }).catch((e) => log.event("ERROR", `what follows the run did not start: ${(e as Error).message}`, fields));
    } catch (e) {
      const message = ((e as Error)?.message ?? String(e)).split("\n").join("; ");
      if (message === STOPPED) {
        await writes;
        const invocation = f.invocation ? `${f.invocation}, which goes on on the Dataform service (\`vwatch cloud status\` shows it)` : "the run before its invocation was created; trigger the run again";
        await markInterrupted(sql, `interrupted: the server stopped (SIGTERM) following ${invocation}`, [f.id]);
      } else await write({ status: "failed", error: message, endedAt: new Date().toISOString() });
      log.event("ERROR", `run failed: ${message}`, fields);
    } finally {
      stopBeating();
      await api?.close().catch(() => undefined);
    }
  }
}
