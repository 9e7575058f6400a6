import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { ShiftLanguage } from '../../core/encoding/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { SecretBox } from '../../core/secrets.js';
import type { Database } from '../../db/database.js';
import type { Provider, ProviderDeps, ProviderKind } from '../../providers/provider.contract.js';
import { createProvider, isProviderKind, providerFactory } from '../../providers/provider.registry.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit, listAllOrgUnitLinks } from '../org-units/org-units.repository.js';
import {
  canSeeOwner,
  managesOwner,
  type Owner,
  ownerVisibility,
  requireOwnerManaged,
  usableBy,
} from './gateways.ownership.js';
import {
  findProviderAccount,
  forgetCallbackAccounts,
  insertProviderAccount,
  listProviderAccounts,
  type ProviderAccountRow,
  providerAccountNameTaken,
  senderConfigsUsingAccount,
  updateProviderAccount,
} from './gateways.repository.js';
import type { CreateGateway, Gateway, UpdateGateway } from './gateways.schemas.js';
import {
  changedSettings,
  maskSettings,
  mergeSettings,
  openSettings,
  replacedSecrets,
  sealSettings,
  withoutMasks,
} from './gateways.secrets.js';
import { checkGatewayAddresses, type GatewayAddressPolicy } from './gateways.ssrf.js';

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

/** The URL a gateway posts delivery reports to. The token in it is the only credential: keep it secret. */
export const callbackUrlFor = (baseUrl: string, callbackToken: string) =>
  `${baseUrl.replace(/\/+$/, '')}/api/callbacks/${callbackToken}`;

/** The URL a gateway posts inbound SMS to: the callback URL + `/inbound`. */
export const inboundUrlFor = (baseUrl: string, callbackToken: string) =>
  `${callbackUrlFor(baseUrl, callbackToken)}/inbound`;

export const newCallbackToken = () => randomBytes(32).toString('base64url');

/** Gateway accounts and sender configurations are read by those who manage or send with them. */
export function requireGatewayReader(principal: Principal): void {
  if (!principal.permissions.has('messages.send')) requirePermission(principal, 'gateways.manage');
}

/**
 * Instance-wide gateway settings (e.g. inbound routing) affect every org unit: they take
 * `gateways.manage` and a principal that sees every unit (a system manager). Accounts and sender
 * configurations owned by a unit are checked per owner instead (`gateways.ownership.ts`).
 */
export function requireGatewayAdmin(principal: Principal): void {
  requirePermission(principal, 'gateways.manage');
  if (!principal.orgScope.all) {
    throw new AppError(
      'auth.forbidden',
      'Only a system manager can change gateways and sender configurations.',
      { permission: 'gateways.manage' },
    );
  }
}

export function kindOf(row: ProviderAccountRow): ProviderKind {
  if (!isProviderKind(row.kind)) throw new Error(`provider account ${row.id} has an unknown kind`);
  return row.kind;
}

/** Validates settings with the kind's schema; failures name `settings.<field>` like any other field. */
export function validateGatewaySettings(kind: ProviderKind, raw: unknown): Record<string, unknown> {
  const parsed = providerFactory(kind).settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: ['settings', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      message: i.message,
    }));
    throw new AppError('validation.failed', `${issues[0]?.path.join('.')}: ${issues[0]?.message}`, {
      issues,
    });
  }
  return parsed.data as Record<string, unknown>;
}

