import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { containsInsensitive } from '../../db/like.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import type {
  ContactKind,
  ContactPhoneTable,
  ContactTable,
  ImportJobTable,
  ImportRowErrorTable,
} from './contacts.table.js';

export type ContactRow = Selectable<ContactTable>;
export type ContactPhoneRow = Selectable<ContactPhoneTable>;
export type ContactWithPhones = ContactRow & { phones: ContactPhoneRow[] };
export type ImportJobRow = Selectable<ImportJobTable>;
export type ImportRowErrorRow = Selectable<ImportRowErrorTable>;

/** Bound parameters per statement: well under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 10_000;

/** The filters of the contact list and export. Every field narrows; absent fields do not filter. */
export interface ContactFilter {
  /** Name contains, case-insensitive. */
  q?: string;
  /** Contacts having any of these numbers (the E.164 forms of one search input). */
  e164s?: readonly string[];
  /** Equal, case-insensitive. */
  party?: string;
  kinds?: readonly ContactKind[];
  department?: string;
  branch?: string;
  orgUnitId?: string;
  status?: string;
}

const equalsInsensitive = (column: string, value: string) =>
  sql<boolean>`lower(${sql.ref(column)}) = ${value.toLowerCase()}`;

/** Contacts in scope matching the filter, ordered by (name, id) for keyset pagination. */
export async function listContacts(
  db: Kysely<Database>,
  scope: OrgScope,
  filter: ContactFilter,
  page: { limit: number; after?: { name: string; id: string } },
): Promise<ContactRow[]> {
  let qb = db.selectFrom('contacts').selectAll().where(inOrgScope(scope, 'contacts.org_unit_id'));
  if (filter.q) qb = qb.where(containsInsensitive('contacts.name', filter.q));
  if (filter.e164s) {
    const numbers = filter.e164s;
    qb = qb.where('contacts.id', 'in', (eb) =>
      eb
        .selectFrom('contact_phones')
        .select('contact_id')
        .where('e164', 'in', [...numbers]),
    );
  }
  if (filter.party) qb = qb.where(equalsInsensitive('contacts.party', filter.party));
  if (filter.department) qb = qb.where(equalsInsensitive('contacts.department', filter.department));
  if (filter.branch) qb = qb.where(equalsInsensitive('contacts.branch', filter.branch));
  if (filter.kinds && filter.kinds.length > 0) qb = qb.where('contacts.kind', 'in', [...filter.kinds]);
  if (filter.orgUnitId) qb = qb.where('contacts.org_unit_id', '=', filter.orgUnitId);
  if (filter.status) qb = qb.where('contacts.status', '=', filter.status);
  if (page.after) {
    const a = page.after;
    qb = qb.where((eb) =>
      eb.or([
        eb('contacts.name', '>', a.name),
        eb.and([eb('contacts.name', '=', a.name), eb('contacts.id', '>', a.id)]),
      ]),
    );
  }
  return qb.orderBy('contacts.name').orderBy('contacts.id').limit(page.limit).execute();
}

/** Phones of many contacts, in their order; every id is in the map. */
export async function phonesOfContacts(
  db: Kysely<Database>,
  contactIds: readonly string[],
): Promise<Map<string, ContactPhoneRow[]>> {
  const out = new Map<string, ContactPhoneRow[]>(contactIds.map((id) => [id, []]));
  for (let i = 0; i < contactIds.length; i += MAX_PARAMS) {
    const chunk = contactIds.slice(i, i + MAX_PARAMS);
    const rows = await db
      .selectFrom('contact_phones')
      .selectAll()
      .where('contact_id', 'in', chunk)
      .orderBy('contact_id')
      .orderBy('position')
      .execute();
    for (const r of rows) out.get(r.contact_id)?.push(r);
  }
  return out;
}

export async function findContact(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<ContactRow | undefined> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', id)
    .where(inOrgScope(scope, 'contacts.org_unit_id'))
    .executeTakeFirst();
}

/**
 * One contact with its phones (primary first, then in their order), or undefined when it does not
 * exist or lies outside the scope. The send path uses it for `POST /api/messages` with a contact.
 */
