import type SqliteDatabase from 'better-sqlite3';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import type { BatchTable } from '../batches/batches.table.js';
import { senderOfConfig } from '../gateways/gateways.repository.js';
import type { MessageTable } from '../messages/messages.table.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import { RECIPIENT_GROUPS, type RecipientFilters, type RecipientGroup } from './send.groups.js';
import { insertMessagesSqlite } from './send.insert.sqlite.js';

/** The gateway route an org unit sends through: its sender configuration and provider account. */
export interface UnitRoute {
  senderConfigId: string;
  senderId: string;
  providerAccountId: string;
  maxParts: number;
  pricePerPart: number | null;
  currency: string | null;
  shiftTables: string[];
}

/** The route of an org unit (its own sender configuration only), from the unit row already read. */
export async function routeOfOrgUnit(
  db: Kysely<Database>,
  unit: { sender_config_id: string | null },
): Promise<UnitRoute | null> {
  const s = unit.sender_config_id ? await senderOfConfig(db, unit.sender_config_id) : null;
  if (!s) return null;
  return {
    senderConfigId: s.senderConfig.id,
    senderId: s.senderConfig.sender_id,
    providerAccountId: s.providerAccount.id,
    maxParts: s.providerAccount.max_parts,
    pricePerPart: s.providerAccount.price_per_part,
    currency: s.providerAccount.currency,
    shiftTables: JSON.parse(s.providerAccount.shift_tables) as string[],
  };
}

/** The columns of a recipient row, from contacts `c`, contact_phones `p` and consent_states `cs`. */
const RECIPIENT_COLUMNS = [
  'c.id as contact_id',
  'c.org_unit_id',
  'c.name',
  'c.first_name',
  'c.last_name',
  'c.party',
  'c.department',
  'c.branch',
  'c.attributes',
  'p.id as phone_id',
  'p.e164',
  'p.original',
  'cs.state as consent',
] as const;

/** One contact as the send path needs it: the fields templates use, its chosen phone and that number's consent. */
export interface RecipientRow {
  contact_id: string;
  org_unit_id: string;
  name: string;
  first_name: string | null;
  last_name: string | null;
  party: string | null;
  department: string | null;
  branch: string | null;
  attributes: string;
  phone_id: string | null;
  e164: string | null;
  original: string | null;
  consent: string | null;
}

/**
 * Contacts with their primary phone and its consent state, in one query (so 100,000 contacts resolve
 * in well under a second). Scoped to what the principal sees.
 */
export async function selectRecipients(
  db: Kysely<Database>,
  scope: OrgScope,
  q: { group?: RecipientGroup; filters?: RecipientFilters; contactIds?: readonly string[] },
): Promise<RecipientRow[]> {
  let qb = db
    .selectFrom('contacts as c')
    .leftJoin('contact_phones as p', (j) =>
      j.onRef('p.contact_id', '=', 'c.id').on('p.is_primary', '=', true),
    )
    .leftJoin('consent_states as cs', 'cs.e164', 'p.e164')
    .select(RECIPIENT_COLUMNS)
    .where(inOrgScope(scope, 'c.org_unit_id'));
  if (q.group) {
    const g = RECIPIENT_GROUPS[q.group];
    if (g.kinds) qb = qb.where('c.kind', 'in', [...g.kinds]);
    if (g.status) qb = qb.where('c.status', '=', g.status);
  }
  const f = q.filters ?? {};
  if (f.customer) qb = qb.where('c.kind', '=', 'customer_contact').where('c.party', '=', f.customer);
  if (f.supplier) qb = qb.where('c.kind', '=', 'supplier_contact').where('c.party', '=', f.supplier);
  if (f.salesPartner)
    qb = qb.where('c.kind', '=', 'sales_partner_contact').where('c.party', '=', f.salesPartner);
  if (f.department) qb = qb.where('c.department', '=', f.department);
  if (f.branch) qb = qb.where('c.branch', '=', f.branch);
  if (f.orgUnitIds) qb = qb.where('c.org_unit_id', 'in', f.orgUnitIds.length > 0 ? f.orgUnitIds : ['']);
  if (q.contactIds) {
    const out: RecipientRow[] = [];
    for (let i = 0; i < q.contactIds.length; i += 5000) {
      out.push(...(await qb.where('c.id', 'in', q.contactIds.slice(i, i + 5000)).execute()));
    }
    return out;
  }
  return qb.orderBy('c.name').orderBy('c.id').execute();
}

/** One contact by id with a chosen phone (or its primary), scoped. */
export async function selectContactRecipient(
  db: Kysely<Database>,
  scope: OrgScope,
  contactId: string,
  phoneId: string | undefined,
): Promise<RecipientRow | undefined> {
  return db
    .selectFrom('contacts as c')
    .leftJoin('contact_phones as p', (j) => {
      const on = j.onRef('p.contact_id', '=', 'c.id');
      return phoneId ? on.on('p.id', '=', phoneId) : on.on('p.is_primary', '=', true);
    })
    .leftJoin('consent_states as cs', 'cs.e164', 'p.e164')
    .select(RECIPIENT_COLUMNS)
    .where('c.id', '=', contactId)
    .where(inOrgScope(scope, 'c.org_unit_id'))
    .executeTakeFirst();
}

/** Rows per INSERT statement: 500 rows × ~40 columns stays under both dialects' parameter limits. */
const CHUNK = 500;

export async function insertBatch(
  db: Kysely<Database>,
  batch: Insertable<BatchTable>,
  messages: readonly Insertable<MessageTable>[],
  sqlite?: SqliteDatabase.Database,
): Promise<void> {
  await db.insertInto('batches').values(batch).execute();
  if (sqlite) return insertMessagesSqlite(sqlite, messages);
  for (let i = 0; i < messages.length; i += CHUNK) {
    await db
      .insertInto('messages')
      .values(messages.slice(i, i + CHUNK) as Insertable<MessageTable>[])
      .execute();
  }
}
