import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { SecurityEventTable } from './security-events.table.js';

export type SecurityEventRow = SecurityEventTable;

export async function insertSecurityEvent(db: Kysely<Database>, row: SecurityEventRow): Promise<void> {
  await db.insertInto('security_events').values(row).execute();
}

/** Newest first, keyset-paginated on (occurred_at, id). */
export async function listSecurityEvents(
  db: Kysely<Database>,
  q: { type?: string; limit: number; before?: { occurredAt: string; id: string } },
): Promise<SecurityEventRow[]> {
  let qb = db.selectFrom('security_events').selectAll();
  if (q.type) qb = qb.where('type', '=', q.type);
  if (q.before) {
    const b = q.before;
    qb = qb.where((eb) =>
      eb.or([
        eb('occurred_at', '<', b.occurredAt),
        eb.and([eb('occurred_at', '=', b.occurredAt), eb('id', '<', b.id)]),
      ]),
    );
  }
  return qb.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}
