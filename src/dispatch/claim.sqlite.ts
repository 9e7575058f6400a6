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
 * SQLite: one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`. SQLite has one writer at a time, so
 * the statement picks and marks its rows before any other process (or connection) can write; two
 * workers never get the same row. Being the first statement of its transaction, it also takes the write
 * lock at once (a deferred transaction that read first could not upgrade under a concurrent writer).
 */
export async function claimSqlite(trx: Kysely<DispatchDatabase>, p: ClaimParams): Promise<ClaimedRow[]> {
  return (
    trx
      .updateTable('messages')
      .set({
        status: 'sending',
        lease_until: p.leaseUntil,
        leased_by: p.workerId,
        attempts: sql<number>`attempts + 1`,
        submit_started_at: null,
        updated_at: p.now,
      })
      .where('messages.id', 'in', (eb) =>
        eb
          .selectFrom('messages')
          .select('messages.id')
          .where((w) => isDue(w, p))
          .orderBy('messages.due_at')
          .orderBy('messages.id')
          .limit(p.limit),
      )
      // No second `status = 'queued'` test out here: the statement is atomic (no writer can come
      // between its subquery and its update), and with that test SQLite walked the whole status index
      // (every queued message, per claim) instead of looking the few ids up by primary key.
      .returning(CLAIMED_COLUMNS)
      .execute()
  );
}

export const sqliteStatements: DialectStatements = {
  claim: claimSqlite,
  // Nothing to lock: the single UPDATE statement is atomic against every other writer.
  lockRows: <DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>) => qb,
};
