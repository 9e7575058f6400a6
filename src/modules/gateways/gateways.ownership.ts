import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import type { Principal } from '../auth/auth.permissions.js';
import { listAllOrgUnitLinks } from '../org-units/org-units.repository.js';

/**
 * Who owns a gateway account or a sender configuration (`org_unit_id`):
 * - `null`: shared. Set up by a system manager; every unit may use it; only system managers change it
 *   or see its settings and callback URLs.
 * - a unit id: owned by that unit. Seen and used in that unit and the units below it; managed (settings,
 *   callback URLs, changes, test sends) by whoever holds `gateways.manage` for that unit.
 */
export type Owner = string | null;

type Links = readonly { id: string; parent_id: string | null }[];

/** A unit and every unit above it. */
export function selfAndAncestors(unitId: string, links: Links): Set<string> {
  const parent = new Map(links.map((l) => [l.id, l.parent_id]));
  const out = new Set<string>();
  for (let id: string | null | undefined = unitId; id && !out.has(id); id = parent.get(id)) out.add(id);
  return out;
}

/**
 * What a principal may see: `all`, or the owners whose accounts it sees — its units, the units below
 * them (its scope) and the units above them (their accounts are usable below). Shared ones always.
 */
export type OwnerVisibility = { all: true } | { all: false; owners: ReadonlySet<string> };

export async function ownerVisibility(db: Kysely<Database>, principal: Principal): Promise<OwnerVisibility> {
  if (principal.orgScope.all) return { all: true };
  const links = await listAllOrgUnitLinks(db);
  const owners = new Set<string>();
  for (const id of principal.orgScope.ids) for (const a of selfAndAncestors(id, links)) owners.add(a);
  return { all: false, owners };
}

export const canSeeOwner = (vis: OwnerVisibility, owner: Owner) =>
  vis.all || owner === null || vis.owners.has(owner);

/** SQL filter: rows whose `column` (an owner) the principal sees. */
export function visibleOwnerFilter(vis: OwnerVisibility, column: string): RawBuilder<SqlBool> {
  if (vis.all) return sql<SqlBool>`1 = 1`;
  if (vis.owners.size === 0) return sql<SqlBool>`${sql.ref(column)} is null`;
  return sql<SqlBool>`(${sql.ref(column)} is null or ${sql.ref(column)} in (${sql.join([...vis.owners])}))`;
}

/** Whether the principal manages what this owner holds: a system manager, or a manager of that unit. */
export function managesOwner(principal: Principal, owner: Owner): boolean {
  if (!principal.permissions.has('gateways.manage')) return false;
  if (principal.orgScope.all) return true;
  return owner !== null && principal.orgScope.ids.has(owner);
}

/**
 * Throws unless the principal may put something under this owner (create it there, or move it
 * there). Shared (`null`) is for system managers; a unit must be one the principal manages.
 */
export function requireOwnerManaged(principal: Principal, owner: Owner, what: string): void {
  if (managesOwner(principal, owner)) return;
  if (owner === null) {
    throw new AppError(
      'auth.forbidden',
      `Only a system manager can add or change shared ${what}; give orgUnitId of a unit you manage.`,
      { permission: 'gateways.manage' },
    );
  }
  throw new AppError('org_unit.not_found', 'No such org unit.', { id: owner });
}

/**
 * Whether something owned by `owner` (an account or a sender configuration) may be used by `user` (a
 * sender configuration or an org unit): shared things by everyone; a unit's things by that unit and
 * the units below it. Something shared may use only shared things.
 */
export function usableBy(owner: Owner, user: Owner, links: Links): boolean {
  if (owner === null) return true;
  if (user === null) return false;
  return selfAndAncestors(user, links).has(owner);
}
