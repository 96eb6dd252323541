/**
 * The server's runs: claimed in the ledger (ledger/claim.ts) before they start, then run in the
 * background in the server's one session, one at a time per warehouse. Progress reaches the
 * ledger after each action. A cancel stops the run before its next action (`cancelled`); a
 * shutdown (SIGTERM) does the same and marks it `interrupted`, or marks it so at the deadline if
 * the running action has not finished by then. A later trigger runs the same selection again:
 * tables are rebuilt and incremental tables merge only what they lack, so running it again is safe.
 */
import { randomUUID } from "crypto";
import { log } from "../log";
import { SPIKES_MODEL } from "../sink/spikes-model";
import { claimRun, type Claim } from "../ledger/claim";
import { keepAlive } from "../ledger/heartbeat";
import { ledgerActions, outcome, selectionOf } from "../ledger/from-record";
import { markInterrupted, updateRun, type LedgerAction, type LedgerRun, type RanOn, type RunTrigger } from "../ledger/runs";
import type { RunRequest } from "../run/execute";
import type { Session } from "../run/session";
import type { RunBody } from "./run-body";
import type { ServerPool } from "./pool";

export interface TriggerContext {
  trigger: RunTrigger;
  correlationId?: string;
  idempotencyKey?: string;
}

interface Current {
  id: string;
  correlationId: string;
  stop?: "cancel" | "shutdown";
  done: Promise<void>;
}

/** How a served run ended, for what follows it (phase chaining publishes it as transform's completion). */
export interface RunEnd {
  runId: string;
  correlationId: string;
  asOf?: string;
  status: LedgerRun["status"];
  summary: Record<string, number>;
  /**
   * The write-back the run did itself (what it wrote), so that what follows does not write again;
   * absent when it wrote nothing. `sync: false` in the request: no write-back is wanted.
   */
  synced?: { read: number; inserted: number; alreadyPresent: number };
  noSync?: boolean;
  /** The run's write-back refused to write its spikes (its vars are an experiment's). */
  syncRefused?: boolean;
}

/** A run as claimed in the ledger (queued), from the request's body and trigger. */
export function newLedgerRun(body: RunBody, context: TriggerContext, ranOn: RanOn): LedgerRun & { correlationId: string } {
  const id = randomUUID();
  return {
    id,
    trigger: context.trigger,
    correlationId: context.correlationId ?? id,
    ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
    ranOn,
    selection: selectionOf(body.selection ?? {}),
    vars: body.vars ?? {},
    fullRefresh: Boolean(body.fullRefresh),
    startedAt: new Date().toISOString(),
    status: "queued",
    actions: [],
  };
}

export class Runner {
  private current?: Current;

  constructor(
    private readonly session: Session,
    private readonly pool: ServerPool,
    readonly ranOn: RanOn,
    /** Called once a run ended (not when it failed to run at all); its failure is logged, never the run's. */
    private readonly onRunEnd?: (end: RunEnd) => Promise<void>,
  ) {}

  /** Claims a run and, when it is new, starts it in the background. */
  async trigger(body: RunBody, context: TriggerContext): Promise<Claim> {
    const run = newLedgerRun(body, context, this.ranOn);
    const { id, correlationId } = run;
    const claim = await claimRun(this.pool.transaction, run);
    if (claim.outcome === "created") {
      const current: Current = { id, correlationId, done: Promise.resolve() };
      this.current = current;
      current.done = log.withFields({ runId: id, correlationId }, () => this.execute(current, body)).finally(() => {
        if (this.current === current) this.current = undefined;
      });
    }
    return claim;
  }

  /** Asks the run to stop before its next action; false when it is not running in this process. */
  cancel(id: string): boolean {
    if (this.current?.id !== id) return false;
    this.current.stop ??= "cancel";
    return true;
  }

  /** The run this process is running, if any. */
  get running(): string | undefined {
    return this.current?.id;
  }

