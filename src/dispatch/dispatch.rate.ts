import { type Kysely, sql } from 'kysely';
import type { Clock } from '../core/clock.js';
import { first, type OpsRunner, runOps } from '../db/ops.js';
import type { DispatchDatabase } from './dispatch.tables.js';

/**
 * The throughput limit of a provider account, shared by every worker through the database.
 *
 * It is a token bucket of capacity one, kept in its GCRA form (generic cell rate algorithm): the row
 * `rate_buckets(provider_account_id, next_at_ms)` holds the time of the next free slot. A submit
 * *reserves* its slot with one atomic UPDATE — `next_at := max(next_at, now) + cost × interval` — and
 * the worker waits until the slot's time before it calls the gateway. Because every reservation goes
 * through the same row, any number of workers in any number of processes share one limit.
 *
 * Why capacity one: a bucket that may fill up to `b` tokens lets `b + rate` submits into one second.
 * Gateways count per second, so Herald never bursts above the rate.
 *
 * Why `headroom`: the slot is a promise about when the worker *starts* the submit; it starts a little
 * later, by a jittery amount (timer lateness, a busy event loop). With slots exactly `1/rate` apart, two
 * submits `rate` slots apart may then land less than a second apart, i.e. `rate + 1` in some one-second
 * window. Spacing slots `headroom` wider absorbs `headroom × 1 s` of jitter (10 ms at the default 1 %)
 * for 1 % of throughput; the worker bounds the lateness to 80 % of that (`lateToleranceMs`) by taking
 * a new slot when it woke up too late.
 *
 * Clock: slot times come from the workers' clocks; processes on different machines need synchronised
 * clocks (NTP), or the limit is off by their skew.
 */
export type Reservation =
  | { ok: true; slotMs: number }
  /** No slot before the horizon; `paused`: because the gateway asked for a pause (failover may help). */
  | { ok: false; retryAtMs: number; paused: boolean };

export interface RateLimiter {
  /**
   * Reserves `cost` tokens of the account's bucket if its next free slot starts before
   * `now + horizonMs`: returns the slot's start (epoch ms; wait until then), never earlier than
   * `now + leadMs` (time the caller needs before it can submit). Otherwise reserves nothing and says
   * when to try again.
   */
  reserve(accountId: string, perSecond: number, cost: number, leadMs?: number): Promise<Reservation>;
  /**
   * The gateway answered "throttled": no slot of this account before `untilMs`, for every worker. The
   * claim skips the account's messages meanwhile, except those with a fallback account. The first
   * submit after the pause is a probe: the slot after it comes `probeGapMs` later, so a gateway that
   * still throttles gets one request per pause, not a burst.
   */
  pause(accountId: string, untilMs: number): Promise<void>;
}

export interface RateLimiterOptions {
  db: Kysely<DispatchDatabase>;
  /**
   * Runs a reservation's write (the worker's shared commits on SQLite, see db/ops.ts); default:
   * straight on `db`, on its own.
   */
  run?: OpsRunner<DispatchDatabase>;
  clock: Clock;
  /** How far ahead a slot may be reserved (ms). Default 1,000. */
  horizonMs?: number;
  /** Fraction by which slots are spaced wider than `1/rate` (see above). Default 0.01. */
  headroom?: number;
  /** Time between the probe after a pause and the next submit. Default 1,000 ms. */
  probeGapMs?: number;
}

export const DEFAULT_RATE_HORIZON_MS = 1000;
export const DEFAULT_RATE_HEADROOM = 0.01;

/**
 * How late after its slot a submit may still start. With slots `I = 1000 / (rate × (1 − h))` ms apart
 * and every submit in `[slot, slot + tolerance]`, two submits `rate` slots apart are at least
 * `rate × I − tolerance = 1000 × (1 + h / (1 − h)) − tolerance` ms apart: no one-second window holds more
 * than `rate` submits while the tolerance stays below `1000 × h / (1 − h)` ms (10.1 ms at 1 %). Taken as
 * 80 % of that (8 ms at 1 %), leaving room for the clock's whole milliseconds and the way to the gateway.
 */
export const lateToleranceMs = (headroom = DEFAULT_RATE_HEADROOM) =>
  ((1000 * headroom) / (1 - headroom)) * 0.8;

/** Milliseconds between two slots of one token at `perSecond`. */
export const slotIntervalMs = (perSecond: number, headroom = DEFAULT_RATE_HEADROOM) =>
  1000 / (perSecond * (1 - headroom));

export function createRateLimiter({
  db,
  run = (procedure) => runOps(db as Kysely<unknown>, procedure(db)),
  clock,
  horizonMs = DEFAULT_RATE_HORIZON_MS,
  headroom = DEFAULT_RATE_HEADROOM,
  probeGapMs = 1000,
}: RateLimiterOptions): RateLimiter {
  const ensureBucket = async (accountId: string) => {
    await db
      .insertInto('rate_buckets')
      .values({ provider_account_id: accountId, next_at_ms: 0 })
      .onConflict((oc) => oc.column('provider_account_id').doNothing())
      .execute();
  };

  async function reserve(
    accountId: string,
    perSecond: number,
    cost: number,
    leadMs = 0,
  ): Promise<Reservation> {
    const increment = Math.max(1, cost) * slotIntervalMs(perSecond, headroom);
    for (let round = 0; round < 2; round++) {
      let horizon = 0;
      // Times taken when the statement runs (a shared transaction may start a moment later).
      const taken = await run(function* (trx) {
        const nowMs = clock.now().getTime();
        horizon = nowMs + horizonMs;
        const earliest = nowMs + leadMs;
        // slot = max(next_at, paused_until, now + lead), written with CASE so both dialects run it.
        const slot = sql<number>`(CASE WHEN next_at_ms > paused_until_ms
          THEN (CASE WHEN next_at_ms > ${earliest} THEN next_at_ms ELSE ${earliest} END)
          ELSE (CASE WHEN paused_until_ms > ${earliest} THEN paused_until_ms ELSE ${earliest} END) END)`;
        // Every SET expression reads the row as it was: last_slot_ms gets the slot this call reserved.
        return yield* first(
          trx
            .updateTable('rate_buckets')
            .set({
              next_at_ms: sql<number>`${slot} + ${increment} + probe_gap_ms`,
              last_slot_ms: slot,
              probe_gap_ms: 0,
            })
            .where('provider_account_id', '=', accountId)
            .where('next_at_ms', '<=', horizon)
            .where('paused_until_ms', '<=', horizon)
            .returning('last_slot_ms'),
        );
      });
      if (taken) return { ok: true, slotMs: Number(taken.last_slot_ms) };
      const row = await db
        .selectFrom('rate_buckets')
        .select(['next_at_ms', 'paused_until_ms'])
        .where('provider_account_id', '=', accountId)
        .executeTakeFirst();
      if (row) {
        const next = Math.max(Number(row.next_at_ms), Number(row.paused_until_ms));
        return { ok: false, retryAtMs: next - horizonMs, paused: Number(row.paused_until_ms) > horizon };
      }
      await ensureBucket(accountId);
    }
    throw new Error(`rate bucket of provider account ${accountId} could not be created`);
  }

  async function pause(accountId: string, untilMs: number) {
    await ensureBucket(accountId);
    await db
      .updateTable('rate_buckets')
      .set({
        paused_until_ms: sql<number>`CASE WHEN paused_until_ms > ${untilMs} THEN paused_until_ms ELSE ${untilMs} END`,
        probe_gap_ms: probeGapMs,
      })
      .where('provider_account_id', '=', accountId)
      .execute();
  }

  return { reserve, pause };
}
