/**
 * When a message that failed with a retryable error is tried again: exponential backoff with "equal
 * jitter" (half the delay fixed, half random), so a gateway that came back is not hit by every
 * waiting message in the same instant, and never earlier than the gateway's own `Retry-After`.
 *
 * `n` is the how-manieth retry (1 for the first): 2 s, 4 s, 8 s … at most 10 minutes, each between half
 * and all of that.
 */
export const RETRY_BASE_MS = 2000;
export const RETRY_MAX_MS = 10 * 60_000;
/** A throttled answer without `Retry-After` pauses the account this long (doubling, at most 1 min). */
export const THROTTLE_BASE_MS = 1000;
export const THROTTLE_MAX_MS = 60_000;

export function retryDelayMs({
  n,
  retryAfterMs,
  random,
  baseMs = RETRY_BASE_MS,
  maxMs = RETRY_MAX_MS,
}: {
  n: number;
  retryAfterMs?: number | undefined;
  random: () => number;
  baseMs?: number;
  maxMs?: number;
}): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, n - 1)));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** The pause after a throttled answer: the gateway's `Retry-After`, else a doubling default. */
export function throttleDelayMs(n: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.round(retryAfterMs);
  return Math.min(THROTTLE_MAX_MS, THROTTLE_BASE_MS * 2 ** Math.max(0, Math.min(30, n - 1)));
}
