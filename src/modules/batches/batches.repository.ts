import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/database.js';
import { containsInsensitive } from '../../db/like.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import type { BatchTable } from './batches.table.js';

export type BatchRow = Selectable<BatchTable>;

export interface BatchFilter {
  orgUnitIds?: readonly string[];
  /** created_at ≥ from (ISO, as stored). */
  from?: string;
  /** created_at < to (ISO, as stored). */
  to?: string;
  /** The message contains this text (case-insensitive). */
  q?: string;
  /** The sender name contains this text (case-insensitive). */
  senderName?: string;
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listBatches(
  db: Kysely<Database>,
  scope: OrgScope,
  filter: BatchFilter,
  page: { limit: number; before?: { createdAt: string; id: string } },
): Promise<BatchRow[]> {
  return batchListQuery(db, scope, filter, page).execute();
}

/** The SMS Log query, not executed (the benchmark compiles it to run the same SQL raw). */
export function batchListQuery(
  db: Kysely<Database>,
  scope: OrgScope,
  filter: BatchFilter,
  page: { limit: number; before?: { createdAt: string; id: string } },
) {
  let qb = db.selectFrom('batches').selectAll().where(inOrgScope(scope, 'batches.org_unit_id'));
  if (filter.orgUnitIds) qb = qb.where('batches.org_unit_id', 'in', [...filter.orgUnitIds]);
  if (filter.from !== undefined) qb = qb.where('batches.created_at', '>=', filter.from);
  if (filter.to !== undefined) qb = qb.where('batches.created_at', '<', filter.to);
  if (filter.q) qb = qb.where(containsInsensitive('batches.message', filter.q));
  if (filter.senderName) qb = qb.where(containsInsensitive('batches.sender_name', filter.senderName));
  const b = page.before;
  if (b) {
    qb = qb
      .where('batches.created_at', '<=', b.createdAt)
      .where((eb) => eb.or([eb('batches.created_at', '<', b.createdAt), eb('batches.id', '<', b.id)]));
  }
  return qb.orderBy('batches.created_at', 'desc').orderBy('batches.id', 'desc').limit(page.limit);
}

export async function findBatch(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<BatchRow | undefined> {
  return db
    .selectFrom('batches')
    .selectAll()
    .where('batches.id', '=', id)
    .where(inOrgScope(scope, 'batches.org_unit_id'))
    .executeTakeFirst();
}

/**
 * Message counts per batch and status for a whole page of batches, in one grouped query. The scope is
 * applied to the batches (their messages belong to their unit) in a subquery evaluated once, so the
 * count reads the (batch_id, status) index alone; a join would look up the batch for every message.
 */
export async function statusCountsOfBatches(
  db: Kysely<Database>,
  scope: OrgScope,
  batchIds: readonly string[],
): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (batchIds.length === 0) return out;
  const rows = await statusCountsQuery(db, scope, batchIds).execute();
  for (const r of rows) {
    if (r.batch_id === null) continue;
    const counts = out.get(r.batch_id) ?? new Map<string, number>();
    counts.set(r.status, Number(r.n));
    out.set(r.batch_id, counts);
  }
  return out;
}

export function statusCountsQuery(db: Kysely<Database>, scope: OrgScope, batchIds: readonly string[]) {
  return db
    .selectFrom('messages')
    .select(['messages.batch_id', 'messages.status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('messages.batch_id', 'in', (eb) =>
      eb
        .selectFrom('batches')
        .select('batches.id')
        .where('batches.id', 'in', [...batchIds])
        .where(inOrgScope(scope, 'batches.org_unit_id')),
    )
    .groupBy(['messages.batch_id', 'messages.status']);
}

/** The recipients of a batch's messages with their statuses, in the order they were requested. */
export async function recipientsOfBatch(
  db: Kysely<Database>,
  scope: OrgScope,
  batchId: string,
): Promise<{ to_input: string; to_e164: string | null; status: string }[]> {
  return db
    .selectFrom('messages')
    .select(['messages.to_input', 'messages.to_e164', 'messages.status'])
    .where('messages.batch_id', '=', batchId)
    .where(inOrgScope(scope, 'messages.org_unit_id'))
    .orderBy('messages.created_at', 'asc')
    .orderBy('messages.id', 'asc')
    .execute();
}

export async function markBatchCanceled(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('batches')
    .set({ canceled_at: now })
    .where('batches.id', '=', id)
    .where(inOrgScope(scope, 'batches.org_unit_id'))
    .execute();
}
