/**
 * Claiming a run before it starts, so that a retried trigger finds its run and a second trigger
 * on a busy warehouse is refused. The claim runs in one transaction holding an advisory lock, so
 * concurrent claims (50 retries of one Cloud Scheduler call, two server instances) are decided one
 * after the other; the table's unique indexes (one row per idempotency key, one unfinished run per
 * warehouse) hold it even against a writer that skips the lock. An unfinished run whose heartbeat
 * stopped (its server was killed) no longer holds the warehouse: the claim marks it interrupted.
 */
import { log } from "../log";
import { STALE_SECONDS } from "./heartbeat";
import { activeRun, insertRun, interruptAbandoned, runByKey, type LedgerRun, type Sql } from "./runs";

/** pg_advisory_xact_lock key of run claims ("vwatchrun" folded into a bigint), fixed so every version agrees. */
const CLAIM_LOCK_KEY = "7022654407890020722";

export type Claim =
  /** The run was recorded (status queued): the caller starts it. */
  | { outcome: "created"; run: LedgerRun }
  /** A run with this idempotency key exists: it is the answer. */
  | { outcome: "existing"; run: LedgerRun }
  /** Another run is unfinished on the same warehouse. */
  | { outcome: "busy"; run: LedgerRun };

/** Runs fn inside BEGIN … COMMIT on one connection. */
export type Transaction = <T>(fn: (sql: Sql) => Promise<T>) => Promise<T>;

export async function claimRun(transaction: Transaction, run: LedgerRun): Promise<Claim> {
  return transaction(async (sql) => {
    await sql.execute(`select pg_advisory_xact_lock(${CLAIM_LOCK_KEY})`);
    if (run.idempotencyKey) {
      const existing = await runByKey(sql, run.idempotencyKey);
      if (existing) return { outcome: "existing", run: existing };
    }
    const abandoned = await interruptAbandoned(sql, run.ranOn, STALE_SECONDS);
    if (abandoned) log.event("WARNING", `run ${abandoned} on ${run.ranOn} sent no heartbeat for ${STALE_SECONDS} s: marked interrupted, the warehouse is taken over`, { runId: run.id });
    const active = await activeRun(sql, run.ranOn);
    if (active) return { outcome: "busy", run: active };
    await insertRun(sql, { ...run, status: "queued" });
    return { outcome: "created", run: { ...run, status: "queued" } };
  });
}
