/**
 * Whether a failure may pass by itself (the warehouse or PostgreSQL unreachable, a Google service
 * unavailable, the warehouse file busy): the push handler answers 503 so Pub/Sub delivers again.
 * Anything else is a real failure of the phase, and retrying cannot help.
 */
import { CloudError, SinkError, TransientError, WarehouseError } from "../errors";

const PG_UNREACHABLE = /cannot reach PostgreSQL|connection to PostgreSQL .* was lost|PostgreSQL at .* went away|not accepting connections|no answer from PostgreSQL|ended the session after it sat idle/;
const WAREHOUSE_UNREACHABLE = /another vwatch command.* is using the warehouse file|ECONNREFUSED|ETIMEDOUT|ECONNRESET|socket hang up|503|Service Unavailable|backendError|rateLimitExceeded/i;

export function isTransient(e: unknown): boolean {
  if (e instanceof TransientError) return true;
  if (e instanceof SinkError) return PG_UNREACHABLE.test(e.message);
  if (e instanceof CloudError) return e.reason === "UNAVAILABLE";
  if (e instanceof WarehouseError) return WAREHOUSE_UNREACHABLE.test(e.message);
  const code = (e as { code?: string | number } | undefined)?.code;
  // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), as the Pub/Sub client reports them; network errors.
  return code === 14 || code === 4 || code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT";
}
