/**
 * What happens after one attempt: pure functions, so the schedule is tested without a network.
 *
 * - 2xx → delivered.
 * - 408, 429, 5xx, a timeout, a connection or DNS error, or a target refused at send time → retried
 *   with exponential backoff (1, 2, 4 … minutes, at most 8 hours, plus 0–20 % jitter), or after
 *   `Retry-After` when the receiver sends one (seconds or an HTTP date, at most 24 hours); after the
 *   last allowed attempt → `gave_up`.
 * - 410 Gone → this delivery failed, and the endpoint is disabled (the receiver says it is gone).
 * - any other 4xx, and 3xx (redirects are never followed) → failed for good.
 */
import type { AttemptOutcome } from './webhooks.table.js';

export const RETRY_BASE_MS = 60_000;
export const RETRY_MAX_DELAY_MS = 8 * 3_600_000;
export const RETRY_AFTER_MAX_MS = 24 * 3_600_000;
const JITTER = 0.2;

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failed attempts. `random` is in [0, 1). */
export function backoffMs(attempt: number, random: number = Math.random()): number {
  const exp = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (1 + JITTER * random));
}

/** `Retry-After` as a delay in ms from `now` (delta-seconds or HTTP date), or null when absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return null;
    ms = at - now.getTime();
  }
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, ms));
}

/** What one attempt produced, as the transport saw it. */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter: string | null; location: string | null }
  | { kind: 'error'; error: string }
  /** Refused before connecting (SSRF check at send time, URL no longer allowed). */
  | { kind: 'refused'; error: string };

export interface AttemptDecision {
  outcome: AttemptOutcome;
  /** For `retry`: when to try again. */
  nextAttemptAt: Date | null;
  error: string | null;
  /** 410: disable the endpoint. */
  disableEndpoint: boolean;
}

/**
 * Decides the delivery's fate after attempt number `attempt` (1-based) of at most `maxAttempts`.
 */
export function decide(
  result: AttemptResult,
  { attempt, maxAttempts, now, random }: { attempt: number; maxAttempts: number; now: Date; random?: number },
): AttemptDecision {
  const retry = (error: string | null, afterMs?: number | null): AttemptDecision => {
    if (attempt >= maxAttempts)
      return { outcome: 'gave_up', nextAttemptAt: null, error, disableEndpoint: false };
    const delay = afterMs ?? backoffMs(attempt, random);
    return {
      outcome: 'retry',
      nextAttemptAt: new Date(now.getTime() + Math.max(1000, delay)),
      error,
      disableEndpoint: false,
    };
  };
  const fail = (error: string): AttemptDecision => ({
    outcome: 'failed',
    nextAttemptAt: null,
    error,
    disableEndpoint: false,
  });

  if (result.kind !== 'response') return retry(result.error);
  const { status } = result;
  if (status >= 200 && status < 300) {
    return { outcome: 'delivered', nextAttemptAt: null, error: null, disableEndpoint: false };
  }
  if (status === 410) {
    return {
      outcome: 'gone',
      nextAttemptAt: null,
      error: 'HTTP 410 Gone: endpoint disabled',
      disableEndpoint: true,
    };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return retry(`HTTP ${status}`, parseRetryAfter(result.retryAfter, now));
  }
  if (status >= 300 && status < 400) {
    return fail(
      `HTTP ${status}: redirects are not followed${result.location ? ` (Location: ${result.location.slice(0, 200)})` : ''}`,
    );
  }
  return fail(`HTTP ${status}`);
}
