/**
 * A running run's heartbeat: the server that runs it refreshes `heartbeat_at` every
 * HEARTBEAT_SECONDS, and a claim on the same warehouse treats a run silent for STALE_SECONDS as
 * abandoned (ledger/claim.ts). Stale is four beats, so a slow PostgreSQL answer or a busy event
 * loop does not hand a live run's warehouse to a second trigger.
 */
import { log } from "../log";
import { beat, type Sql } from "./runs";

export const HEARTBEAT_SECONDS = 15;
export const STALE_SECONDS = 4 * HEARTBEAT_SECONDS;

/** Starts beating for a run; the returned function stops. A failed beat is logged, never the run's failure. */
export function keepAlive(sql: Sql, runId: string, everyMs = HEARTBEAT_SECONDS * 1000): () => void {
  const timer = setInterval(() => {
    beat(sql, runId).catch((e) => log.event("WARNING", `heartbeat not written: ${(e as Error).message}`, { runId }));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
