import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import { containsInsensitive } from '../../db/like.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from './org-units.scope.js';
import type { OrgUnitTable } from './org-units.table.js';

export type OrgUnitRow = Selectable<OrgUnitTable>;

export async function listAllOrgUnitLinks(
  db: Kysely<Database>,
): Promise<{ id: string; parent_id: string | null }[]> {
  return db.selectFrom('org_units').select(['id', 'parent_id']).execute();
}

export async function listOrgUnits(db: Kysely<Database>, scope: OrgScope, q?: string): Promise<OrgUnitRow[]> {
  let qb = db.selectFrom('org_units').selectAll().where(inOrgScope(scope, 'org_units.id'));
  if (q) qb = qb.where(containsInsensitive('org_units.name', q));
  return qb.orderBy('name').orderBy('id').execute();
}

export async function findOrgUnit(
  db: Kysely<Database>,
  scope: OrgScope,
  id: string,
): Promise<OrgUnitRow | undefined> {
  return db
    .selectFrom('org_units')
    .selectAll()
    .where('id', '=', id)
    .where(inOrgScope(scope, 'org_units.id'))
    .executeTakeFirst();
}

export async function countOrgUnits(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('org_units')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertOrgUnit(db: Kysely<Database>, row: Insertable<OrgUnitTable>): Promise<void> {
  await db.insertInto('org_units').values(row).execute();
}

export async function updateOrgUnit(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<OrgUnitTable>,
): Promise<void> {
  await db.updateTable('org_units').set(patch).where('id', '=', id).execute();
}

export async function siblingNameTaken(
  db: Kysely<Database>,
  parentId: string | null,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let qb = db
    .selectFrom('org_units')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  qb = parentId === null ? qb.where('parent_id', 'is', null) : qb.where('parent_id', '=', parentId);
  if (exceptId) qb = qb.where('id', '!=', exceptId);
  return (await qb.executeTakeFirst()) !== undefined;
}
