import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { ShiftLanguage } from '../../core/encoding/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import type { Provider, ProviderDeps, ProviderKind } from '../../providers/provider.contract.js';
import { createProvider, isProviderKind, providerFactory } from '../../providers/provider.registry.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import {
  findProviderAccount,
  insertProviderAccount,
  listProviderAccounts,
  type ProviderAccountRow,
  providerAccountNameTaken,
  updateProviderAccount,
} from './gateways.repository.js';
import type { CreateGateway, Gateway, UpdateGateway } from './gateways.schemas.js';

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

/** The URL a gateway posts delivery reports to. The token in it is the only credential: keep it secret. */
export const callbackUrlFor = (baseUrl: string, callbackToken: string) =>
  `${baseUrl.replace(/\/+$/, '')}/api/callbacks/${callbackToken}`;

export const newCallbackToken = () => randomBytes(32).toString('base64url');

/** Gateway accounts and sender configurations are read by those who manage or send with them. */
export function requireGatewayReader(principal: Principal): void {
  if (!principal.permissions.has('messages.send')) requirePermission(principal, 'gateways.manage');
}

/**
 * Changing gateways affects every org unit, so it takes `gateways.manage` and a principal that sees
 * every unit (a system manager); managers of some units may read them.
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

function kindOf(row: ProviderAccountRow): ProviderKind {
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

function publicSettings(kind: ProviderKind, settings: Record<string, unknown>): Record<string, unknown> {
  const secret = new Set(providerFactory(kind).secretSettings);
  return Object.fromEntries(Object.entries(settings).filter(([k]) => !secret.has(k)));
}

export function toGateway(r: ProviderAccountRow, view: { principal: Principal; baseUrl: string }): Gateway {
  const kind = kindOf(r);
  const manager = view.principal.permissions.has('gateways.manage');
  return {
    id: r.id,
    name: r.name,
    kind,
    ...(manager ? { settings: publicSettings(kind, JSON.parse(r.settings) as Record<string, unknown>) } : {}),
    messagesPerSecond: r.messages_per_second,
    maxParts: r.max_parts,
    pricePerPart: r.price_per_part,
    currency: r.currency,
    shiftTables: JSON.parse(r.shift_tables) as ShiftLanguage[],
    ...(manager && view.principal.orgScope.all
      ? { callbackUrl: callbackUrlFor(view.baseUrl, r.callback_token) }
      : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * An adapter instance for a stored account (the send path and the callback route use it). Close it
 * when done; instances hold pending work (the simulator's reports).
 */
export function openProvider(row: ProviderAccountRow, deps: Partial<ProviderDeps> = {}): Provider {
  return createProvider(
    kindOf(row),
    {
      id: row.id,
      settings: JSON.parse(row.settings) as unknown,
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

export async function browseGateways({ db, principal, baseUrl }: Deps & { baseUrl: string }) {
  requireGatewayReader(principal);
  return (await listProviderAccounts(db)).map((r) => toGateway(r, { principal, baseUrl }));
}

export async function getGateway({ db, principal, baseUrl, id }: Deps & { baseUrl: string; id: string }) {
  requireGatewayReader(principal);
  const row = await findProviderAccount(db, id);
  if (!row) throw notFound(id);
  return toGateway(row, { principal, baseUrl });
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

export async function createGateway({
  db,
  clock,
  principal,
  baseUrl,
  input,
}: Deps & { clock: Clock; baseUrl: string; input: CreateGateway }): Promise<Gateway> {
  requireGatewayAdmin(principal);
  const settings = validateGatewaySettings(input.kind, input.settings);
  const now = clock.now().toISOString();
  const row: ProviderAccountRow = {
    id: newId(),
    name: input.name,
    kind: input.kind,
    settings: JSON.stringify(settings),
    messages_per_second: input.messagesPerSecond,
    max_parts: input.maxParts,
    price_per_part: input.pricePerPart,
    currency: input.currency,
    shift_tables: JSON.stringify(input.shiftTables),
    callback_token: newCallbackToken(),
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

export async function changeGateway({
  db,
  clock,
  principal,
  baseUrl,
  id,
  patch,
}: Deps & { clock: Clock; baseUrl: string; id: string; patch: UpdateGateway }): Promise<Gateway> {
  requireGatewayAdmin(principal);
  const current = await findProviderAccount(db, id);
  if (!current) throw notFound(id);
  const kind = kindOf(current);
  const settings =
    patch.settings === undefined
      ? current.settings
      : JSON.stringify(
          validateGatewaySettings(kind, { ...(JSON.parse(current.settings) as object), ...patch.settings }),
        );
  const pricePerPart = patch.pricePerPart === undefined ? current.price_per_part : patch.pricePerPart;
  const currency = patch.currency === undefined ? current.currency : patch.currency;
  if (pricePerPart !== null && currency === null) {
    throw new AppError('validation.failed', 'currency: a price needs a currency', {
      issues: [{ path: ['currency'], message: 'a price needs a currency' }],
    });
  }
  const updated: ProviderAccountRow = {
    ...current,
    name: patch.name ?? current.name,
    settings,
    messages_per_second: patch.messagesPerSecond ?? current.messages_per_second,
    max_parts: patch.maxParts ?? current.max_parts,
    price_per_part: pricePerPart,
    currency,
    shift_tables: patch.shiftTables ? JSON.stringify(patch.shiftTables) : current.shift_tables,
    updated_at: clock.now().toISOString(),
  };
  await withNameGuard(db, updated.name, id, () =>
    db.transaction().execute(async (trx) => {
      if (patch.name !== undefined && (await providerAccountNameTaken(trx, patch.name, id))) {
        throw nameTaken(patch.name);
      }
      const { id: _id, callback_token: _token, created_at: _created, ...changes } = updated;
      await updateProviderAccount(trx, id, changes);
    }),
  );
  return toGateway(updated, { principal, baseUrl });
}
