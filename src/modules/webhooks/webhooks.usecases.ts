import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { generateSigningSecret, type SecretBox } from '../../core/secrets.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import { claimAndAttempt, type DeliverDeps } from './webhooks.deliver.js';
import { testPayload } from './webhooks.payloads.js';
import {
  type AttemptRow,
  attemptsOf,
  type DeliveryRow,
  deleteEndpoint,
  type EndpointRow,
  findDelivery,
  findEndpoint,
  insertDeliveries,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
  requeueDelivery,
  updateEndpoint,
} from './webhooks.repository.js';
import type { CreateWebhook, Delivery, UpdateWebhook, Webhook } from './webhooks.schemas.js';
import { checkWebhookUrl, type UrlPolicy } from './webhooks.ssrf.js';
import { type DeliveryState, WEBHOOK_TEST_EVENT, type WebhookEventType } from './webhooks.table.js';

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

/** After a rotation, deliveries are signed with the old secret too for this long (receivers catch up). */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;

export const toWebhook = (r: EndpointRow): Webhook => ({
  id: r.id,
  orgUnitId: r.org_unit_id,
  url: r.url,
  description: r.description,
  eventTypes: JSON.parse(r.event_types) as WebhookEventType[],
  enabled: Boolean(r.enabled),
  disabledReason: r.disabled_reason,
  disabledAt: r.disabled_at,
  secretRotatedAt: r.secret_rotated_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDelivery = (d: DeliveryRow, attempts: readonly AttemptRow[]): Delivery => ({
  id: d.id,
  webhookId: d.endpoint_id,
  eventType: d.event_type,
  eventKey: d.event_key,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.state === 'pending' ? d.next_attempt_at : null,
  lastAttemptAt: d.last_attempt_at,
  lastResponseStatus: d.last_response_status,
  lastError: d.last_error,
  lastDurationMs: d.last_duration_ms,
  createdAt: d.created_at,
  finishedAt: d.finished_at,
  payload: JSON.parse(d.payload) as unknown,
  attemptLog: attempts.map((a) => ({
    attemptedAt: a.attempted_at,
    responseStatus: a.response_status,
    durationMs: a.duration_ms,
    error: a.error,
    outcome: a.outcome,
  })),
});

const notFound = (id: string) => new AppError('webhook.not_found', 'No such webhook.', { id });

async function mustFind(db: Kysely<Database>, principal: Principal, id: string): Promise<EndpointRow> {
  const row = await findEndpoint(db, principal.orgScope, id);
  if (!row) throw notFound(id);
  return row;
}

export async function browseWebhooks({
  db,
  principal,
  query,
}: Deps & { query: { orgUnitId?: string; limit: number; cursor?: string } }): Promise<{
  items: Webhook[];
  nextCursor: string | null;
}> {
  requirePermission(principal, 'webhooks.manage');
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const rows = await listEndpoints(db, principal.orgScope, {
    orgUnitId: query.orgUnitId,
    limit: query.limit + 1,
    after: c ? { createdAt: c[0]!, id: c[1]! } : undefined,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toWebhook),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

export async function getWebhook({ db, principal, id }: Deps & { id: string }): Promise<Webhook> {
  requirePermission(principal, 'webhooks.manage');
  return toWebhook(await mustFind(db, principal, id));
}

/**
 * Creates an endpoint with a new signing secret, returned only in this answer. The URL is checked
 * against the SSRF rules (its host resolved) before anything is stored.
 */
export async function createWebhook({
  db,
  clock,
  principal,
  policy,
  box,
  input,
}: Deps & { clock: Clock; policy: UrlPolicy; box: SecretBox; input: CreateWebhook }): Promise<
  Webhook & { secret: string }
> {
  requirePermission(principal, 'webhooks.manage');
  if (!(await findOrgUnit(db, principal.orgScope, input.orgUnitId))) {
    throw new AppError('org_unit.not_found', 'No such org unit.', { id: input.orgUnitId });
  }
  const { url } = await checkWebhookUrl(input.url, policy);
  const id = newId();
  const secret = generateSigningSecret();
  const now = clock.now().toISOString();
  const enabled = input.enabled ?? true;
  const row = {
    id,
    org_unit_id: input.orgUnitId,
    url: url.href,
    description: input.description || null,
    event_types: JSON.stringify(input.eventTypes),
    enabled,
    enabled_at: enabled ? now : null,
    disabled_reason: enabled ? null : 'Created disabled.',
    disabled_at: enabled ? null : now,
    secret_enc: box.seal(secret, id),
    previous_secret_enc: null,
    previous_secret_until: null,
    secret_rotated_at: null,
    created_by: principal.userId,
    created_at: now,
    updated_at: now,
  };
  await insertEndpoint(db, row);
  return { ...toWebhook(row), secret };
}

export async function changeWebhook({
  db,
  clock,
  principal,
  policy,
  id,
  patch,
}: Deps & { clock: Clock; policy: UrlPolicy; id: string; patch: UpdateWebhook }): Promise<Webhook> {
  requirePermission(principal, 'webhooks.manage');
  const current = await mustFind(db, principal, id);
  const url = patch.url !== undefined ? (await checkWebhookUrl(patch.url, policy)).url.href : current.url;
  const now = clock.now().toISOString();
  const wasEnabled = Boolean(current.enabled);
  const enabled = patch.enabled ?? wasEnabled;
  const updated: EndpointRow = {
    ...current,
    url,
    event_types: patch.eventTypes ? JSON.stringify(patch.eventTypes) : current.event_types,
    description: patch.description === undefined ? current.description : patch.description || null,
    enabled,
    enabled_at: enabled ? (wasEnabled ? current.enabled_at : now) : null,
    disabled_reason: enabled ? null : wasEnabled ? 'Disabled through the API.' : current.disabled_reason,
    disabled_at: enabled ? null : wasEnabled ? now : current.disabled_at,
    updated_at: now,
  };
  await updateEndpoint(db, id, {
    url: updated.url,
    event_types: updated.event_types,
    description: updated.description,
    enabled,
    enabled_at: updated.enabled_at,
    disabled_reason: updated.disabled_reason,
    disabled_at: updated.disabled_at,
    updated_at: now,
  });
  return toWebhook(updated);
}

export async function removeWebhook({ db, principal, id }: Deps & { id: string }): Promise<void> {
  requirePermission(principal, 'webhooks.manage');
  await db.transaction().execute(async (trx) => {
    if (!(await findEndpoint(trx, principal.orgScope, id))) throw notFound(id);
    await deleteEndpoint(trx, id);
  });
}

/**
 * Replaces the signing secret; the new one is returned only now. For `PREVIOUS_SECRET_GRACE_MS` every
 * delivery carries a signature with each secret, so the receiver can switch without losing events.
 */
export async function rotateWebhookSecret({
  db,
  clock,
  principal,
  box,
  id,
}: Deps & { clock: Clock; box: SecretBox; id: string }): Promise<Webhook & { secret: string }> {
  requirePermission(principal, 'webhooks.manage');
  const current = await mustFind(db, principal, id);
  const secret = generateSigningSecret();
  const now = clock.now();
  const iso = now.toISOString();
  const patch = {
    secret_enc: box.seal(secret, id),
    previous_secret_enc: current.secret_enc,
    previous_secret_until: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString(),
    secret_rotated_at: iso,
    updated_at: iso,
  };
  await updateEndpoint(db, id, patch);
  return { ...toWebhook({ ...current, ...patch }), secret };
}

async function deliveryWithAttempts(db: Kysely<Database>, endpointId: string, id: string): Promise<Delivery> {
  const d = await findDelivery(db, endpointId, id);
  if (!d) throw new AppError('webhook.delivery_not_found', 'No such delivery.', { id });
  return toDelivery(d, await attemptsOf(db, [d.id]));
}

/**
 * Sends a `webhook.test` event now, whether the endpoint is enabled or not, and returns the delivery
 * with its one attempt (test events are not retried).
 */
export async function sendTestEvent({
  principal,
  deliver,
  id,
}: {
  principal: Principal;
  deliver: DeliverDeps;
  id: string;
}): Promise<Delivery> {
  requirePermission(principal, 'webhooks.manage');
  const { db, clock } = deliver;
  const endpoint = await mustFind(db, principal, id);
  const now = clock.now().toISOString();
  const row: DeliveryRow = {
    id: newId(),
    endpoint_id: id,
    event_type: WEBHOOK_TEST_EVENT,
    event_key: `test:${newId()}`,
    payload: JSON.stringify(testPayload(id, now)),
    state: 'pending',
    attempts: 0,
    next_attempt_at: now,
    last_attempt_at: null,
    last_response_status: null,
    last_error: null,
    last_duration_ms: null,
    created_at: now,
    finished_at: null,
  };
  await insertDeliveries(db, [row]);
  await claimAndAttempt(deliver, row, endpoint);
  return deliveryWithAttempts(db, id, row.id);
}

export async function browseDeliveries({
  db,
  principal,
  id,
  query,
}: Deps & { id: string; query: { state?: DeliveryState; limit: number; cursor?: string } }): Promise<{
  items: Delivery[];
  nextCursor: string | null;
}> {
  requirePermission(principal, 'webhooks.manage');
  await mustFind(db, principal, id);
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const rows = await listDeliveries(db, id, {
    state: query.state,
    limit: query.limit + 1,
    before: c ? { createdAt: c[0]!, id: c[1]! } : undefined,
  });
  const page = rows.slice(0, query.limit);
  const attempts = await attemptsOf(
    db,
    page.map((d) => d.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((d) =>
      toDelivery(
        d,
        attempts.filter((a) => a.delivery_id === d.id),
      ),
    ),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

/**
 * Puts a finished delivery (failed, given up, or delivered) back in the queue with a fresh attempt
 * budget; its attempt log is kept. A pending delivery is returned as it is.
 */
export async function redeliver({
  db,
  clock,
  principal,
  id,
  deliveryId,
}: Deps & { clock: Clock; id: string; deliveryId: string }): Promise<Delivery> {
  requirePermission(principal, 'webhooks.manage');
  await mustFind(db, principal, id);
  const now = clock.now().toISOString();
  await requeueDelivery(db, id, deliveryId, now);
  return deliveryWithAttempts(db, id, deliveryId);
}
