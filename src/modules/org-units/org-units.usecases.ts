import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import type { MessageCategory } from '../templates/templates.table.js';
import {
  findOrgUnit,
  insertOrgUnit,
  listAllOrgUnitLinks,
  listOrgUnits,
  type OrgUnitRow,
  siblingNameTaken,
  updateOrgUnit,
} from './org-units.repository.js';
import type { CreateOrgUnit, OrgUnit, UpdateOrgUnit } from './org-units.schemas.js';
import { expandWithDescendants } from './org-units.scope.js';

export const toOrgUnit = (r: OrgUnitRow): OrgUnit => ({
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  defaultRegion: r.default_region,
  timezone: r.timezone,
  sendingEnabled: Boolean(r.sending_enabled),
  senderConfigId: r.sender_config_id,
  consentRequiredCategories: JSON.parse(r.consent_required_categories) as MessageCategory[],
  maxTextLength: r.max_text_length,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

export async function browseOrgUnits({ db, principal, q }: Deps & { q?: string }): Promise<OrgUnit[]> {
  requirePermission(principal, 'org_units.read');
  return (await listOrgUnits(db, principal.orgScope, q)).map(toOrgUnit);
}

export async function getOrgUnit({ db, principal, id }: Deps & { id: string }): Promise<OrgUnit> {
  requirePermission(principal, 'org_units.read');
  const row = await findOrgUnit(db, principal.orgScope, id);
  if (!row) throw new AppError('org_unit.not_found', 'No such org unit.', { id });
  return toOrgUnit(row);
}

/**
 * Creates an org unit under a parent the principal sees. Only a principal that sees every unit
 * (system managers) may create a new root.
 */
export async function createOrgUnit({
  db,
  principal,
  clock,
  input,
}: Deps & { clock: Clock; input: CreateOrgUnit }): Promise<OrgUnit> {
  requirePermission(principal, 'org_units.manage');
  return db.transaction().execute(async (trx) => {
    await assertParentAllowed(trx, principal, input.parentId);
    if (await siblingNameTaken(trx, input.parentId, input.name)) {
      throw new AppError(
        'org_unit.name_taken',
        'Another org unit with this name already exists at this level.',
        {
          name: input.name,
        },
      );
    }
    const now = clock.now().toISOString();
    const row = {
      id: newId(),
      parent_id: input.parentId,
      name: input.name,
      default_region: input.defaultRegion,
      timezone: input.timezone,
      sending_enabled: input.sendingEnabled,
      sender_config_id: null,
      consent_required_categories: JSON.stringify(input.consentRequiredCategories),
      max_text_length: input.maxTextLength,
      created_at: now,
      updated_at: now,
    };
    await insertOrgUnit(trx, row);
    return toOrgUnit(row);
  });
}

export async function changeOrgUnit({
  db,
  principal,
  clock,
  id,
  patch,
}: Deps & { clock: Clock; id: string; patch: UpdateOrgUnit }): Promise<OrgUnit> {
  requirePermission(principal, 'org_units.manage');
  return db.transaction().execute(async (trx) => {
    const current = await findOrgUnit(trx, principal.orgScope, id);
    if (!current) throw new AppError('org_unit.not_found', 'No such org unit.', { id });
    const parentId = patch.parentId === undefined ? current.parent_id : patch.parentId;
    if (patch.parentId !== undefined && patch.parentId !== current.parent_id) {
      await assertParentAllowed(trx, principal, parentId);
      if (parentId !== null) {
        const subtree = expandWithDescendants([id], await listAllOrgUnitLinks(trx));
        if (subtree.has(parentId)) {
          throw new AppError('org_unit.invalid_parent', 'An org unit cannot be moved below itself.', {
            parentId,
          });
        }
      }
    }
    const name = patch.name ?? current.name;
    if (
      (patch.name !== undefined || patch.parentId !== undefined) &&
      (await siblingNameTaken(trx, parentId, name, id))
    ) {
      throw new AppError(
        'org_unit.name_taken',
        'Another org unit with this name already exists at this level.',
        {
          name,
        },
      );
    }
    const updated = {
      ...current,
      name,
      parent_id: parentId,
      default_region: patch.defaultRegion ?? current.default_region,
      timezone: patch.timezone ?? current.timezone,
      sending_enabled: patch.sendingEnabled ?? Boolean(current.sending_enabled),
      consent_required_categories: patch.consentRequiredCategories
        ? JSON.stringify(patch.consentRequiredCategories)
        : current.consent_required_categories,
      max_text_length: patch.maxTextLength ?? current.max_text_length,
      updated_at: clock.now().toISOString(),
    };
    await updateOrgUnit(trx, id, {
      name: updated.name,
      parent_id: updated.parent_id,
      default_region: updated.default_region,
      timezone: updated.timezone,
      sending_enabled: updated.sending_enabled,
      consent_required_categories: updated.consent_required_categories,
      max_text_length: updated.max_text_length,
      updated_at: updated.updated_at,
    });
    return toOrgUnit(updated);
  });
}

async function assertParentAllowed(db: Kysely<Database>, principal: Principal, parentId: string | null) {
  if (parentId === null) {
    if (!principal.orgScope.all) {
      throw new AppError('auth.org_unit_forbidden', 'Only a system manager can create a top-level org unit.');
    }
    return;
  }
  const parent = await findOrgUnit(db, principal.orgScope, parentId);
  if (!parent)
    throw new AppError('org_unit.invalid_parent', 'The parent org unit does not exist.', { parentId });
}
