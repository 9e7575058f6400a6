import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely';
import type { DispatchDatabase } from './dispatch.tables.js';

/** What a claim needs to know. Times are ISO strings (both dialects compare them correctly). */
export interface ClaimParams {
  workerId: string;
  /** Most messages to claim. */
  limit: number;
  now: string;
  /** `now` in epoch milliseconds, for the rate buckets. */
  nowMs: number;
  leaseUntil: string;
  /**
   * A message whose provider account's bucket has no free slot before `nowMs + horizonMs` is left for
   * later: claiming it would only make this worker hold it while it waits.
   */
  horizonMs: number;
}

/** The columns of a claimed message the worker needs to submit it. */
export const CLAIMED_COLUMNS = [
  'messages.id',
  'messages.org_unit_id',
  'messages.batch_id',
  'messages.to_e164',
  'messages.body',
  'messages.parts',
  'messages.category',
  'messages.sender_config_id',
  'messages.provider_account_id',
  'messages.sender_id',
  'messages.attempts',
  'messages.throttled_count',
  'messages.expires_at',
] as const;

export interface ClaimedRow {
  id: string;
  org_unit_id: string;
  batch_id: string | null;
  to_e164: string | null;
  body: string;
  parts: number;
  category: string;
  sender_config_id: string | null;
  provider_account_id: string | null;
  sender_id: string | null;
  /** After the claim's increment: the number of this attempt. */
  attempts: number;
  throttled_count: number;
  expires_at: string;
}

/**
 * Due: `queued`, `due_at` reached, not expired (the expiry sweep turns those into `expired`), and its
 * account's shared bucket has a slot soon: not full up to the horizon, and not paused by a throttled
 * answer — unless the message's sender configuration has a fallback account to fail over to.
 */
export function isDue(
  eb: ExpressionBuilder<DispatchDatabase, 'messages'>,
  p: Pick<ClaimParams, 'now' | 'nowMs' | 'horizonMs'>,
) {
  return eb.and([
    eb('messages.status', '=', 'queued'),
    eb('messages.due_at', '<=', p.now),
    eb('messages.expires_at', '>', p.now),
    eb.not(
      eb.exists(
        eb
          .selectFrom('rate_buckets')
          .select('rate_buckets.provider_account_id')
          .whereRef('rate_buckets.provider_account_id', '=', 'messages.provider_account_id')
          .where((b) =>
            b.or([
              b('rate_buckets.next_at_ms', '>', p.nowMs + p.horizonMs),
              b.and([
                b('rate_buckets.paused_until_ms', '>', p.nowMs + p.horizonMs),
                b.not(
                  b.exists(
                    b
                      .selectFrom('sender_configs')
                      .select('sender_configs.id')
                      .whereRef('sender_configs.id', '=', 'messages.sender_config_id')
                      .where('sender_configs.fallback_provider_account_id', 'is not', null),
                  ),
                ),
              ]),
            ]),
          ),
      ),
    ),
  ]);
}

/** How each dialect keeps two workers off the same rows while one of them moves them. */
export interface DialectStatements {
  claim(trx: import('kysely').Kysely<DispatchDatabase>, p: ClaimParams): Promise<ClaimedRow[]>;
  /** Adds the dialect's row locking to a select of ids that an UPDATE … WHERE id IN (…) then moves. */
  lockRows<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
}
