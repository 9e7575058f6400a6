import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  decide,
  parseRetryAfter,
  RETRY_AFTER_MAX_MS,
  RETRY_MAX_DELAY_MS,
} from '../src/modules/webhooks/webhooks.retry.js';

const now = new Date('2026-11-22T09:00:00.000Z');
const response = (status: number, retryAfter: string | null = null, location: string | null = null) =>
  ({ kind: 'response', status, retryAfter, location }) as const;

describe('webhook retry policy', () => {
  it('backs off exponentially from one minute, capped at eight hours, with upward jitter only', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 0))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(backoffMs(20, 0)).toBe(RETRY_MAX_DELAY_MS);
    expect(backoffMs(1, 0.999)).toBeGreaterThan(60_000);
    expect(backoffMs(1, 0.999)).toBeLessThanOrEqual(72_000);
  });

  it('the default budget of 12 attempts spans at least 24 hours even with no jitter', () => {
    let total = 0;
    for (let attempt = 1; attempt < 12; attempt++) total += backoffMs(attempt, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
  });

  it('reads Retry-After as seconds or as an HTTP date, capped, and ignores junk', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:05:00 GMT', now)).toBe(300_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('9999999', now)).toBe(RETRY_AFTER_MAX_MS);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('2xx delivers; 410 fails and disables the endpoint', () => {
    expect(decide(response(204), { attempt: 1, maxAttempts: 12, now }).outcome).toBe('delivered');
    const gone = decide(response(410), { attempt: 1, maxAttempts: 12, now });
    expect(gone).toMatchObject({ outcome: 'gone', disableEndpoint: true, nextAttemptAt: null });
  });

  it('retries 5xx, 408, 429, timeouts and connection errors; honours Retry-After', () => {
    for (const r of [
      response(500),
      response(503),
      response(408),
      { kind: 'error', error: 'timeout' } as const,
    ]) {
      const d = decide(r, { attempt: 1, maxAttempts: 12, now, random: 0 });
      expect(d.outcome).toBe('retry');
      expect(d.nextAttemptAt?.toISOString()).toBe('2026-11-22T09:01:00.000Z');
    }
    const limited = decide(response(429, '30'), { attempt: 1, maxAttempts: 12, now, random: 0 });
    expect(limited.nextAttemptAt?.toISOString()).toBe('2026-11-22T09:00:30.000Z');
    const later = decide(response(503, '7200'), { attempt: 5, maxAttempts: 12, now, random: 0 });
    expect(later.nextAttemptAt?.toISOString()).toBe('2026-11-22T11:00:00.000Z');
  });

  it('gives up after the last allowed attempt', () => {
    expect(decide(response(500), { attempt: 12, maxAttempts: 12, now }).outcome).toBe('gave_up');
    expect(decide({ kind: 'refused', error: 'x' }, { attempt: 3, maxAttempts: 3, now }).outcome).toBe(
      'gave_up',
    );
  });

  it('fails for good on other 4xx and on any redirect (never followed)', () => {
    for (const status of [400, 401, 403, 404, 422]) {
      expect(decide(response(status), { attempt: 1, maxAttempts: 12, now }).outcome).toBe('failed');
    }
    const redirect = decide(response(302, null, 'http://169.254.169.254/'), {
      attempt: 1,
      maxAttempts: 12,
      now,
    });
    expect(redirect.outcome).toBe('failed');
    expect(redirect.error).toMatch(/redirects are not followed/);
  });
});
