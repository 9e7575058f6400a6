import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import { containsInsensitive } from '../../db/like.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import type { UserTable } from './users.table.js';

export type UserRow = Omit<UserTable, 'active'> & { active: boolean | 0 | 1 };

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function orgUnitIdsOfUser(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_org_units')
    .select('org_unit_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.org_unit_id).sort();
}

export async function orgUnitIdsOfUsers(
  db: Kysely<Database>,
  userIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('user_org_units')
    .select(['user_id', 'org_unit_id'])
    .where('user_id', 'in', userIds)
    .orderBy('org_unit_id')
    .execute();
  for (const r of rows) out.get(r.user_id)?.push(r.org_unit_id);
  return out;
}

/**
 * Users visible in a scope: those belonging to at least one org unit in it (all users when the scope is all).
 * Ordered by (email, id) for keyset pagination.
 */
export async function listUsers(
  db: Kysely<Database>,
  scope: OrgScope,
  q: { search?: string; limit: number; after?: { email: string; id: string } },
): Promise<UserRow[]> {
  let qb = db.selectFrom('users').selectAll();
  if (!scope.all) {
    qb = qb.where('id', 'in', (eb) =>
      eb
        .selectFrom('user_org_units')
        .select('user_id')
        .where(inOrgScope(scope, 'user_org_units.org_unit_id')),
    );
  }
  if (q.search) {
    const s = q.search;
    qb = qb.where((eb) =>
      eb.or([containsInsensitive('users.email', s), containsInsensitive('users.name', s)]),
    );
  }
  if (q.after) {
    const a = q.after;
    qb = qb.where((eb) =>
      eb.or([eb('email', '>', a.email), eb.and([eb('email', '=', a.email), eb('id', '>', a.id)])]),
    );
  }
  return qb.orderBy('email').orderBy('id').limit(q.limit).execute();
}

export async function insertUser(db: Kysely<Database>, row: Insertable<UserTable>, orgUnitIds: string[]) {
  await db.insertInto('users').values(row).execute();
  if (orgUnitIds.length > 0) {
    await db
      .insertInto('user_org_units')
      .values(orgUnitIds.map((org_unit_id) => ({ user_id: row.id, org_unit_id })))
      .execute();
  }
}

export async function updateUser(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<UserTable>,
  orgUnitIds?: string[],
): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
  if (orgUnitIds) {
    await db.deleteFrom('user_org_units').where('user_id', '=', id).execute();
    if (orgUnitIds.length > 0) {
      await db
        .insertInto('user_org_units')
        .values(orgUnitIds.map((org_unit_id) => ({ user_id: id, org_unit_id })))
        .execute();
    }
  }
}
