import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import {
  CLAIMED_COLUMNS,
  type ClaimedRow,
  type ClaimParams,
  type DialectStatements,
  isDue,
} from './claim.shared.js';
import type { DispatchDatabase } from './dispatch.tables.js';

/**
 * PostgreSQL: `WITH picked AS (SELECT id … ORDER BY due_at LIMIT n FOR UPDATE SKIP LOCKED) UPDATE …
 * FROM picked RETURNING`. Rows another worker is claiming right now are skipped, not waited for, so
 * concurrent workers take disjoint batches without blocking each other; a row that changed while it
 * was being locked is re-checked against the WHERE (READ COMMITTED re-evaluation) and the UPDATE
 * repeats `status = 'queued'`, so a row is never claimed twice. The CTE runs exactly once.
 */
export async function claimPostgres(trx: Kysely<DispatchDatabase>, p: ClaimParams): Promise<ClaimedRow[]> {
  return trx
    .with('picked', (db) =>
      db
        .selectFrom('messages')
        .select('messages.id')
        .where((w) => isDue(w, p))
        .orderBy('messages.due_at')
        .orderBy('messages.id')
        .limit(p.limit)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable('messages')
    .from('picked')
    .set({
      status: 'sending',
      lease_until: p.leaseUntil,
      leased_by: p.workerId,
      attempts: sql<number>`messages.attempts + 1`,
      submit_started_at: null,
      updated_at: p.now,
    })
    .whereRef('messages.id', '=', 'picked.id')
    .where('messages.status', '=', 'queued')
    .returning(CLAIMED_COLUMNS)
    .execute();
}

export const postgresStatements: DialectStatements = {
  claim: claimPostgres,
  // Sweeps (promote, expire, recover) move many rows at once: with SKIP LOCKED two workers sweeping
  // together split the rows instead of deadlocking on them in different orders.
  lockRows: <DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>) => qb.forUpdate().skipLocked(),
};
