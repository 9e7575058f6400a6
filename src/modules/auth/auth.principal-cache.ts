import type { Clock } from '../../core/clock.js';
import type { Principal } from './auth.permissions.js';

/**
 * How long a resolved API-key principal is reused without reading the key, its creator and the
 * org-unit tree again. This is the bound for changes made by *another* process (a second API node, the
 * CLI, a direct database edit): a key revoked there, a creator deactivated there or an org unit moved
 * there stops counting for this process's cached principal within this time. Changes made through this
 * process's API take effect at once (the cache of that database is cleared; see
 * {@link invalidatePrincipals}).
 */
export const PRINCIPAL_CACHE_MS = 5_000;

/** Most cached keys per database (a flood of distinct valid keys cannot grow memory without bound). */
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** The key's own expiry (ISO) or null: checked on every hit, not only when the entry is read. */
  keyExpiresAt: string | null;
  cachedAtMs: number;
  /** When `last_used_at` was last written for this key (epoch ms). */
  lastUsedMs: number;
}

/** One cache per open database (the Kysely instance): tests and processes never share entries. */
const caches = new WeakMap<object, Map<string, Entry>>();

function cacheOf(db: object): Map<string, Entry> {
  let c = caches.get(db);
  if (!c) {
    c = new Map();
    caches.set(db, c);
  }
  return c;
}

export interface CachedPrincipal {
  principal: Principal;
  keyExpiresAt: string | null;
  lastUsedMs: number;
}

/**
 * The cached principal of a key (by the key's hash), or undefined when there is none, it is older than
 * {@link PRINCIPAL_CACHE_MS}, or the clock went backwards. An expired key is never returned.
 */
export function cachedPrincipal(db: object, clock: Clock, secretHash: string): CachedPrincipal | undefined {
  const cache = caches.get(db);
  const e = cache?.get(secretHash);
  if (!e) return undefined;
  const now = clock.now();
  const age = now.getTime() - e.cachedAtMs;
  if (age < 0 || age >= PRINCIPAL_CACHE_MS || (e.keyExpiresAt && e.keyExpiresAt <= now.toISOString())) {
    cache!.delete(secretHash);
    return undefined;
  }
  return e;
}

export function rememberPrincipal(db: object, clock: Clock, secretHash: string, v: CachedPrincipal): void {
  const cache = cacheOf(db);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(secretHash, { ...v, cachedAtMs: clock.now().getTime() });
}

/** Notes that `last_used_at` was written at `ms` for the cached key. */
export function touchPrincipal(db: object, secretHash: string, ms: number): void {
  const e = caches.get(db)?.get(secretHash);
  if (e) e.lastUsedMs = ms;
}

/**
 * Drops every cached principal of this database: called after anything that may change what a key may
 * do (a key revoked, a user or role changed, the org-unit tree changed).
 */
export function invalidatePrincipals(db: object): void {
  caches.get(db)?.clear();
}
