import type { Insertable } from 'kysely';
import type { MessageTable } from '../../src/modules/messages/messages.table.js';
import { messageFactory } from './message-factory.js';
import type { TestApp } from './test-app.js';

/**
 * A message as the worker leaves it after a submit to `accountId` (one attempt, gateway id stored
 * when given), ready for delivery reports. Shared by the delivery-report and gateway-callback tests.
 */
export async function insertSubmittedMessage(
  t: TestApp,
  spec: { orgUnitId: string; accountId: string; gatewayId: string | null } & Partial<
    Pick<Insertable<MessageTable>, 'batch_id' | 'status' | 'parts'>
  >,
): Promise<string> {
  const now = t.clock.now().toISOString();
  const row = await messageFactory(t.db.kysely, { orgUnitId: spec.orgUnitId, now }).insertMessage({
    batch_id: spec.batch_id ?? null,
    to_input: '+4915123456789',
    to_e164: '+4915123456789',
    body: 'Your parcel is here',
    parts: spec.parts ?? 1,
    characters: 19,
    status: spec.status ?? 'accepted',
    provider_account_id: spec.accountId,
    sender_id: 'Herald',
    gateway_message_id: spec.gatewayId,
    attempts: 1,
    expires_at: '2026-11-24T09:00:00.000Z',
    submitted_at: now,
  });
  return row.id;
}
