import type { DuckDBConnection } from "@duckdb/node-api";
import { WarehouseError } from "../errors";

/**
 * Failure handling shared by the loaders: whatever goes wrong while a file is written (a full
 * disk above all), the user sees the original error with the file, and the warehouse keeps
 * what it held before the file.
 */

/**
 * Rolls back after a failed statement. DuckDB ends the transaction itself on some failures (a
 * failed commit on a full disk), so finding none to roll back is expected, and must not replace
 * the original error ("cannot rollback - no transaction is active").
 */
export async function rollback(db: DuckDBConnection): Promise<void> {
  try {
    await db.run("rollback");
  } catch {
    // No transaction left: DuckDB already rolled it back.
  }
}

/** Runs work, then cleanup; when work fails, a failing cleanup does not hide work's error. */
export async function withCleanup<T>(work: () => Promise<T>, cleanup: () => unknown): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (e) {
    try {
      await cleanup();
    } catch {
      // The first error is the one to report.
    }
    throw e;
  }
  await cleanup();
  return result;
}

/** A warehouse or disk failure (not the input's fault), keeping the original message's first line. */
export function storageFailure(what: string, e: unknown, after?: string): WarehouseError {
  const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return new WarehouseError(`${what}: ${message}${after ? `; ${after}` : ""}`, { cause: e });
}