export async function getContactWithPhones(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<ContactWithPhones | undefined> {
  const row = await findContact(db, scope, id);
  if (!row) return undefined;
  const phones = (await phonesOfContacts(db, [id])).get(id) ?? [];
  phones.sort((a, b) => Number(Boolean(b.is_primary)) - Number(Boolean(a.is_primary)));
  return { ...row, phones };
}

/** Runs a multi-row INSERT per slice, so no statement exceeds the dialects' parameter limits. */
async function inSlices<R>(
  rows: readonly R[],
  columnsPerRow: number,
  insert: (slice: R[]) => Promise<unknown>,
): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columnsPerRow));
  for (let i = 0; i < rows.length; i += perStatement) await insert(rows.slice(i, i + perStatement));
}

export const insertContacts = (db: Kysely<Database>, rows: readonly Insertable<ContactTable>[]) =>
  inSlices(rows, 15, (slice) => db.insertInto('contacts').values(slice).execute());

export const insertPhones = (db: Kysely<Database>, rows: readonly Insertable<ContactPhoneTable>[]) =>
  inSlices(rows, 10, (slice) => db.insertInto('contact_phones').values(slice).execute());

export async function updateContact(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<ContactTable>,
): Promise<void> {
  await db.updateTable('contacts').set(patch).where('id', '=', id).execute();
}

/** Phones are replaced as a whole: a list edited in a form has no stable identity per row. */
export async function replacePhones(
  db: Kysely<Database>,
  contactId: string,
  rows: readonly Insertable<ContactPhoneTable>[],
): Promise<void> {
  await db.deleteFrom('contact_phones').where('contact_id', '=', contactId).execute();
  await insertPhones(db, rows);
}

export async function moveContactPhones(db: Kysely<Database>, contactId: string, orgUnitId: string) {
  await db
    .updateTable('contact_phones')
    .set({ org_unit_id: orgUnitId })
    .where('contact_id', '=', contactId)
    .execute();
}

/** Hard delete; phones go with it (ON DELETE CASCADE). Messages keep their own copy of the number. */
export async function deleteContact(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('contact_phones').where('contact_id', '=', id).execute();
  await db.deleteFrom('contacts').where('id', '=', id).execute();
}

/** Which of these numbers already belong to a contact of the org unit (number → contact id). */
export async function numbersInUnit(
  db: Kysely<Database>,
  orgUnitId: string,
  e164s: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(e164s)];
  for (let i = 0; i < unique.length; i += MAX_PARAMS) {
    const rows = await db
      .selectFrom('contact_phones')
      .select(['e164', 'contact_id'])
      .where('org_unit_id', '=', orgUnitId)
      .where('e164', 'in', unique.slice(i, i + MAX_PARAMS))
      .execute();
    for (const r of rows) if (r.e164 !== null && !out.has(r.e164)) out.set(r.e164, r.contact_id);
  }
  return out;
}

// --- import jobs --------------------------------------------------------------------------------

export async function insertImportJob(db: Kysely<Database>, row: Insertable<ImportJobTable>) {
  await db.insertInto('import_jobs').values(row).execute();
}

export async function updateImportJob(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<ImportJobTable>,
): Promise<void> {
  await db.updateTable('import_jobs').set(patch).where('id', '=', id).execute();
}

export async function findImportJob(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<ImportJobRow | undefined> {
  return db
    .selectFrom('import_jobs')
    .selectAll()
    .where('id', '=', id)
    .where(inOrgScope(scope, 'import_jobs.org_unit_id'))
    .executeTakeFirst();
}

export const insertRowErrors = (db: Kysely<Database>, rows: readonly Insertable<ImportRowErrorTable>[]) =>
  inSlices(rows, 6, (slice) => db.insertInto('import_row_errors').values(slice).execute());

/** Row errors of a job in row order, after a (row number, kind) keyset position. */
export async function listRowErrors(
  db: Kysely<Database>,
  jobId: string,
  page: { limit: number; after?: { rowNumber: number; kind: string } },
): Promise<ImportRowErrorRow[]> {
  let qb = db.selectFrom('import_row_errors').selectAll().where('job_id', '=', jobId);
  if (page.after) {
    const a = page.after;
    qb = qb.where((eb) =>
      eb.or([
        eb('row_number', '>', a.rowNumber),
        eb.and([eb('row_number', '=', a.rowNumber), eb('kind', '>', a.kind)]),
      ]),
    );
  }
  return qb.orderBy('row_number').orderBy('kind').limit(page.limit).execute();
}
