import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import type { KeywordOverrides } from './inbound.keywords.js';
import type { InboundMessageTable, KeywordAction } from './inbound.table.js';

export type InboundRow = Selectable<InboundMessageTable>;

/** Sender ids and numbers compared loosely: `+49 151 23`, `004915123` and `4915123` are one address. */
export function addressKey(address: string): string {
  const a = address.trim();
  const digits = a.replace(/[\s()./-]/g, '');
  if (/^\+?[0-9]+$/.test(digits)) return digits.replace(/^\+/, '').replace(/^00/, '');
  return a.toLowerCase();
}

/** Stores the message unless (account, gateway id) is stored already; returns whether it was new. */
export async function insertInbound(
  db: Kysely<Database>,
  row: Insertable<InboundMessageTable>,
): Promise<boolean> {
  const r = await db
    .insertInto('inbound_messages')
    .values(row)
    .onConflict((oc) => oc.columns(['provider_account_id', 'gateway_message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

/** The id of the message this account stored under that gateway id (normalised), if any. */
export async function inboundIdByGatewayId(
  db: Kysely<Database>,
  providerAccountId: string,
  gatewayMessageId: string | undefined,
): Promise<string | undefined> {
  if (gatewayMessageId === undefined) return undefined;
  const row = await db
    .selectFrom('inbound_messages')
    .select('id')
    .where('provider_account_id', '=', providerAccountId)
    .where('gateway_message_id', '=', gatewayMessageId)
    .executeTakeFirst();
  return row?.id;
}

export async function updateInbound(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<InboundMessageTable>,
): Promise<void> {
  await db.updateTable('inbound_messages').set(patch).where('id', '=', id).execute();
}

export interface SenderCandidate {
  orgUnitId: string;
  senderConfigId: string;
  senderId: string;
}

/**
 * Org units whose sender configuration sends through this account (as primary account), oldest unit
 * first, with the configuration's sender id.
 */
export async function unitsSendingThrough(
  db: Kysely<Database>,
  providerAccountId: string,
): Promise<SenderCandidate[]> {
  const rows = await db
    .selectFrom('org_units as u')
    .innerJoin('sender_configs as s', 's.id', 'u.sender_config_id')
    .select(['u.id as org_unit_id', 's.id as sender_config_id', 's.sender_id'])
    .where('s.provider_account_id', '=', providerAccountId)
    .orderBy('u.created_at')
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({
    orgUnitId: r.org_unit_id,
    senderConfigId: r.sender_config_id,
    senderId: r.sender_id,
  }));
}

/** Sender configurations of this account (any unit or none), oldest first. */
export async function senderConfigsOfAccount(db: Kysely<Database>, providerAccountId: string) {
  return db
    .selectFrom('sender_configs')
    .select(['id', 'sender_id'])
    .where('provider_account_id', '=', providerAccountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The newest message submitted to this number, through this account when given, within these units when given. */
export async function lastMessageTo(
  db: Kysely<Database>,
  e164: string,
  q: { providerAccountId?: string; orgUnitIds?: readonly string[] },
): Promise<{ id: string; org_unit_id: string } | undefined> {
  let qb = db
    .selectFrom('messages')
    .select(['id', 'org_unit_id'])
    .where('to_e164', '=', e164)
    .where('submitted_at', 'is not', null);
  if (q.providerAccountId) qb = qb.where('provider_account_id', '=', q.providerAccountId);
  if (q.orgUnitIds) qb = qb.where('org_unit_id', 'in', q.orgUnitIds.length > 0 ? q.orgUnitIds : ['']);
  return qb.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The root org unit (the oldest unit without a parent). */
export async function rootOrgUnit(db: Kysely<Database>) {
  return db
    .selectFrom('org_units')
    .selectAll()
    .where('parent_id', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export async function orgUnitById(db: Kysely<Database>, id: string) {
  return db.selectFrom('org_units').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A contact with this number among contacts of these units (the first created wins). */
export async function contactByNumber(
  db: Kysely<Database>,
  e164: string,
  scope: OrgScope,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('contact_phones as p')
    .innerJoin('contacts as c', 'c.id', 'p.contact_id')
    .select('c.id')
    .where('p.e164', '=', e164)
    .where(inOrgScope(scope, 'c.org_unit_id'))
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** Whether a help text was sent to this number for a message through this account since `since`. */
export async function helpRepliedSince(
  db: Kysely<Database>,
  e164: string,
  providerAccountId: string,
  since: string,
  exceptId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('inbound_messages')
    .select('id')
    .where('from_e164', '=', e164)
    .where('provider_account_id', '=', providerAccountId)
    .where('keyword_effect', '=', 'help_sent')
    .where('stored_at', '>=', since)
    .where('id', '!=', exceptId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function keywordOverrides(
  db: Kysely<Database>,
  orgUnitId: string,
): Promise<{ overrides: KeywordOverrides; updatedAt: string; updatedBy: string | null } | null> {
  const row = await db
    .selectFrom('org_unit_keywords')
    .selectAll()
    .where('org_unit_id', '=', orgUnitId)
    .executeTakeFirst();
  return row
    ? {
        overrides: JSON.parse(row.settings) as KeywordOverrides,
        updatedAt: row.updated_at,
        updatedBy: row.updated_by,
      }
    : null;
}

export async function saveKeywordOverrides(
  db: Kysely<Database>,
  orgUnitId: string,
  overrides: KeywordOverrides,
  by: string | null,
  now: string,
): Promise<void> {
  const values = { settings: JSON.stringify(overrides), updated_by: by, updated_at: now };
  await db
    .insertInto('org_unit_keywords')
    .values({ org_unit_id: orgUnitId, ...values })
    .onConflict((oc) => oc.column('org_unit_id').doUpdateSet(values))
    .execute();
}

export async function findInbound(db: Kysely<Database>, scope: OrgScope, id: string) {
  return db
    .selectFrom('inbound_messages')
    .selectAll()
    .where('id', '=', id)
    .where(inOrgScope(scope, 'org_unit_id'))
    .executeTakeFirst();
}

export interface InboundFilters {
  number?: string;
  contactId?: string;
  keyword?: KeywordAction | 'any' | 'none';
  orgUnitId?: string;
  from?: string;
  to?: string;
  /** Keyset: rows strictly older than this (received_at, id). */
  before?: { receivedAt: string; id: string };
  limit: number;
}

/** Newest first, scoped, keyset paged by (received_at, id). */
export async function listInbound(db: Kysely<Database>, scope: OrgScope, f: InboundFilters) {
  let qb = db.selectFrom('inbound_messages').selectAll().where(inOrgScope(scope, 'org_unit_id'));
  if (f.number)
    qb = qb.where((eb) => eb.or([eb('from_e164', '=', f.number!), eb('from_input', '=', f.number!)]));
  if (f.contactId) qb = qb.where('contact_id', '=', f.contactId);
  if (f.keyword === 'any') qb = qb.where('keyword_action', 'is not', null);
  else if (f.keyword === 'none') qb = qb.where('keyword_action', 'is', null);
  else if (f.keyword) qb = qb.where('keyword_action', '=', f.keyword);
  if (f.orgUnitId) qb = qb.where('org_unit_id', '=', f.orgUnitId);
  if (f.from) qb = qb.where('received_at', '>=', f.from);
  if (f.to) qb = qb.where('received_at', '<', f.to);
  if (f.before) {
    const b = f.before;
    qb = qb.where((eb) =>
      eb.or([
        eb('received_at', '<', b.receivedAt),
        eb.and([eb('received_at', '=', b.receivedAt), eb('id', '<', b.id)]),
      ]),
    );
  }
  return qb.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}
