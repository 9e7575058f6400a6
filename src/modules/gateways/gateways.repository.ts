import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import { type OwnerVisibility, visibleOwnerFilter } from './gateways.ownership.js';
import type { ProviderAccountTable, SenderConfigTable } from './gateways.table.js';

export type ProviderAccountRow = Selectable<ProviderAccountTable>;
export type SenderConfigRow = Selectable<SenderConfigTable>;

/** Every account, or those whose owner `visible` lets one see (shared ones and those of related units). */
export async function listProviderAccounts(
  db: Kysely<Database>,
  visible: OwnerVisibility = { all: true },
): Promise<ProviderAccountRow[]> {
  return db
    .selectFrom('provider_accounts')
    .selectAll()
    .where(visibleOwnerFilter(visible, 'provider_accounts.org_unit_id'))
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function findProviderAccount(
  db: Kysely<Database>,
  id: string,
): Promise<ProviderAccountRow | undefined> {
  return db.selectFrom('provider_accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Accounts found by callback token, kept for a second per database: every delivery report and inbound
 * message looks its account up, hundreds of times a second under load. A change through
 * {@link updateProviderAccount} in this process drops them at once; another process's change is seen
 * within the second. Tokens that match no account are not kept (a stranger's guesses cost no memory).
 */
const CALLBACK_ACCOUNT_TTL_MS = 1_000;
const CALLBACK_ACCOUNTS_MAX = 1_000;
/** Bumped by every account change in this process: a memory from before it is dropped. */
let accountsVersion = 0;
const callbackAccounts = new WeakMap<
  object,
  { version: number; rows: Map<string, { row: ProviderAccountRow; until: number }> }
>();

/**
 * Drops the kept accounts of this process. {@link updateProviderAccount} does it around its write; a
 * caller whose transaction commits later does it again after the commit (another connection may have
 * read the old row in between).
 */
export function forgetCallbackAccounts(): void {
  accountsVersion++;
}

export async function findProviderAccountByCallbackToken(
  db: Kysely<Database>,
  token: string,
): Promise<ProviderAccountRow | undefined> {
  let memory = callbackAccounts.get(db);
  if (memory?.version !== accountsVersion) {
    memory = { version: accountsVersion, rows: new Map() };
    callbackAccounts.set(db, memory);
  }
  const cache = memory.rows;
  const now = performance.now();
  const hit = cache.get(token);
  if (hit && hit.until > now) return hit.row;
  const version = accountsVersion;
  const row = await db
    .selectFrom('provider_accounts')
    .selectAll()
    .where('callback_token', '=', token)
    .executeTakeFirst();
  // Not kept when an account changed while the read ran (it may have read the old row).
  if (row && version === accountsVersion && !db.isTransaction) {
    if (cache.size >= CALLBACK_ACCOUNTS_MAX) cache.clear();
    cache.set(token, { row, until: now + CALLBACK_ACCOUNT_TTL_MS });
  }
  return row;
}

/** Gateway names are unique, ignoring case. */
export async function providerAccountNameTaken(
  db: Kysely<Database>,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let qb = db
    .selectFrom('provider_accounts')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) qb = qb.where('id', '!=', exceptId);
  return (await qb.executeTakeFirst()) !== undefined;
}

export async function insertProviderAccount(
  db: Kysely<Database>,
  row: Insertable<ProviderAccountTable>,
): Promise<void> {
  await db.insertInto('provider_accounts').values(row).execute();
}

export async function updateProviderAccount(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<ProviderAccountTable>,
): Promise<void> {
  accountsVersion++;
  await db.updateTable('provider_accounts').set(patch).where('id', '=', id).execute();
  // Again after the write: a lookup that read the old row meanwhile is not kept either.
  accountsVersion++;
}

export async function listSenderConfigs(
  db: Kysely<Database>,
  visible: OwnerVisibility = { all: true },
): Promise<SenderConfigRow[]> {
  return db
    .selectFrom('sender_configs')
    .selectAll()
    .where(visibleOwnerFilter(visible, 'sender_configs.org_unit_id'))
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** The sender configurations that send (or fall back) through this account, whoever owns them. */
export async function senderConfigsUsingAccount(
  db: Kysely<Database>,
  providerAccountId: string,
): Promise<SenderConfigRow[]> {
  return db
    .selectFrom('sender_configs')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('provider_account_id', '=', providerAccountId),
        eb('fallback_provider_account_id', '=', providerAccountId),
      ]),
    )
    .execute();
}

/** Every org unit (visible or not) that sends with this sender configuration. */
export async function orgUnitIdsUsingSenderConfig(
  db: Kysely<Database>,
  senderConfigId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('org_units')
    .select('id')
    .where('sender_config_id', '=', senderConfigId)
    .execute();
  return rows.map((r) => r.id);
}

export async function findSenderConfig(
  db: Kysely<Database>,
  id: string,
): Promise<SenderConfigRow | undefined> {
  return db.selectFrom('sender_configs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Sender configuration names are unique, ignoring case. */
export async function senderConfigNameTaken(
  db: Kysely<Database>,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let qb = db
    .selectFrom('sender_configs')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) qb = qb.where('id', '!=', exceptId);
  return (await qb.executeTakeFirst()) !== undefined;
}

export async function insertSenderConfig(
  db: Kysely<Database>,
  row: Insertable<SenderConfigTable>,
): Promise<void> {
  await db.insertInto('sender_configs').values(row).execute();
}

export async function updateSenderConfig(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<SenderConfigTable>,
): Promise<void> {
  await db.updateTable('sender_configs').set(patch).where('id', '=', id).execute();
}

/** Which visible org units send with each of these sender configurations. */
export async function orgUnitsBySenderConfig(
  db: Kysely<Database>,
  scope: OrgScope,
  senderConfigIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (senderConfigIds.length === 0) return out;
  const rows = await db
    .selectFrom('org_units')
    .select(['id', 'sender_config_id'])
    .where('sender_config_id', 'in', senderConfigIds)
    .where(inOrgScope(scope, 'org_units.id'))
    .orderBy('name')
    .execute();
  for (const r of rows) {
    if (r.sender_config_id === null) continue;
    const list = out.get(r.sender_config_id) ?? [];
    list.push(r.id);
    out.set(r.sender_config_id, list);
  }
  return out;
}

export async function setOrgUnitSenderConfig(
  db: Kysely<Database>,
  orgUnitId: string,
  senderConfigId: string | null,
  now: string,
): Promise<void> {
  await db
    .updateTable('org_units')
    .set({ sender_config_id: senderConfigId, updated_at: now })
    .where('id', '=', orgUnitId)
    .execute();
}

export interface OrgUnitSender {
  senderConfig: SenderConfigRow;
  providerAccount: ProviderAccountRow;
  /** The account to try when the primary one fails for good; null when none is configured. */
  fallbackProviderAccount: ProviderAccountRow | null;
}

/**
 * The sender configuration an org unit sends with, and its gateway account(s); `null` when the unit
 * has none (the send path blocks such messages as `sender_not_configured`). Only the unit's own
 * configuration counts: a unit does not inherit its parent's.
 */
export async function senderForOrgUnit(
  db: Kysely<Database>,
  orgUnitId: string,
): Promise<OrgUnitSender | null> {
  const unit = await db
    .selectFrom('org_units')
    .select('sender_config_id')
    .where('id', '=', orgUnitId)
    .executeTakeFirst();
  return unit?.sender_config_id ? senderOfConfig(db, unit.sender_config_id) : null;
}

/** The same, for a caller that already holds the unit's `sender_config_id` (spares re-reading the unit). */
export async function senderOfConfig(
  db: Kysely<Database>,
  senderConfigId: string,
): Promise<OrgUnitSender | null> {
  const senderConfig = await findSenderConfig(db, senderConfigId);
  if (!senderConfig) return null;
  const providerAccount = await findProviderAccount(db, senderConfig.provider_account_id);
  if (!providerAccount) return null;
  const fallbackProviderAccount = senderConfig.fallback_provider_account_id
    ? ((await findProviderAccount(db, senderConfig.fallback_provider_account_id)) ?? null)
    : null;
  return { senderConfig, providerAccount, fallbackProviderAccount };
}