export function toGateway(r: ProviderAccountRow, view: { principal: Principal; baseUrl: string }): Gateway {
  const kind = kindOf(r);
  // Settings and callback URLs only for whoever manages the account (its unit's managers, system managers).
  const manager = managesOwner(view.principal, r.org_unit_id);
  return {
    id: r.id,
    name: r.name,
    kind,
    orgUnitId: r.org_unit_id,
    ...(manager ? { settings: maskSettings(kind, JSON.parse(r.settings) as Record<string, unknown>) } : {}),
    messagesPerSecond: r.messages_per_second,
    maxParts: r.max_parts,
    pricePerPart: r.price_per_part,
    currency: r.currency,
    shiftTables: JSON.parse(r.shift_tables) as ShiftLanguage[],
    ...(manager
      ? {
          callbackUrl: callbackUrlFor(view.baseUrl, r.callback_token),
          inboundUrl: inboundUrlFor(view.baseUrl, r.callback_token),
        }
      : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * An adapter instance for a stored account (the send path and the callback route use it). Close it
 * when done; instances hold pending work (the simulator's reports). `box` opens the account's sealed
 * credentials (`gatewaySecretBox(config)`); without it an account that has some cannot be opened
 * (`gateway.secret_unreadable`).
 */
export function openProvider(
  row: ProviderAccountRow,
  deps: Partial<ProviderDeps> = {},
  box?: SecretBox,
): Provider {
  const kind = kindOf(row);
  return createProvider(
    kind,
    {
      id: row.id,
      settings: openSettings(kind, row.id, JSON.parse(row.settings) as Record<string, unknown>, box),
      callbackToken: row.callback_token,
      maxParts: row.max_parts,
      shiftTables: JSON.parse(row.shift_tables) as ShiftLanguage[],
    },
    deps,
  );
}

const notFound = (id: string) => new AppError('gateway.not_found', 'No such gateway.', { id });
const nameTaken = (name: string) =>
  new AppError('gateway.name_taken', 'Another gateway already has this name.', { name });

/** Accounts the principal sees: shared ones, and those of its units, the units below and above them. */
export async function browseGateways({ db, principal, baseUrl }: Deps & { baseUrl: string }) {
  requireGatewayReader(principal);
  const visible = await ownerVisibility(db, principal);
  return (await listProviderAccounts(db, visible)).map((r) => toGateway(r, { principal, baseUrl }));
}

/** An account the principal sees (else `gateway.not_found`, as if it did not exist). */
export async function findVisibleGateway(db: Kysely<Database>, principal: Principal, id: string) {
  const row = await findProviderAccount(db, id);
  if (!row || !canSeeOwner(await ownerVisibility(db, principal), row.org_unit_id)) throw notFound(id);
  return row;
}

export async function getGateway({ db, principal, baseUrl, id }: Deps & { baseUrl: string; id: string }) {
  requireGatewayReader(principal);
  return toGateway(await findVisibleGateway(db, principal, id), { principal, baseUrl });
}

/** The owning unit must exist and be one the principal manages (`null`, shared: system managers). */
export async function checkOwner(db: Kysely<Database>, principal: Principal, owner: Owner, what: string) {
  requireOwnerManaged(principal, owner, what);
  if (owner !== null && !(await findOrgUnit(db, principal.orgScope, owner))) {
    throw new AppError('org_unit.not_found', 'No such org unit.', { id: owner });
  }
}

/** An account the principal sees and manages; one it sees but does not manage is `auth.forbidden`. */
async function findManagedGateway(db: Kysely<Database>, principal: Principal, id: string) {
  requirePermission(principal, 'gateways.manage');
  const row = await findVisibleGateway(db, principal, id);
  if (!managesOwner(principal, row.org_unit_id)) {
    throw new AppError(
      'auth.forbidden',
      row.org_unit_id === null
        ? 'Only a system manager can change a shared gateway.'
        : "Only the managers of the gateway's org unit can change it.",
      { permission: 'gateways.manage' },
    );
  }
  return row;
}

/** Runs a write guarded by the unique name: a concurrent duplicate also ends as `gateway.name_taken`. */
async function withNameGuard<T>(
  db: Kysely<Database>,
  name: string,
  exceptId: string | undefined,
  write: () => Promise<T>,
) {
  try {
    return await write();
  } catch (e) {
    if (!(e instanceof AppError) && (await providerAccountNameTaken(db, name, exceptId)))
      throw nameTaken(name);
    throw e;
  }
}

/** What saving an account needs besides the database: the secret box and the address policy. */
interface SaveDeps {
  clock: Clock;
  baseUrl: string;
  box: SecretBox;
  policy: GatewayAddressPolicy;
}

export async function createGateway({
  db,
  clock,
  principal,
  baseUrl,
  box,
  policy,
  input,
}: Deps & SaveDeps & { input: CreateGateway }): Promise<Gateway> {
  requirePermission(principal, 'gateways.manage');
  const owner = input.orgUnitId ?? null;
  await checkOwner(db, principal, owner, 'gateways');
  const settings = validateGatewaySettings(input.kind, withoutMasks(input.kind, input.settings));
  await checkGatewayAddresses(input.kind, settings, policy);
  const now = clock.now().toISOString();
  const id = newId();
  const row: ProviderAccountRow = {
    id,
    name: input.name,
    kind: input.kind,
    settings: JSON.stringify(sealSettings(input.kind, id, settings, box)),
    messages_per_second: input.messagesPerSecond,
    max_parts: input.maxParts,
    price_per_part: input.pricePerPart,
    currency: input.currency,
    shift_tables: JSON.stringify(input.shiftTables),
    callback_token: newCallbackToken(),
    org_unit_id: owner,
    created_at: now,
    updated_at: now,
  };
  await withNameGuard(db, input.name, undefined, () =>
    db.transaction().execute(async (trx) => {
      if (await providerAccountNameTaken(trx, input.name)) throw nameTaken(input.name);
      await insertProviderAccount(trx, row);
    }),
  );
  return toGateway(row, { principal, baseUrl });
}

/**
 * Changes an account. Returns the gateway and the names of the fields that changed (`settings.<field>`
 * for settings; for the audit log, which never holds values).
 */
export async function changeGateway({
  db,
  clock,
  principal,
  baseUrl,
  box,
  policy,
  id,
  patch,
}: Deps & SaveDeps & { id: string; patch: UpdateGateway }): Promise<{ gateway: Gateway; changed: string[] }> {
  const current = await findManagedGateway(db, principal, id);
  const kind = kindOf(current);
  const owner = patch.orgUnitId === undefined ? current.org_unit_id : patch.orgUnitId;
  if (owner !== current.org_unit_id) await checkOwner(db, principal, owner, 'gateways');
  let settings = current.settings;
  let changedFields: string[] = [];
  if (patch.settings !== undefined) {
    // Secrets the patch replaces are not opened: re-entering them is how an account whose key was lost
    // is repaired.
    const before = openSettings(
      kind,
      id,
      JSON.parse(current.settings) as Record<string, unknown>,
      box,
      replacedSecrets(kind, patch.settings),
    );
    const after = validateGatewaySettings(kind, mergeSettings(kind, before, patch.settings));
    await checkGatewayAddresses(kind, after, policy);
    changedFields = changedSettings(before, after);
    settings = JSON.stringify(sealSettings(kind, id, after, box));
  }
  const pricePerPart = patch.pricePerPart === undefined ? current.price_per_part : patch.pricePerPart;
  const currency = patch.currency === undefined ? current.currency : patch.currency;
  if (pricePerPart !== null && currency === null) {
    throw new AppError('validation.failed', 'currency: a price needs a currency', {
      issues: [{ path: ['currency'], message: 'a price needs a currency' }],
    });
  }
  for (const [field, column] of [
    ['name', 'name'],
    ['messagesPerSecond', 'messages_per_second'],
    ['maxParts', 'max_parts'],
    ['pricePerPart', 'price_per_part'],
    ['currency', 'currency'],
  ] as const) {
    if (patch[field] !== undefined && patch[field] !== current[column]) changedFields.push(field);
  }
  if (patch.shiftTables && JSON.stringify(patch.shiftTables) !== current.shift_tables) {
    changedFields.push('shiftTables');
  }
  if (owner !== current.org_unit_id) changedFields.push('orgUnitId');
  const updated: ProviderAccountRow = {
    ...current,
    name: patch.name ?? current.name,
    settings,
    messages_per_second: patch.messagesPerSecond ?? current.messages_per_second,
    max_parts: patch.maxParts ?? current.max_parts,
    price_per_part: pricePerPart,
    currency,
    shift_tables: patch.shiftTables ? JSON.stringify(patch.shiftTables) : current.shift_tables,
    org_unit_id: owner,
    updated_at: clock.now().toISOString(),
  };
  await withNameGuard(db, updated.name, id, () =>
    db.transaction().execute(async (trx) => {
      if (patch.name !== undefined && (await providerAccountNameTaken(trx, patch.name, id))) {
        throw nameTaken(patch.name);
      }
      if (owner !== current.org_unit_id) await assertStillUsable(trx, id, owner);
      const { id: _id, callback_token: _token, created_at: _created, ...changes } = updated;
      await updateProviderAccount(trx, id, changes);
    }),
  );
  // After the commit: a callback on another connection may have read (and kept) the old row meanwhile.
  forgetCallbackAccounts();
  return { gateway: toGateway(updated, { principal, baseUrl }), changed: changedFields.sort() };
}

/**
 * Moving an account to another owner must not leave a sender configuration using an account it may
 * not use (one of another unit, or a unit's account in a shared configuration).
 */
async function assertStillUsable(db: Kysely<Database>, accountId: string, owner: Owner) {
  const links = await listAllOrgUnitLinks(db);
  const stranded = (await senderConfigsUsingAccount(db, accountId)).filter(
    (s) => !usableBy(owner, s.org_unit_id, links),
  );
  if (stranded.length > 0) {
    const message = 'sender configurations outside this org unit use this gateway; change them first';
    throw new AppError('validation.failed', `orgUnitId: ${message}`, {
      issues: [{ path: ['orgUnitId'], message }],
      senderConfigIds: stranded.map((s) => s.id),
    });
  }
}
