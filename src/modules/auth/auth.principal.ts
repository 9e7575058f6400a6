import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { listAllOrgUnitLinks } from '../org-units/org-units.repository.js';
import { expandWithDescendants } from '../org-units/org-units.scope.js';
import type { UserRow } from '../users/users.repository.js';
import { orgUnitIdsOfUser } from '../users/users.repository.js';
import {
  type OrgScope,
  type Permission,
  type Principal,
  permissionsOfRoles,
  type Role,
} from './auth.permissions.js';

/** A user's permissions and org scope: system managers see everything, others their units and descendants. */
export async function principalOfUser(
  db: Kysely<Database>,
  user: UserRow,
  csrfToken?: string,
): Promise<Principal> {
  const roles = JSON.parse(user.roles) as Role[];
  const orgScope: OrgScope = roles.includes('system_manager')
    ? { all: true }
    : {
        all: false,
        ids: expandWithDescendants(await orgUnitIdsOfUser(db, user.id), await listAllOrgUnitLinks(db)),
      };
  return {
    kind: 'user',
    id: user.id,
    userId: user.id,
    name: user.name,
    permissions: permissionsOfRoles(roles),
    orgScope,
    ...(csrfToken ? { csrfToken } : {}),
  };
}

/** An API key never does more than its creator can do today: both its permissions and units are intersected. */
export async function principalOfApiKey(
  db: Kysely<Database>,
  key: { id: string; name: string; permissions: Permission[]; orgUnitIds: string[] },
  creator: Principal,
): Promise<Principal> {
  const keyUnits = expandWithDescendants(key.orgUnitIds, await listAllOrgUnitLinks(db));
  const ids = new Set([...keyUnits].filter((id) => creator.orgScope.all || creator.orgScope.ids.has(id)));
  return {
    kind: 'api_key',
    id: key.id,
    userId: creator.userId,
    name: key.name,
    permissions: new Set(key.permissions.filter((p) => creator.permissions.has(p))),
    orgScope: { all: false, ids },
  };
}
