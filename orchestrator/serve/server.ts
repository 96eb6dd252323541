/**
 * `vwatch serve` as a value: opens what the process keeps (the session's PostgreSQL, migrated,
 * with the pending CLI runs written; the bounded pool; the token verifier), listens, and stops in
 * order on shutdown: no new requests, the running run stopped after its action or marked
 * interrupted by the deadline, then the pool and the session closed.
 */
import * as fs from "fs";
import * as path from "path";
import { openLedger } from "../ledger/record";
import { markInterrupted, type RanOn } from "../ledger/runs";
import { log } from "../log";
import type { Session } from "../run/session";
import { buildApp, type PushHandler } from "./app";
import { healthChecker } from "./health";
import { SPIKES_MODEL } from "../sink/spikes-model";
import { openPool } from "./pool";
import { Runner, type RunEnd } from "./runner";
import { DataformRunner } from "./dataform-runner";
import { loadDeploySettings, SETTINGS_FILE } from "../cloud/settings";
import type { ServeSettings } from "./settings";

/** Connections the server's requests may hold at once (the run's write-back has one more, the session's). */
export const POOL_SIZE = 4;
/** Cloud Run kills the process 10 s after SIGTERM: the run gets this long to end its action. */
export const SHUTDOWN_DEADLINE_MS = 8_000;

export interface RunningServer {
  url: string;
  port: number;
  /** Stops as on SIGTERM; resolves once everything is closed. */
  shutdown(): Promise<void>;
}

export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
}

export async function startServer(session: Session, settings: ServeSettings, options: { handlePush?: PushHandler; onRunEnd?: (end: RunEnd) => Promise<void> } = {}): Promise<RunningServer> {
  const ranOn = session.config.warehouse as RanOn;
  const pg = await session.postgres();
  const flushed = await openLedger(pg, session.config.home);
  if (flushed) log.event("INFO", `${flushed} CLI run(s) waiting in the home folder written to the run ledger`);
  // A local DuckDB file has one server: a run it left unfinished belongs to a process that died.
  if (ranOn === "duckdb") {
    const ids = await markInterrupted(pg, "interrupted: the server running it stopped before it finished; trigger the run again");
    if (ids.length) log.event("WARNING", `marked ${ids.length} unfinished run(s) interrupted: ${ids.join(", ")}`);
  }
  const pool = await openPool(session.config, POOL_SIZE);
  const { readMigrations } = await import("../sink/migrate");
  const verifier = settings.auth ? await (await import("./auth")).createVerifier(settings.auth) : undefined;
  const runner = new Runner(session, pool, ranOn, options.onRunEnd);
  // Runs on the Dataform service need vwatch.yaml's production settings (its release config).
  const settingsFile = path.join(session.config.projectDir, SETTINGS_FILE);
  const dataform = fs.existsSync(settingsFile) ? new DataformRunner(loadDeploySettings(session.config.projectDir), pool, options.onRunEnd) : undefined;
  const { runSyncStatus } = await import("../sink/run-sync");
  const health = healthChecker({
    session,
    sql: pool.sql,
    version: packageVersion(),
    staleAfterHours: settings.staleAfterHours,
    migrations: readMigrations().map((m) => m.name),
    runningRun: () => runner.running ?? dataform?.running,
    spikesBehind: async () => {
      // A project without the spikes model (say a test's) writes nothing back.
      if (!(session.graph().tables ?? []).some((t) => t.target.name === SPIKES_MODEL)) return undefined;
      const s = await runSyncStatus(session);
      return { rows: s.rowsBehind, days: s.daysBehind };
    },
  });
  let stopping = false;
  const { checkVars } = await import("../compile/vars");
  const { InputError } = await import("../errors");
  const varProblems = (vars: Record<string, string>) =>
    Object.entries(vars).flatMap(([name, value]) => {
      try {
        checkVars(session.config.projectDir, { [name]: value }, `vars.${name}`);
        return [];
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        return [{ field: `vars.${name}`, problem: e.message.replace(`vars.${name}: `, "") }];
      }
    });
  const { mountWeb } = await import("../web/mount");
  const mountPages = (app: Parameters<typeof mountWeb>[0]) => mountWeb(app, { session, sql: pool.sql });
  const app = await buildApp({ verifier, runner, dataform, sql: pool.sql, health, handlePush: options.handlePush, stopping: () => stopping, checkVars: varProblems, mountPages });
  await app.listen({ port: settings.port, host: settings.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  const url = `http://${settings.host.includes(":") ? `[${settings.host}]` : settings.host}:${port}`;
  log.event("NOTICE", `serving on ${url}`, { version: packageVersion(), warehouse: ranOn, auth: settings.auth ? "oidc" : "off" });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    shutdown() {
      closing ??= (async () => {
        stopping = true;
        log.event("NOTICE", "shutting down: no new requests");
        await Promise.all([app.close(), runner.shutdown(SHUTDOWN_DEADLINE_MS), dataform?.shutdown()]);
        await pool.close();
        log.event("NOTICE", "stopped");
      })();
      return closing;
    },
  };
}
