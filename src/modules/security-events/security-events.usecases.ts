import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { insertSecurityEvent, listSecurityEvents } from './security-events.repository.js';

export const SECURITY_EVENT_TYPES = [
  'setup_completed',
  'login',
  'login_failed',
  'logout',
  'api_key_created',
  'api_key_revoked',
  'api_key_rejected',
  'permission_denied',
  'user_created',
  'user_updated',
  'org_unit_keywords_updated',
  'inbound_simulated',
  'gateway_created',
  'gateway_updated',
  'gateway_test_send',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export interface SecurityEventInput {
  type: SecurityEventType;
  actor: { type: 'user' | 'api_key' | 'anonymous' | 'system'; id?: string | null };
  target?: string | null;
  ip?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

export async function recordSecurityEvent({
  db,
  clock,
  event,
}: {
  db: Kysely<Database>;
  clock: Clock;
  event: SecurityEventInput;
}): Promise<void> {
  await insertSecurityEvent(db, {
    id: newId(),
    occurred_at: clock.now().toISOString(),
    type: event.type,
    actor_type: event.actor.type,
    actor_id: event.actor.id ?? null,
    target: event.target ?? null,
    ip: event.ip ?? null,
    request_id: event.requestId ?? null,
    details: JSON.stringify(event.details ?? {}),
  });
}

export interface SecurityEventView {
  id: string;
  occurredAt: string;
  type: string;
  actor: { type: string; id: string | null };
  target: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export async function browseSecurityEvents({
  db,
  query,
}: {
  db: Kysely<Database>;
  query: { type?: string; limit: number; cursor?: string };
}): Promise<{ items: SecurityEventView[]; nextCursor: string | null }> {
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const before = c ? { occurredAt: c[0]!, id: c[1]! } : undefined;
  const rows = await listSecurityEvents(db, { type: query.type, limit: query.limit + 1, before });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at,
      type: r.type,
      actor: { type: r.actor_type, id: r.actor_id },
      target: r.target,
      ip: r.ip,
      requestId: r.request_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.occurred_at, last.id]) : null,
  };
}
