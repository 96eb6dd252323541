/**
 * Retries with exponential backoff and jitter for calls that failed in a way that may pass:
 * the service unavailable or overloaded, a quota, a deadline. Pure of the clock through `sleep`.
 */
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
