/**
 * Retries with exponential backoff and jitter for calls that failed in a way that may pass:
 * the service unavailable or overloaded, a quota, a deadline. Pure of the clock through `sleep`.
 */
import { googleStatus, isTransient } from "./google-errors";

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** The first wait; each next one doubles, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 500, maxDelayMs: 8000 };

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
}

/** The wait before attempt `n + 1` (n ≥ 1): initial × 2^(n-1), capped, with ±20 % jitter. */
export function backoffDelay(policy: RetryPolicy, n: number, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (n - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Runs fn until it succeeds, fails with an error `retryable` refuses, or the attempts run out
 * (then the last error is thrown, with `attempts` set on it for the message).
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  retryable: (e: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await fn();
    } catch (e) {
      if (!retryable(e) || n >= policy.attempts) {
        if (e && typeof e === "object") (e as { attempts?: number }).attempts = n;
        throw e;
      }
      await sleep(backoffDelay(policy, n));
    }
  }
}

/**
 * The client's own `timeout` is a gRPC deadline: over REST nothing enforces it, so each attempt
 * races a timer and a late answer is abandoned as DEADLINE_EXCEEDED (then retried like one).
 */
export function withTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      (call as { cancel?: () => void }).cancel?.();
      reject(Object.assign(new Error(`no answer within ${ms / 1000} s`), { name: "TimeoutError" }));
    }, ms);
  });
  call.catch(() => {});
  return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
}

/** Whether a failed call may be tried again: any transient error, or only a quota refusal (for creates that must not happen twice). */
export type RetryOn = "always" | "quota";

/**
 * One call to a Google API: its own deadline, retries of what may be retried with backoff, and
 * the last error mapped by `fail` (told how many attempts were made and how long they took).
 */
export async function guardedCall<T>(
  o: { timeoutMs: number; policy: RetryPolicy; retryOn: RetryOn },
  fn: (opts: { timeout: number }, attempt: number) => Promise<T>,
  fail: (e: unknown, attempts: number, seconds: number) => unknown,
): Promise<T> {
  const started = Date.now();
  let attempt = 0;
  const retryable = (e: unknown) => (o.retryOn === "always" ? isTransient(e) : googleStatus(e)?.status === "RESOURCE_EXHAUSTED");
  try {
    return await withRetry(() => withTimeout(fn({ timeout: o.timeoutMs }, ++attempt), o.timeoutMs), retryable, o.policy);
  } catch (e) {
    throw fail(e, attempt, (Date.now() - started) / 1000);
  }
}
