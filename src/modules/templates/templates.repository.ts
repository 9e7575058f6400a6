import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import { containsInsensitive } from '../../db/like.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import type { MessageCategory, TemplateTable } from './templates.table.js';

export type TemplateRow = Selectable<TemplateTable>;

export interface TemplateFilter {
  orgUnitId?: string;
  category?: MessageCategory;
  search?: string;
  limit: number;
  after?: { name: string; id: string };
}

export async function listTemplates(
  db: Kysely<Database>,
  scope: OrgScope,
  f: TemplateFilter,
): Promise<TemplateRow[]> {
  let qb = db.selectFrom('templates').selectAll().where(inOrgScope(scope, 'templates.org_unit_id'));
  if (f.orgUnitId) qb = qb.where('org_unit_id', '=', f.orgUnitId);
  if (f.category) qb = qb.where('category', '=', f.category);
  if (f.search) {
    const s = f.search;
    qb = qb.where((eb) =>
      eb.or([containsInsensitive('templates.name', s), containsInsensitive('templates.body', s)]),
    );
  }
  if (f.after) {
    const a = f.after;
    qb = qb.where((eb) =>
      eb.or([eb('name', '>', a.name), eb.and([eb('name', '=', a.name), eb('id', '>', a.id)])]),
    );
  }
  return qb.orderBy('name').orderBy('id').limit(f.limit).execute();
}

export async function findTemplate(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<TemplateRow | undefined> {
  return db
    .selectFrom('templates')
    .selectAll()
    .where('id', '=', id)
    .where(inOrgScope(scope, 'templates.org_unit_id'))
    .executeTakeFirst();
}

/** Names are unique per org unit, ignoring case (the unique index is on `lower(name)`). */
export async function templateNameTaken(
  db: Kysely<Database>,
  orgUnitId: string,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let qb = db
    .selectFrom('templates')
    .select('id')
    .where('org_unit_id', '=', orgUnitId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) qb = qb.where('id', '!=', exceptId);
  return (await qb.executeTakeFirst()) !== undefined;
}

export async function insertTemplate(db: Kysely<Database>, row: Insertable<TemplateTable>): Promise<void> {
  await db.insertInto('templates').values(row).execute();
}

export async function updateTemplate(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<TemplateTable>,
): Promise<void> {
  await db.updateTable('templates').set(patch).where('id', '=', id).execute();
}

export async function deleteTemplate(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('templates').where('id', '=', id).execute();
}

/** A contact the principal sees, with its phones and org unit name, for rendering a preview. */
export async function findContactForTemplate(db: Kysely<Database>, scope: OrgScope, id: string) {
  const contact = await db
    .selectFrom('contacts')
    .innerJoin('org_units', 'org_units.id', 'contacts.org_unit_id')
    .select([
      'contacts.id',
      'contacts.name',
      'contacts.first_name',
      'contacts.last_name',
      'contacts.party',
      'contacts.department',
      'contacts.branch',
      'contacts.attributes',
      'org_units.name as org_unit_name',
    ])
    .where('contacts.id', '=', id)
    .where(inOrgScope(scope, 'contacts.org_unit_id'))
    .executeTakeFirst();
  if (!contact) return undefined;
  const phones = await db
    .selectFrom('contact_phones')
    .select(['e164', 'is_primary', 'position'])
    .where('contact_id', '=', id)
    .orderBy('position')
    .execute();
  return { contact, phones };
}
