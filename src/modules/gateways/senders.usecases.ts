import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit, listAllOrgUnitLinks } from '../org-units/org-units.repository.js';
import type { OrgUnit } from '../org-units/org-units.schemas.js';
import { toOrgUnit } from '../org-units/org-units.usecases.js';
import { canSeeOwner, managesOwner, type Owner, ownerVisibility, usableBy } from './gateways.ownership.js';
import {
  findSenderConfig,
  insertSenderConfig,
  listSenderConfigs,
  orgUnitIdsUsingSenderConfig,
  orgUnitsBySenderConfig,
  type SenderConfigRow,
  senderConfigNameTaken,
  setOrgUnitSenderConfig,
  updateSenderConfig,
} from './gateways.repository.js';
import type { CreateSenderConfig, SenderConfig, UpdateSenderConfig } from './gateways.schemas.js';
import { checkOwner, findVisibleGateway, requireGatewayReader } from './gateways.usecases.js';

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

const toSenderConfig = (r: SenderConfigRow, orgUnitIds: string[]): SenderConfig => ({
  id: r.id,
  name: r.name,
  providerAccountId: r.provider_account_id,
  fallbackProviderAccountId: r.fallback_provider_account_id,
  senderId: r.sender_id,
  orgUnitId: r.org_unit_id,
  orgUnitIds,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const notFound = (id: string) => new AppError('sender.not_found', 'No such sender configuration.', { id });
const nameTaken = (name: string) =>
  new AppError('sender.name_taken', 'Another sender configuration already has this name.', { name });

async function view(db: Kysely<Database>, principal: Principal, rows: SenderConfigRow[]) {
  const units = await orgUnitsBySenderConfig(
    db,
    principal.orgScope,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toSenderConfig(r, units.get(r.id) ?? []));
}

/** Configurations the principal sees: shared ones, and those of its units, the units below and above. */
export async function browseSenderConfigs({ db, principal }: Deps): Promise<SenderConfig[]> {
  requireGatewayReader(principal);
  return view(db, principal, await listSenderConfigs(db, await ownerVisibility(db, principal)));
}

async function findVisibleSenderConfig(db: Kysely<Database>, principal: Principal, id: string) {
  const row = await findSenderConfig(db, id);
  if (!row || !canSeeOwner(await ownerVisibility(db, principal), row.org_unit_id)) throw notFound(id);
  return row;
}

export async function getSenderConfig({ db, principal, id }: Deps & { id: string }): Promise<SenderConfig> {
  requireGatewayReader(principal);
  return (await view(db, principal, [await findVisibleSenderConfig(db, principal, id)]))[0]!;
}

const notUsable = (path: string, message: string) =>
  new AppError('validation.failed', `${path}: ${message}`, { issues: [{ path: [path], message }] });

/**
 * The accounts must exist, be seen by the principal and be usable by the configuration's owner: shared
 * accounts by anyone; a unit's accounts by configurations of that unit or of a unit below it.
 */
async function assertAccounts(
  db: Kysely<Database>,
  principal: Principal,
  owner: Owner,
  primary: string,
  fallback: string | null,
) {
  if (fallback === primary) {
    throw new AppError(
      'validation.failed',
      'fallbackProviderAccountId: the fallback must be another gateway',
      {
        issues: [{ path: ['fallbackProviderAccountId'], message: 'the fallback must be another gateway' }],
      },
    );
  }
  const links = await listAllOrgUnitLinks(db);
  for (const [path, id] of [
    ['providerAccountId', primary],
    ['fallbackProviderAccountId', fallback],
  ] as const) {
    if (id === null) continue;
    const account = await findVisibleGateway(db, principal, id);
    if (!usableBy(account.org_unit_id, owner, links)) {
      throw notUsable(
        path,
        owner === null
          ? 'a shared sender configuration can only use shared gateways'
          : "this gateway belongs to another org unit; use a shared one or one of the configuration's unit or a unit above it",
      );
    }
  }
}

/** A configuration the principal sees and manages; one it sees but does not manage is `auth.forbidden`. */
async function findManagedSenderConfig(db: Kysely<Database>, principal: Principal, id: string) {
  requirePermission(principal, 'gateways.manage');
  const row = await findVisibleSenderConfig(db, principal, id);
  if (!managesOwner(principal, row.org_unit_id)) {
    throw new AppError(
      'auth.forbidden',
      row.org_unit_id === null
        ? 'Only a system manager can change a shared sender configuration.'
        : "Only the managers of the configuration's org unit can change it.",
      { permission: 'gateways.manage' },
    );
  }
  return row;
}

async function withNameGuard<T>(
  db: Kysely<Database>,
  name: string,
  exceptId: string | undefined,
  write: () => Promise<T>,
) {
  try {
    return await write();
  } catch (e) {
    if (!(e instanceof AppError) && (await senderConfigNameTaken(db, name, exceptId))) throw nameTaken(name);
    throw e;
  }
}

export async function createSenderConfig({
  db,
  clock,
  principal,
  input,
}: Deps & { clock: Clock; input: CreateSenderConfig }): Promise<SenderConfig> {
  requirePermission(principal, 'gateways.manage');
  const owner = input.orgUnitId ?? null;
  await checkOwner(db, principal, owner, 'sender configurations');
  const now = clock.now().toISOString();
  const row: SenderConfigRow = {
    id: newId(),
    name: input.name,
    provider_account_id: input.providerAccountId,
    fallback_provider_account_id: input.fallbackProviderAccountId,
    sender_id: input.senderId,
    org_unit_id: owner,
    created_at: now,
    updated_at: now,
  };
  await withNameGuard(db, input.name, undefined, () =>
    db.transaction().execute(async (trx) => {
      await assertAccounts(trx, principal, owner, row.provider_account_id, row.fallback_provider_account_id);
      if (await senderConfigNameTaken(trx, input.name)) throw nameTaken(input.name);
      await insertSenderConfig(trx, row);
    }),
  );
  return toSenderConfig(row, []);
}

export async function changeSenderConfig({
  db,
  clock,
  principal,
  id,
  patch,
}: Deps & { clock: Clock; id: string; patch: UpdateSenderConfig }): Promise<SenderConfig> {
  const current = await findManagedSenderConfig(db, principal, id);
  const owner = patch.orgUnitId === undefined ? current.org_unit_id : patch.orgUnitId;
  if (owner !== current.org_unit_id) await checkOwner(db, principal, owner, 'sender configurations');
  const updated: SenderConfigRow = {
    ...current,
    name: patch.name ?? current.name,
    provider_account_id: patch.providerAccountId ?? current.provider_account_id,
    fallback_provider_account_id:
      patch.fallbackProviderAccountId === undefined
        ? current.fallback_provider_account_id
        : patch.fallbackProviderAccountId,
    sender_id: patch.senderId ?? current.sender_id,
    org_unit_id: owner,
    updated_at: clock.now().toISOString(),
  };
  await withNameGuard(db, updated.name, id, () =>
    db.transaction().execute(async (trx) => {
      await assertAccounts(
        trx,
        principal,
        owner,
        updated.provider_account_id,
        updated.fallback_provider_account_id,
      );
      if (owner !== current.org_unit_id) await assertUnitsStillServed(trx, id, owner);
      if (patch.name !== undefined && (await senderConfigNameTaken(trx, patch.name, id))) {
        throw nameTaken(patch.name);
      }
      await updateSenderConfig(trx, id, {
        name: updated.name,
        provider_account_id: updated.provider_account_id,
        fallback_provider_account_id: updated.fallback_provider_account_id,
        sender_id: updated.sender_id,
        org_unit_id: updated.org_unit_id,
        updated_at: updated.updated_at,
      });
    }),
  );
  return (await view(db, principal, [updated]))[0]!;
}

/** Moving a configuration to another owner must not leave units sending with one they may not use. */
async function assertUnitsStillServed(db: Kysely<Database>, id: string, owner: Owner) {
  const links = await listAllOrgUnitLinks(db);
  const stranded = (await orgUnitIdsUsingSenderConfig(db, id)).filter((u) => !usableBy(owner, u, links));
  if (stranded.length > 0) {
    throw notUsable(
      'orgUnitId',
      'org units outside this org unit send with this configuration; change them first',
    );
  }
}

/**
 * Chooses which sender configuration sends for an org unit (`null`: none; its messages are then
 * blocked as `sender_not_configured`). Managers of the unit may do it; the unit must be visible, and
 * the configuration usable by it: shared, or owned by the unit or a unit above it.
 */
export async function attachSenderToOrgUnit({
  db,
  clock,
  principal,
  orgUnitId,
  senderConfigId,
}: Deps & { clock: Clock; orgUnitId: string; senderConfigId: string | null }): Promise<OrgUnit> {
  requirePermission(principal, 'gateways.manage');
  return db.transaction().execute(async (trx) => {
    const unit = await findOrgUnit(trx, principal.orgScope, orgUnitId);
    if (!unit) throw new AppError('org_unit.not_found', 'No such org unit.', { id: orgUnitId });
    if (senderConfigId !== null) {
      const config = await findVisibleSenderConfig(trx, principal, senderConfigId);
      if (!usableBy(config.org_unit_id, orgUnitId, await listAllOrgUnitLinks(trx))) {
        throw notUsable(
          'senderConfigId',
          'this sender configuration belongs to another org unit; use a shared one or one of this unit or a unit above it',
        );
      }
    }
    const now = clock.now().toISOString();
    await setOrgUnitSenderConfig(trx, orgUnitId, senderConfigId, now);
    return toOrgUnit({ ...unit, sender_config_id: senderConfigId, updated_at: now });
  });
}
