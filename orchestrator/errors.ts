/**
 * One base error with a stable code, a human message and a cause. Only the CLI maps these
 * to exit codes and text.
 */
export class VwatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends VwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIG", message, options);
  }
}

export class CompileError extends VwatchError {
  constructor(
    message: string,
    readonly problems: { file: string; line?: number; message: string }[] = [],
  ) {
    super("COMPILE", message);
  }
}

export class WarehouseError extends VwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("WAREHOUSE", message, options);
  }
}

/** A BigQuery construct the local DuckDB warehouse cannot run faithfully. */
export class UnsupportedSqlError extends VwatchError {
  constructor(
    readonly construct: string,
    message: string,
  ) {
    super("UNSUPPORTED_SQL", message);
  }
}

export class SinkError extends VwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SINK", message, options);
  }
}

export class AssertionFailure extends VwatchError {
  constructor(message: string) {
    super("ASSERTION", message);
  }
}

export class InputError extends VwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INPUT", message, options);
  }
}

/**
 * A Google Cloud API refused or failed a call. `reason` says which way, so the CLI can tell bad
 * set-up (an API not enabled, a missing permission, a bad value: exit 2) from a fault that may
 * pass (the service unavailable after retries, a conflict: exit 1).
 */
export type CloudReason = "SERVICE_DISABLED" | "PERMISSION_DENIED" | "NOT_FOUND" | "ALREADY_EXISTS" | "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "UNAVAILABLE" | "UNAUTHENTICATED" | "OTHER";

export class CloudError extends VwatchError {
  constructor(
    readonly reason: CloudReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("CLOUD", message, options);
  }

  /** Whether the fault is in the set-up or the input (fix and run again) rather than in the service. */
  get isSetup(): boolean {
    return ["SERVICE_DISABLED", "PERMISSION_DENIED", "NOT_FOUND", "INVALID_ARGUMENT", "FAILED_PRECONDITION", "UNAUTHENTICATED"].includes(this.reason);
  }
}

/** The user stopped a command that was waiting (a second Ctrl-C); what goes on elsewhere is named in the message. */
export class InterruptedError extends VwatchError {
  constructor(message: string) {
    super("INTERRUPTED", message);
  }
}

/** A failure that may pass by itself (a service or PostgreSQL unreachable): the caller tries again later. */
export class TransientError extends VwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TRANSIENT", message, options);
  }
}
