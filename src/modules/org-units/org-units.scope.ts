import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { OrgScope } from '../auth/auth.permissions.js';

/**
 * THE scoping helper: every query of org-unit-owned data filters through it.
 * `qb.where(inOrgScope(principal.orgScope, 'contacts.org_unit_id'))`
 */
export function inOrgScope(scope: OrgScope, column: string): RawBuilder<SqlBool> {
  if (scope.all) return sql<SqlBool>`1 = 1`;
  if (scope.ids.size === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join([...scope.ids])})`;
}

/** Expands a set of org unit ids to include every descendant, given the whole (small) tree. */
export function expandWithDescendants(
  roots: Iterable<string>,
  units: readonly { id: string; parent_id: string | null }[],
): Set<string> {
  const children = new Map<string, string[]>();
  for (const u of units) {
    if (u.parent_id === null) continue;
    const list = children.get(u.parent_id) ?? [];
    list.push(u.id);
    children.set(u.parent_id, list);
  }
  const out = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}
