import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { requireOrgUnits, requirePermission } from '../auth/auth.guard.js';
import type { Permission, Principal } from '../auth/auth.permissions.js';
import { principalOfApiKey } from '../auth/auth.principal.js';
import {
  cachedPrincipal,
  invalidatePrincipals,
  rememberPrincipal,
  touchPrincipal,
} from '../auth/auth.principal-cache.js';
import { sha256 } from '../auth/auth.usecases.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import { findUserById } from '../users/users.repository.js';
import type { ApiKey, CreateApiKey } from './api-keys.schemas.js';
import type { ApiKeyTable } from './api-keys.table.js';

/** Keys look like `hk_<43 base64url chars>`: 256 random bits. */
export const API_KEY_PATTERN = /^hk_[A-Za-z0-9_-]{43}$/;

const toApiKey = (r: ApiKeyTable): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  permissions: JSON.parse(r.permissions) as Permission[],
  orgUnitIds: JSON.parse(r.org_unit_ids) as string[],
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/** Creates a key no stronger than its creator; returns the secret once. Only a user can create keys. */
export async function createApiKey({
  db,
  clock,
  principal,
  input,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  input: CreateApiKey;
}): Promise<ApiKey & { key: string }> {
  requirePermission(principal, 'api_keys.manage');
  if (principal.kind !== 'user') {
    throw new AppError('auth.forbidden', 'API keys can only be created by a logged-in user.', {
      permission: 'api_keys.manage',
    });
  }
  const extra = input.permissions.filter((p) => !principal.permissions.has(p));
  if (extra.length > 0) {
    throw new AppError('api_key.exceeds_creator', 'A key cannot have permissions you do not have.', {
      permissions: extra,
    });
  }
  const orgUnitIds = [...new Set(input.orgUnitIds)].sort();
  requireOrgUnits(principal, orgUnitIds);
  for (const id of orgUnitIds) {
    if (!(await findOrgUnit(db, principal.orgScope, id))) {
      throw new AppError('org_unit.not_found', 'No such org unit.', { id });
    }
  }
  if (input.expiresAt && new Date(input.expiresAt) <= clock.now()) {
    throw new AppError('validation.failed', 'The expiry must be in the future.', {
      issues: [{ path: ['expiresAt'], message: 'must be in the future' }],
    });
  }
  const key = `hk_${randomBytes(32).toString('base64url')}`;
  const row: ApiKeyTable = {
    id: newId(),
    name: input.name,
    prefix: key.slice(0, 11),
    secret_hash: sha256(key),
    permissions: JSON.stringify([...new Set(input.permissions)]),
    org_unit_ids: JSON.stringify(orgUnitIds),
    created_by: principal.userId,
    created_at: clock.now().toISOString(),
    expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    revoked_at: null,
    last_used_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { ...toApiKey(row), key };
}

/** System managers see every key; others the keys they created. */
export async function browseApiKeys({ db, principal }: { db: Kysely<Database>; principal: Principal }) {
  requirePermission(principal, 'api_keys.manage');
  let qb = db.selectFrom('api_keys').selectAll();
  if (!principal.orgScope.all) qb = qb.where('created_by', '=', principal.userId);
  return (await qb.orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toApiKey);
}

export async function revokeApiKey({
  db,
  clock,
  principal,
  id,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  id: string;
}): Promise<ApiKey> {
  requirePermission(principal, 'api_keys.manage');
  let qb = db.selectFrom('api_keys').selectAll().where('id', '=', id);
  if (!principal.orgScope.all) qb = qb.where('created_by', '=', principal.userId);
  const row = await qb.executeTakeFirst();
  if (!row) throw new AppError('api_key.not_found', 'No such API key.', { id });
  if (row.revoked_at) return toApiKey(row);
  const revokedAt = clock.now().toISOString();
  await db.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', id).execute();
  // At once in this process; other processes drop their cached principal within PRINCIPAL_CACHE_MS.
  invalidatePrincipals(db);
  return toApiKey({ ...row, revoked_at: revokedAt });
}

/** `last_used_at` is written at most this often per key. */
const LAST_USED_EVERY_MS = 60_000;

/**
 * The principal of an API key presented in a header; throws a precise auth error otherwise.
 * A principal resolved here is reused for up to `PRINCIPAL_CACHE_MS` (see auth.principal-cache.ts):
 * every API request runs this, and reading the key, its creator and the org-unit tree each time cost
 * more than the send itself.
 */
export async function principalOfKey({
  db,
  clock,
  key,
}: {
  db: Kysely<Database>;
  clock: Clock;
  key: string;
}): Promise<Principal> {
  if (!API_KEY_PATTERN.test(key)) throw new AppError('auth.key_invalid', 'The API key is not valid.');
  const secretHash = sha256(key);
  const hit = cachedPrincipal(db, clock, secretHash);
  if (hit) {
    const nowMs = clock.now().getTime();
    if (nowMs - hit.lastUsedMs > LAST_USED_EVERY_MS) {
      touchPrincipal(db, secretHash, nowMs);
      await db
        .updateTable('api_keys')
        .set({ last_used_at: new Date(nowMs).toISOString() })
        .where('id', '=', hit.principal.id)
        .execute();
    }
    return hit.principal;
  }
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst();
  if (!row) throw new AppError('auth.key_invalid', 'The API key is not valid.');
  const now = clock.now();
  if (row.revoked_at)
    throw new AppError('auth.key_revoked', 'The API key has been revoked.', { keyId: row.id });
  if (row.expires_at && row.expires_at <= now.toISOString()) {
    throw new AppError('auth.key_expired', 'The API key has expired.', { keyId: row.id });
  }
  const creator = await findUserById(db, row.created_by);
  if (!creator?.active) {
    throw new AppError('auth.key_revoked', 'The API key belongs to a deactivated user.', { keyId: row.id });
  }
  let lastUsedMs = row.last_used_at ? new Date(row.last_used_at).getTime() : Number.NEGATIVE_INFINITY;
  if (now.getTime() - lastUsedMs > LAST_USED_EVERY_MS) {
    await db
      .updateTable('api_keys')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    lastUsedMs = now.getTime();
  }
  const principal = await principalOfApiKey(db, toApiKey(row), creator);
  rememberPrincipal(db, clock, secretHash, { principal, keyExpiresAt: row.expires_at, lastUsedMs });
  return principal;
}
