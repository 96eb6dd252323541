/**
 * What every log line of a piece of work carries (a run's correlation id), without passing it
 * down: set for the duration of an async call chain (AsyncLocalStorage), read by log.ts. Nothing is
 * set in CLI commands, whose lines stay as they are.
 */
import { AsyncLocalStorage } from "async_hooks";

export interface LogContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs fn with this context on every log line it (and what it awaits) writes. */
export function withLogContext<T>(context: LogContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(context, fn);
}

/** The context of the work under way, if any. */
export function logContext(): LogContext | undefined {
  return storage.getStore();
}

/** The line with its context appended, when there is one and the line does not name it already. */
export function withContext(message: string): string {
  const id = storage.getStore()?.correlationId;
  return id && !message.includes(id) ? `${message} [correlation ${id}]` : message;
}
