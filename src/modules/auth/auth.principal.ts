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
  links?: OrgUnitLinks,
): Promise<Principal> {
  const roles = JSON.parse(user.roles) as Role[];
  const orgScope: OrgScope = roles.includes('system_manager')
    ? { all: true }
    : {
        all: false,
        ids: expandWithDescendants(
          await orgUnitIdsOfUser(db, user.id),
          links ?? (await listAllOrgUnitLinks(db)),
        ),
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

type OrgUnitLinks = Awaited<ReturnType<typeof listAllOrgUnitLinks>>;

/**
 * An API key never does more than its creator can do today: both its permissions and units are
 * intersected. The org-unit tree is read once for the creator and the key (every API request runs this).
 */
export async function principalOfApiKey(
  db: Kysely<Database>,
  key: { id: string; name: string; permissions: Permission[]; orgUnitIds: string[] },
  creatorRow: UserRow,
): Promise<Principal> {
  const links = await listAllOrgUnitLinks(db);
  const creator = await principalOfUser(db, creatorRow, undefined, links);
  const keyUnits = expandWithDescendants(key.orgUnitIds, links);
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