  /**
   * Stops for a shutdown: the running action finishes and the run is marked interrupted; past
   * the deadline it is marked interrupted at once (the process is about to be killed).
   */
  async shutdown(deadlineMs: number): Promise<void> {
    const current = this.current;
    if (!current) return;
    current.stop = "shutdown";
    log.event("WARNING", "stopping: the running run stops after its current action", { runId: current.id, correlationId: current.correlationId });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([current.done.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), deadlineMs)))]);
    clearTimeout(timer);
    if (timedOut) await markInterrupted(this.pool.sql, "interrupted: the server stopped (SIGTERM) while an action was running; trigger the run again", [current.id]);
  }

  private async execute(current: Current, body: RunBody): Promise<void> {
    const { id, correlationId } = current;
    const fields = { runId: id, correlationId };
    const sql = this.pool.sql;
    const request: RunRequest = { ...body.selection, vars: body.vars, fullRefresh: body.fullRefresh };
    let writes = Promise.resolve();
    const write = (change: Parameters<typeof updateRun>[2]) => {
      writes = writes.then(() => updateRun(sql, id, change).then(() => undefined)).catch((e) => log.event("ERROR", `run ledger not updated: ${(e as Error).message}`, fields));
      return writes;
    };
    const stopBeating = keepAlive(sql, id);
    try {
      await write({ status: "running" });
      log.event("INFO", "run started", fields);
      const { executeRun } = await import("../run/execute");
      // Every planned action, pending until it ran: GET /runs/{id} shows where the run is.
      let actions: LedgerAction[] = [];
      const record = await executeRun(this.session, request, {
        runId: id,
        shouldStop: () => current.stop !== undefined,
        writeResultsFile: false,
        onPlan: (planned) => {
          actions = planned.map((a) => ({ name: a.name, status: "pending" }));
          void write({ actions: [...actions], progress: { done: 0, total: planned.length } });
        },
        onProgress: (r, done, total) => {
          const [result] = ledgerActions({ actions: [r] });
          const at = actions.findIndex((a) => a.name === r.name);
          if (at >= 0) actions[at] = result;
          else actions.push(result);
          log.event(r.status === "failed" ? "ERROR" : "INFO", `action ${r.status}: ${r.name}`, { ...fields, done, total });
          void write({ actions: [...actions], progress: { done, total } });
        },
      });
      const afterRun = !current.stop && body.sync !== false ? await this.session.hooks.afterRun?.(this.session, record, { json: true, writeBack: body.sync }) : undefined;
      const status = current.stop === "shutdown" ? "interrupted" : current.stop === "cancel" ? "cancelled" : outcome(record.summary);
      const asOf = (record.asOf as { day?: string } | undefined)?.day;
      await write({
        status,
        actions: ledgerActions(record),
        progress: { done: record.actions.length, total: record.actions.length },
        vars: record.options.vars ?? {},
        ...(asOf ? { asOf } : {}),
        ...(record.sync !== undefined ? { sync: record.sync } : {}),
        ...(current.stop ? { error: current.stop === "shutdown" ? "interrupted: the server stopped (SIGTERM); trigger the run again" : "cancelled on request" } : {}),
        endedAt: new Date().toISOString(),
      });
      log.event(status === "succeeded" ? "NOTICE" : "WARNING", `run ${status}`, { ...fields, summary: record.summary });
      const synced = record.sync as { read: number; inserted: number; alreadyPresent: number } | undefined;
      const end: RunEnd = { runId: id, correlationId, ...(asOf ? { asOf } : {}), status, summary: record.summary };
      if (synced) end.synced = { read: synced.read, inserted: synced.inserted, alreadyPresent: synced.alreadyPresent };
      if (body.sync === false) end.noSync = true;
      // mention_spikes built and the write-back ended well yet wrote nothing: it refused the run's
      // vars (an experiment's), and what follows must not write them either.
      const spikesBuilt = record.actions.some((a) => a.name.split(".").pop() === SPIKES_MODEL && a.status === "success");
      if (afterRun === 0 && spikesBuilt && !synced) end.syncRefused = true;
      await this.onRunEnd?.(end).catch((e) =>
        log.event("ERROR", `what follows the run did not start: ${(e as Error).message}`, fields),
      );
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      await write({ status: current.stop === "shutdown" ? "interrupted" : "failed", error: message, endedAt: new Date().toISOString() });
      log.event("ERROR", `run failed: ${message}`, fields);
    } finally {
      stopBeating();
    }
  }
}
