import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { requireOrgUnits, requirePermission } from '../auth/auth.guard.js';
import { hashPassword } from '../auth/auth.passwords.js';
import type { Principal, Role } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import {
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers,
  orgUnitIdsOfUser,
  orgUnitIdsOfUsers,
  type UserRow,
  updateUser,
} from './users.repository.js';
import type { CreateUser, UpdateUser, User } from './users.schemas.js';

export const toUser = (r: UserRow, orgUnitIds: string[]): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  roles: JSON.parse(r.roles) as Role[],
  orgUnitIds,
  active: Boolean(r.active),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

export async function browseUsers({
  db,
  principal,
  query,
}: Deps & { query: { search?: string; limit: number; cursor?: string } }) {
  requirePermission(principal, 'users.read');
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const rows = await listUsers(db, principal.orgScope, {
    search: query.search,
    limit: query.limit + 1,
    after: c ? { email: c[0]!, id: c[1]! } : undefined,
  });
  const page = rows.slice(0, query.limit);
  const units = await orgUnitIdsOfUsers(
    db,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((r) => toUser(r, units.get(r.id) ?? [])),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.email, last.id]) : null,
  };
}

export async function getUser({ db, principal, id }: Deps & { id: string }): Promise<User> {
  if (principal.kind !== 'user' || principal.userId !== id) requirePermission(principal, 'users.read');
  const row = await findUserById(db, id);
  const units = row ? await orgUnitIdsOfUser(db, id) : [];
  // A user outside the principal's units does not exist for it.
  if (
    !row ||
    (!principal.orgScope.all && principal.userId !== id && !units.some((u) => visible(principal, u)))
  ) {
    throw new AppError('user.not_found', 'No such user.', { id });
  }
  return toUser(row, units);
}

const visible = (p: Principal, unitId: string) => p.orgScope.all || p.orgScope.ids.has(unitId);

export async function createUser({
  db,
  principal,
  clock,
  input,
}: Deps & { clock: Clock; input: CreateUser }): Promise<User> {
  requirePermission(principal, 'users.manage');
  const orgUnitIds = [...new Set(input.orgUnitIds)].sort();
  requireOrgUnits(principal, orgUnitIds);
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    await assertOrgUnitsExist(trx, principal, orgUnitIds);
    if (await findUserByEmail(trx, input.email)) {
      throw new AppError('user.email_taken', 'A user with this email already exists.', {
        email: input.email,
      });
    }
    const now = clock.now().toISOString();
    const row = {
      id: newId(),
      email: input.email,
      name: input.name,
      password_hash: passwordHash,
      roles: JSON.stringify([...new Set(input.roles)]),
      active: true,
      created_at: now,
      updated_at: now,
    };
    await insertUser(trx, row, orgUnitIds);
    return toUser(row, orgUnitIds);
  });
}

export async function changeUser({
  db,
  principal,
  clock,
  id,
  patch,
}: Deps & { clock: Clock; id: string; patch: UpdateUser }): Promise<User> {
  requirePermission(principal, 'users.manage');
  if (patch.active === false && principal.userId === id) {
    throw new AppError('user.cannot_deactivate_self', 'You cannot deactivate your own account.');
  }
  const orgUnitIds = patch.orgUnitIds ? [...new Set(patch.orgUnitIds)].sort() : undefined;
  if (orgUnitIds) requireOrgUnits(principal, orgUnitIds);
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return db.transaction().execute(async (trx) => {
    const current = await getUser({ db: trx, principal, id });
    if (orgUnitIds) await assertOrgUnitsExist(trx, principal, orgUnitIds);
    const now = clock.now().toISOString();
    await updateUser(
      trx,
      id,
      {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.roles ? { roles: JSON.stringify([...new Set(patch.roles)]) } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
        updated_at: now,
      },
      orgUnitIds,
    );
    if (patch.active === false || passwordHash) {
      // Deactivation and password changes end every open session of that user.
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    }
    return {
      ...current,
      name: patch.name ?? current.name,
      roles: patch.roles ? [...new Set(patch.roles)] : current.roles,
      active: patch.active ?? current.active,
      orgUnitIds: orgUnitIds ?? current.orgUnitIds,
      updatedAt: now,
    };
  });
}

async function assertOrgUnitsExist(db: Kysely<Database>, principal: Principal, ids: string[]) {
  for (const id of ids) {
    if (!(await findOrgUnit(db, principal.orgScope, id))) {
      throw new AppError('org_unit.not_found', 'No such org unit.', { id });
    }
  }
}
