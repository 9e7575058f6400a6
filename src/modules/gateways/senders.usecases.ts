import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import type { OrgUnit } from '../org-units/org-units.schemas.js';
import { toOrgUnit } from '../org-units/org-units.usecases.js';
import {
  findProviderAccount,
  findSenderConfig,
  insertSenderConfig,
  listSenderConfigs,
  orgUnitsBySenderConfig,
  type SenderConfigRow,
  senderConfigNameTaken,
  setOrgUnitSenderConfig,
  updateSenderConfig,
} from './gateways.repository.js';
import type { CreateSenderConfig, SenderConfig, UpdateSenderConfig } from './gateways.schemas.js';
import { requireGatewayAdmin, requireGatewayReader } from './gateways.usecases.js';

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

export async function browseSenderConfigs({ db, principal }: Deps): Promise<SenderConfig[]> {
  requireGatewayReader(principal);
  return view(db, principal, await listSenderConfigs(db));
}

export async function getSenderConfig({ db, principal, id }: Deps & { id: string }): Promise<SenderConfig> {
  requireGatewayReader(principal);
  const row = await findSenderConfig(db, id);
  if (!row) throw notFound(id);
  return (await view(db, principal, [row]))[0]!;
}

async function assertAccounts(db: Kysely<Database>, primary: string, fallback: string | null) {
  if (fallback === primary) {
    throw new AppError(
      'validation.failed',
      'fallbackProviderAccountId: the fallback must be another gateway',
      {
        issues: [{ path: ['fallbackProviderAccountId'], message: 'the fallback must be another gateway' }],
      },
    );
  }
  for (const id of fallback === null ? [primary] : [primary, fallback]) {
    if (!(await findProviderAccount(db, id)))
      throw new AppError('gateway.not_found', 'No such gateway.', { id });
  }
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
  requireGatewayAdmin(principal);
  const now = clock.now().toISOString();
  const row: SenderConfigRow = {
    id: newId(),
    name: input.name,
    provider_account_id: input.providerAccountId,
    fallback_provider_account_id: input.fallbackProviderAccountId,
    sender_id: input.senderId,
    created_at: now,
    updated_at: now,
  };
  await withNameGuard(db, input.name, undefined, () =>
    db.transaction().execute(async (trx) => {
      await assertAccounts(trx, row.provider_account_id, row.fallback_provider_account_id);
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
  requireGatewayAdmin(principal);
  const current = await findSenderConfig(db, id);
  if (!current) throw notFound(id);
  const updated: SenderConfigRow = {
    ...current,
    name: patch.name ?? current.name,
    provider_account_id: patch.providerAccountId ?? current.provider_account_id,
    fallback_provider_account_id:
      patch.fallbackProviderAccountId === undefined
        ? current.fallback_provider_account_id
        : patch.fallbackProviderAccountId,
    sender_id: patch.senderId ?? current.sender_id,
    updated_at: clock.now().toISOString(),
  };
  await withNameGuard(db, updated.name, id, () =>
    db.transaction().execute(async (trx) => {
      await assertAccounts(trx, updated.provider_account_id, updated.fallback_provider_account_id);
      if (patch.name !== undefined && (await senderConfigNameTaken(trx, patch.name, id))) {
        throw nameTaken(patch.name);
      }
      await updateSenderConfig(trx, id, {
        name: updated.name,
        provider_account_id: updated.provider_account_id,
        fallback_provider_account_id: updated.fallback_provider_account_id,
        sender_id: updated.sender_id,
        updated_at: updated.updated_at,
      });
    }),
  );
  return (await view(db, principal, [updated]))[0]!;
}

/**
 * Chooses which sender configuration sends for an org unit (`null`: none; its messages are then
 * blocked as `sender_not_configured`). Managers of the unit may do it; the unit must be visible.
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
    if (senderConfigId !== null && !(await findSenderConfig(trx, senderConfigId))) {
      throw notFound(senderConfigId);
    }
    const now = clock.now().toISOString();
    await setOrgUnitSenderConfig(trx, orgUnitId, senderConfigId, now);
    return toOrgUnit({ ...unit, sender_config_id: senderConfigId, updated_at: now });
  });
}
