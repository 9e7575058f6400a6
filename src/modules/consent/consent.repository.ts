import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ConsentEventTable, ConsentState } from './consent.table.js';

/** Appends an event and moves the current state, in the caller's transaction. Events are never changed. */
export async function appendConsentEvent(db: Kysely<Database>, row: ConsentEventTable): Promise<void> {
  await db.insertInto('consent_events').values(row).execute();
  await db
    .insertInto('consent_states')
    .values({ e164: row.e164, state: row.state, last_event_id: row.id, updated_at: row.occurred_at })
    .onConflict((oc) =>
      oc.column('e164').doUpdateSet({ state: row.state, last_event_id: row.id, updated_at: row.occurred_at }),
    )
    .execute();
}

export async function consentHistory(db: Kysely<Database>, e164: string): Promise<ConsentEventTable[]> {
  return db
    .selectFrom('consent_events')
    .selectAll()
    .where('e164', '=', e164)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Current states of many numbers at once (chunked to stay under SQLite's variable limit). */
export async function consentStates(
  db: Kysely<Database>,
  numbers: readonly string[],
): Promise<Map<string, ConsentState>> {
  const out = new Map<string, ConsentState>();
  const unique = [...new Set(numbers)];
  for (let i = 0; i < unique.length; i += 5000) {
    const chunk = unique.slice(i, i + 5000);
    const rows = await db
      .selectFrom('consent_states')
      .select(['e164', 'state'])
      .where('e164', 'in', chunk)
      .execute();
    for (const r of rows) out.set(r.e164, r.state);
  }
  return out;
}
