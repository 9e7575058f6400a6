import { AppError } from '../../core/errors.js';
import { canSeeOrgUnit, type Permission, type Principal } from './auth.permissions.js';

/** Throws `auth.forbidden` unless the principal holds the permission (the HTTP layer audits the denial). */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!principal.permissions.has(permission)) {
    throw new AppError('auth.forbidden', `You do not have the permission "${permission}".`, { permission });
  }
}

/** Throws `auth.org_unit_forbidden` unless the principal sees every listed org unit. */
export function requireOrgUnits(principal: Principal, orgUnitIds: Iterable<string>): void {
  for (const id of orgUnitIds) {
    if (!canSeeOrgUnit(principal.orgScope, id)) {
      throw new AppError('auth.org_unit_forbidden', 'You cannot act for this org unit.', { orgUnitId: id });
    }
  }
}
