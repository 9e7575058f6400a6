import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import type {
  DeliveryState,
  WebhookAttemptTable,
  WebhookDeliveryTable,
  WebhookEndpointTable,
} from './webhooks.table.js';

export type EndpointRow = Selectable<WebhookEndpointTable>;
export type DeliveryRow = Selectable<WebhookDeliveryTable>;
export type AttemptRow = Selectable<WebhookAttemptTable>;

// ---- endpoints -------------------------------------------------------------------------------

export async function listEndpoints(
  db: Kysely<Database>,
  scope: OrgScope,
  f: { orgUnitId?: string; limit: number; after?: { createdAt: string; id: string } },
): Promise<EndpointRow[]> {
  let qb = db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where(inOrgScope(scope, 'webhook_endpoints.org_unit_id'));
  if (f.orgUnitId) qb = qb.where('org_unit_id', '=', f.orgUnitId);
  if (f.after) {
    const a = f.after;
    qb = qb.where((eb) =>
      eb.or([
        eb('created_at', '>', a.createdAt),
        eb.and([eb('created_at', '=', a.createdAt), eb('id', '>', a.id)]),
      ]),
    );
  }
  return qb.orderBy('created_at').orderBy('id').limit(f.limit).execute();
}

/** An endpoint the principal sees (its org unit is in scope), or undefined. */
export async function findEndpoint(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<EndpointRow | undefined> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where(inOrgScope(scope, 'webhook_endpoints.org_unit_id'))
    .executeTakeFirst();
}

let endpointsGeneration = 0;

/**
 * A counter this process bumps after every write to `webhook_endpoints` made through this module (any
 * database): the webhook worker caches "no endpoint is enabled" and trusts it only while the counter is
 * unchanged. Writes by other processes are not seen here; the worker's interval rounds cover those.
 */
export function endpointsChangeGeneration(): number {
  return endpointsGeneration;
}

export async function insertEndpoint(
  db: Kysely<Database>,
  row: Insertable<WebhookEndpointTable>,
): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
  endpointsGeneration++;
}

export async function updateEndpoint(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<WebhookEndpointTable>,
): Promise<void> {
  await db.updateTable('webhook_endpoints').set(patch).where('id', '=', id).execute();
  endpointsGeneration++;
}

export async function deleteEndpoint(db: Kysely<Database>, id: string): Promise<void> {
  // Attempts and deliveries go with it (ON DELETE CASCADE); delete explicitly as well, so it does not
  // depend on SQLite's foreign_keys pragma.
  await db
    .deleteFrom('webhook_attempts')
    .where(
      'delivery_id',
      'in',
      db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', id),
    )
    .execute();
  await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
  endpointsGeneration++;
}

/** Every enabled endpoint: the collector fans events out to these (a small table). */
export async function listEnabledEndpoints(db: Kysely<Database>): Promise<EndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('enabled', '=', true).execute();
}

export async function findEndpointById(db: Kysely<Database>, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

// ---- deliveries ------------------------------------------------------------------------------

/** Inserts deliveries; one that exists for the same endpoint and event is skipped (the unique key). */
export async function insertDeliveries(
  db: Kysely<Database>,
  rows: readonly Insertable<WebhookDeliveryTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['endpoint_id', 'event_key']).doNothing())
      .execute();
  }
}

export async function listDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  f: { state?: DeliveryState; limit: number; before?: { createdAt: string; id: string } },
): Promise<DeliveryRow[]> {
  let qb = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
  if (f.state) qb = qb.where('state', '=', f.state);
  if (f.before) {
    const b = f.before;
    qb = qb.where((eb) =>
      eb.or([
        eb('created_at', '<', b.createdAt),
        eb.and([eb('created_at', '=', b.createdAt), eb('id', '<', b.id)]),
      ]),
    );
  }
  return qb.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export async function findDelivery(
  db: Kysely<Database>,
  endpointId: string,
  id: string,
): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirst();
}

export async function attemptsOf(
  db: Kysely<Database>,
  deliveryIds: readonly string[],
): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', [...deliveryIds])
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
}

