import type { Compilable, Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/database.js';
import { containsInsensitive } from '../../db/like.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import type { MessageSort } from './messages.schemas.js';
import type { MessageEventTable, MessageTable } from './messages.table.js';

/** The columns the list and the detail show. */
const COLUMNS = [
  'id',
  'org_unit_id',
  'batch_id',
  'contact_id',
  'to_input',
  'to_e164',
  'body',
  'encoding',
  'parts',
  'characters',
  'category',
  'status',
  'status_reason',
  'provider_account_id',
  'sender_id',
  'gateway_message_id',
  'attempts',
  'scheduled_at',
  'expires_at',
  'reference_type',
  'reference_id',
  'resent_of',
  'resent_by',
  'error_code',
  'error_text',
  'created_at',
  'submitted_at',
  'final_at',
] as const;

export type MessageRow = Pick<Selectable<MessageTable>, (typeof COLUMNS)[number]>;

/** Statuses a user may still cancel: nothing has been handed to a worker or gateway yet. */
export const CANCELABLE_STATUSES = ['scheduled', 'queued'] as const;

/** Filters of the message list; every one is optional and they combine with AND. */
export interface MessageFilter {
  /** Body contains this text (case-insensitive). */
  q?: string;
  /** Normalised recipient number. */
  e164?: string;
  /** The recipient exactly as requested (for input that is not a valid number). */
  toInput?: string;
  /** created_at ≥ from (ISO, as stored). */
  from?: string;
  /** created_at < to (ISO, as stored). */
  to?: string;
  statuses?: readonly string[];
  orgUnitIds?: readonly string[];
  batchId?: string;
  contactId?: string;
  referenceType?: string;
  referenceId?: string;
  /** true: resends or resent messages; false: neither. */
  resent?: boolean;
  categories?: readonly string[];
}

/** Key values of the last row of the previous page, in the order the sort uses them. */
export type MessageKey = readonly string[];

/** The key a page continues after: `[created_at, id]`, or `[status, created_at, id]` for the status sort. */
export function keyOf(sort: MessageSort, row: { status: string; created_at: string; id: string }): string[] {
  return sort === 'status' ? [row.status, row.created_at, row.id] : [row.created_at, row.id];
}

export const keyArity = (sort: MessageSort) => (sort === 'status' ? 3 : 2);

/** A list query ready to run, or to compile (the benchmark runs the same SQL raw). */
export interface MessageListQuery extends Compilable<MessageRow> {
  execute(): Promise<MessageRow[]>;
}

type Page = { sort: MessageSort; limit: number; after?: MessageKey };

/** The sort keys in order; every order ends with `id`, so it is total and a keyset page is exact. */
const ORDER: Record<MessageSort, readonly (readonly ['created_at' | 'id' | 'status', 'asc' | 'desc'])[]> = {
  '-createdAt': [
    ['created_at', 'desc'],
    ['id', 'desc'],
  ],
  createdAt: [
    ['created_at', 'asc'],
    ['id', 'asc'],
  ],
  status: [
    ['status', 'asc'],
    ['created_at', 'desc'],
    ['id', 'desc'],
  ],
};

/**
 * The message list with keyset pagination. Several statuses become one branch per status, each ordered
 * and limited on its own, merged by the outer order: an index on (status, created_at, id) then serves
 * every branch, where `status IN (…)` would have to sort every matching message first (SQLite has no
 * merge of IN-list ranges; "failed, timeout, undelivered" on a million messages took 200 ms or more).
 */
export function messageListQuery(
  db: Kysely<Database>,
  scope: OrgScope,
  filter: MessageFilter,
  page: Page,
): MessageListQuery {
  const statuses = filter.statuses ? [...new Set(filter.statuses)] : [];
  if (statuses.length <= 1) return branch(db, scope, filter, statuses[0], page);
  const parts = statuses.map((status) =>
    db.selectFrom(branch(db, scope, filter, status, page).as('b')).selectAll(),
  );
  const union = parts.slice(1).reduce((u, part) => u.unionAll(part), parts[0]!);
  let qb = db.selectFrom(union.as('u')).selectAll();
  for (const [column, direction] of ORDER[page.sort]) qb = qb.orderBy(`u.${column}`, direction);
  return qb.limit(page.limit);
}

/** One status (or none): filters, the keyset condition, the order and the limit. */
function branch(
  db: Kysely<Database>,
  scope: OrgScope,
  f: MessageFilter,
  status: string | undefined,
  page: Page,
) {
  let qb = db.selectFrom('messages').select(COLUMNS).where(inOrgScope(scope, 'messages.org_unit_id'));
  if (status !== undefined) qb = qb.where('messages.status', '=', status);
  if (f.orgUnitIds) qb = qb.where('messages.org_unit_id', 'in', [...f.orgUnitIds]);
  if (f.categories) qb = qb.where('messages.category', 'in', [...f.categories]);
  if (f.e164 !== undefined) qb = qb.where('messages.to_e164', '=', f.e164);
  if (f.toInput !== undefined) qb = qb.where('messages.to_input', '=', f.toInput);
  if (f.from !== undefined) qb = qb.where('messages.created_at', '>=', f.from);
  if (f.to !== undefined) qb = qb.where('messages.created_at', '<', f.to);
  if (f.batchId !== undefined) qb = qb.where('messages.batch_id', '=', f.batchId);
  if (f.contactId !== undefined) qb = qb.where('messages.contact_id', '=', f.contactId);
  if (f.referenceType !== undefined) qb = qb.where('messages.reference_type', '=', f.referenceType);
  if (f.referenceId !== undefined) qb = qb.where('messages.reference_id', '=', f.referenceId);
  if (f.resent === true) {
    qb = qb.where((eb) =>
      eb.or([eb('messages.resent_of', 'is not', null), eb('messages.resent_by', 'is not', null)]),
    );
  } else if (f.resent === false) {
    qb = qb.where('messages.resent_of', 'is', null).where('messages.resent_by', 'is', null);
  }
  if (f.q) qb = qb.where(containsInsensitive('messages.body', f.q));

  // After the previous page's last row. Each condition starts with a plain range on the leading sort
  // column, so an index on it bounds the scan.
  const a = page.after;
  if (a && page.sort === '-createdAt') {
    const [c, id] = a as [string, string];
    qb = qb
      .where('messages.created_at', '<=', c)
      .where((eb) => eb.or([eb('messages.created_at', '<', c), eb('messages.id', '<', id)]));
  } else if (a && page.sort === 'createdAt') {
    const [c, id] = a as [string, string];
    qb = qb
      .where('messages.created_at', '>=', c)
      .where((eb) => eb.or([eb('messages.created_at', '>', c), eb('messages.id', '>', id)]));
  } else if (a && page.sort === 'status') {
    const [st, c, id] = a as [string, string, string];
    qb = qb
      .where('messages.status', '>=', st)
      .where((eb) =>
        eb.or([
          eb('messages.status', '>', st),
          eb('messages.created_at', '<', c),
          eb.and([eb('messages.created_at', '=', c), eb('messages.id', '<', id)]),
        ]),
      );
  }
  for (const [column, direction] of ORDER[page.sort]) qb = qb.orderBy(`messages.${column}`, direction);
  return qb.limit(page.limit);
}

export async function listMessages(
  db: Kysely<Database>,
  scope: OrgScope,
  filter: MessageFilter,
  page: Page,
): Promise<MessageRow[]> {
  return messageListQuery(db, scope, filter, page).execute();
}

export async function findMessage(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .select(COLUMNS)
    .where('messages.id', '=', id)
    .where(inOrgScope(scope, 'messages.org_unit_id'))
    .executeTakeFirst();
}

/** The status history of a visible message, oldest first. */
export async function messageHistory(
  db: Kysely<Database>,
  scope: OrgScope,
  messageId: string,
): Promise<Selectable<MessageEventTable>[]> {
  return db
    .selectFrom('message_events')
    .innerJoin('messages', 'messages.id', 'message_events.message_id')
    .selectAll('message_events')
    .where('message_events.message_id', '=', messageId)
    .where(inOrgScope(scope, 'messages.org_unit_id'))
    .orderBy('message_events.occurred_at', 'asc')
    .orderBy('message_events.id', 'asc')
    .execute();
}

/**
 * Cancels one message if, and only if, it still has the status the caller saw (`from`, one of the
 * cancelable ones). A worker that claimed it meanwhile changed the status, so nothing is updated: the
 * caller re-reads and decides. Returns whether the row was changed.
 */
export async function markMessageCanceled(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
  from: (typeof CANCELABLE_STATUSES)[number],
  now: string,
): Promise<boolean> {
  const r = await db
    .updateTable('messages')
    .set({ status: 'canceled', status_reason: null, final_at: now, updated_at: now })
    .where('messages.id', '=', id)
    .where('messages.status', '=', from)
    .where(inOrgScope(scope, 'messages.org_unit_id'))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Cancels every message of a batch that still has status `from`; returns the ids it changed (so each
 * gets a history row with its exact previous status).
 */
export async function markBatchMessagesCanceled(
  db: Kysely<Database>,
  scope: OrgScope,
  batchId: string,
  from: (typeof CANCELABLE_STATUSES)[number],
  now: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('messages')
    .set({ status: 'canceled', status_reason: null, final_at: now, updated_at: now })
    .where('messages.batch_id', '=', batchId)
    .where('messages.status', '=', from)
    .where(inOrgScope(scope, 'messages.org_unit_id'))
    .returning('messages.id')
    .execute();
  return rows.map((r) => r.id);
}

/** Appends history rows (chunked: SQLite limits the number of bound variables per statement). */
export async function insertMessageEvents(
  db: Kysely<Database>,
  rows: readonly Insertable<MessageEventTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('message_events')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}
