import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';

/** How long a key remembers its first response. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** An `in_progress` key older than this belongs to a request that died (crash, restart): it may be taken over. */
export const ABANDONED_AFTER_MS = 5 * 60_000;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** A stable hash of a JSON body: object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function requestHash(endpoint: string, body: unknown): string {
  return createHash('sha256')
    .update(`${endpoint}\n${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * Runs `work` at most once per (scope, key) within 24 h:
 * - same key and same request again → the first response, with `replayed: true`;
 * - same key, different request (body or endpoint) → 422 `idempotency.key_reused`;
 * - same key while the first request still runs → 409 `idempotency.in_progress`.
 * A request that fails with a client error releases its key (nothing was written, so a corrected
 * retry may reuse it). Scope is the caller (`user:<id>` or `api_key:<id>`): keys never cross callers.
 */
export async function withIdempotency({
  db,
  clock,
  scope,
  key,
  endpoint,
  hash,
  work,
}: {
  db: Kysely<Database>;
  clock: Clock;
  scope: string;
  key: string | undefined;
  endpoint: string;
  hash: string;
  work: () => Promise<StoredResponse>;
}): Promise<StoredResponse & { replayed: boolean }> {
  if (key === undefined) return { ...(await work()), replayed: false };
  if (!KEY_PATTERN.test(key)) {
    throw new AppError(
      'idempotency.invalid_key',
      'The Idempotency-Key must be 1–255 visible ASCII characters.',
    );
  }
  const claimed = await claim(db, clock, { scope, key, endpoint, hash });
  if (claimed !== 'claimed') return { ...claimed, replayed: true };
  try {
    const response = await work();
    await db
      .updateTable('idempotency_keys')
      .set({ state: 'done', response_status: response.status, response_body: JSON.stringify(response.body) })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
    return { ...response, replayed: false };
  } catch (e) {
    await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute();
    throw e;
  }
}

async function claim(
  db: Kysely<Database>,
  clock: Clock,
  k: { scope: string; key: string; endpoint: string; hash: string },
): Promise<'claimed' | StoredResponse> {
  const now = clock.now();
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({
        scope: k.scope,
        key: k.key,
        endpoint: k.endpoint,
        request_hash: k.hash,
        state: 'in_progress',
        response_status: null,
        response_body: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
      })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return 'claimed';

    const existing = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', k.scope)
      .where('key', '=', k.key)
      .executeTakeFirst();
    if (!existing) continue; // released meanwhile: try again
    const abandoned =
      existing.state === 'in_progress' &&
      now.getTime() - new Date(existing.created_at).getTime() > ABANDONED_AFTER_MS;
    if (existing.expires_at <= now.toISOString() || abandoned) {
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', k.scope)
        .where('key', '=', k.key)
        .where('created_at', '=', existing.created_at)
        .execute();
      continue;
    }
    if (existing.request_hash !== k.hash || existing.endpoint !== k.endpoint) {
      throw new AppError(
        'idempotency.key_reused',
        'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
      );
    }
    if (existing.state === 'in_progress') {
      throw new AppError(
        'idempotency.in_progress',
        'A request with this Idempotency-Key is still being processed. Retry in a moment.',
      );
    }
    return { status: existing.response_status ?? 200, body: JSON.parse(existing.response_body ?? 'null') };
  }
  throw new AppError('idempotency.in_progress', 'The Idempotency-Key is contended. Retry in a moment.');
}