/** Pending deliveries of enabled endpoints whose next attempt (or expired lease) is due. */
export async function dueDeliveries(
  db: Kysely<Database>,
  now: string,
  limit: number,
): Promise<DeliveryRow[]> {
  return db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
    .selectAll('webhook_deliveries')
    .where('webhook_deliveries.state', '=', 'pending')
    .where('webhook_deliveries.next_attempt_at', '<=', now)
    .where('webhook_endpoints.enabled', '=', true)
    .orderBy('webhook_deliveries.next_attempt_at')
    .orderBy('webhook_deliveries.id')
    .limit(limit)
    .execute();
}

/**
 * Claims one delivery for an attempt: moves its `next_attempt_at` to the end of a lease, only if it is
 * still pending and still has the due time this process read. Exactly one of several processes wins;
 * a process that dies mid-attempt leaves a lease that expires, and the delivery is due again.
 */
export async function claimDelivery(
  db: Kysely<Database>,
  id: string,
  seenNextAttemptAt: string,
  leaseUntil: string,
): Promise<boolean> {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '=', seenNextAttemptAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function recordAttempt(
  db: Kysely<Database>,
  attempt: Insertable<WebhookAttemptTable>,
  delivery: { id: string; leaseUntil: string | null } & Updateable<WebhookDeliveryTable>,
): Promise<void> {
  const { id, leaseUntil, ...patch } = delivery;
  await db.transaction().execute(async (trx) => {
    let qb = trx
      .updateTable('webhook_deliveries')
      .set(patch)
      .where('id', '=', id)
      .where('state', '=', 'pending');
    // Only the holder of the lease records (a delivery cancelled meanwhile, e.g. by a 410, stays so).
    if (leaseUntil !== null) qb = qb.where('next_attempt_at', '=', leaseUntil);
    const r = await qb.executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) await trx.insertInto('webhook_attempts').values(attempt).execute();
  });
}

/** Ends every pending delivery of an endpoint (after a 410 Gone). */
export async function failPendingDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  now: string,
  error: string,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ state: 'failed', next_attempt_at: null, finished_at: now, last_error: error })
    .where('endpoint_id', '=', endpointId)
    .where('state', '=', 'pending')
    .execute();
}

/** A finished delivery back to pending, due now, with a fresh attempt budget (its attempt log stays). */
export async function requeueDelivery(
  db: Kysely<Database>,
  endpointId: string,
  id: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, finished_at: null })
    .where('id', '=', id)
    .where('endpoint_id', '=', endpointId)
    .where('state', '!=', 'pending')
    .execute();
}

/** Deletes finished deliveries (and their attempts) that finished before `before`. Returns how many. */
export async function pruneDeliveries(db: Kysely<Database>, before: string): Promise<number> {
  const old = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('state', '!=', 'pending')
    .where('finished_at', '<', before);
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', old).execute();
  const r = await db
    .deleteFrom('webhook_deliveries')
    .where('state', '!=', 'pending')
    .where('finished_at', '<', before)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---- outbox cursors --------------------------------------------------------------------------

export interface CursorPosition {
  at: string;
  id: string;
}

export async function readCursor(db: Kysely<Database>, name: string): Promise<CursorPosition> {
  const row = await db
    .selectFrom('webhook_cursors')
    .select(['after_at', 'after_id'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? { at: row.after_at, id: row.after_id } : { at: '', id: '' };
}

/** Moves a cursor forward, never back (several processes may advance it). */
export async function advanceCursor(
  db: Kysely<Database>,
  name: string,
  to: CursorPosition,
  now: string,
): Promise<void> {
  await db
    .insertInto('webhook_cursors')
    .values({ name, after_at: to.at, after_id: to.id, updated_at: now })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ after_at: to.at, after_id: to.id, updated_at: now })
        .where((eb) =>
          eb.or([
            eb('webhook_cursors.after_at', '<', to.at),
            eb.and([eb('webhook_cursors.after_at', '=', to.at), eb('webhook_cursors.after_id', '<', to.id)]),
          ]),
        ),
    )
    .execute();
}
