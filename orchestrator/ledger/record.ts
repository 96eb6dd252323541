/**
 * Recording a CLI run in the ledger without making it slower: when the session has PostgreSQL
 * open already (the write-back ran), the run and any pending ones are written now; otherwise the
 * run waits in the home folder's pending file (pending.ts) for the next command with PostgreSQL.
 * A failure to record never fails the run: the row goes to the pending file and a warning says so.
 */
import { log } from "../log";
import type { PgSink } from "../postgres/connect";
import type { Session } from "../run/session";
import { appendPending, flushPending } from "./pending";
import { insertRun, type LedgerRun, type RunTrigger } from "./runs";

/** The trigger of a run started from a shell: CI when the CI variable says so (GitHub Actions, GitLab, … set it). */
export function shellTrigger(env: NodeJS.ProcessEnv = process.env): RunTrigger {
  return env.CI && env.CI !== "false" && env.CI !== "0" ? "ci" : "cli";
}

/** Migrates, then writes the pending runs; the number written. */
export async function openLedger(pg: PgSink, home: string): Promise<number> {
  const { migrate } = await import("../sink/migrate");
  await migrate(pg);
  return flushPending(home, pg);
}

export async function recordRun(session: Session, run: LedgerRun): Promise<"ledger" | "pending"> {
  const home = session.config.home;
  if (session.postgresOpened) {
    try {
      const pg = await session.postgres();
      await openLedger(pg, home);
      await insertRun(pg, run);
      return "ledger";
    } catch (e) {
      log.warn(`run ${run.id} not written to the run ledger (${(e as Error).message}); it waits in the home folder for the next command with PostgreSQL`);
    }
  }
  appendPending(home, run);
  return "pending";
}
