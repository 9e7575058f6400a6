import type { Insertable, Kysely } from 'kysely';
import { newId } from '../../src/core/ids.js';
import type { Database } from '../../src/db/database.js';
import type { BatchTable } from '../../src/modules/batches/batches.table.js';
import type { MessageEventTable, MessageTable } from '../../src/modules/messages/messages.table.js';

/**
 * Rows written straight into the tables, so reading tests do not depend on the send path. Every field
 * has a plausible default; pass what the test is about.
 */
export function messageFactory(db: Kysely<Database>, defaults: { orgUnitId: string; now: string }) {
  let seq = 0;

  const insertMessage = async (over: Partial<Insertable<MessageTable>> = {}) => {
    seq++;
    const body = over.body ?? `Hello number ${seq}`;
    const number = `+49151${String(seq).padStart(8, '0')}`;
    const row: Insertable<MessageTable> = {
      id: newId(),
      org_unit_id: defaults.orgUnitId,
      batch_id: null,
      contact_id: null,
      phone_id: null,
      to_input: over.to_input ?? over.to_e164 ?? number,
      to_e164: 'to_e164' in over ? over.to_e164 : number,
      body,
      encoding: 'gsm7',
      parts: 1,
      characters: body.length,
      category: 'transactional',
      status: 'delivered',
      status_reason: null,
      sender_config_id: null,
      provider_account_id: null,
      sender_id: null,
      gateway_message_id: null,
      attempts: 0,
      scheduled_at: null,
      due_at: null,
      expires_at: new Date(Date.parse(defaults.now) + 48 * 3_600_000).toISOString(),
      created_by_type: 'user',
      created_by_id: 'test',
      created_at: defaults.now,
      updated_at: defaults.now,
      ...over,
    };
    await db.insertInto('messages').values(row).execute();
    return row;
  };

  const insertBatch = async (over: Partial<Insertable<BatchTable>> = {}) => {
    const row: Insertable<BatchTable> = {
      id: newId(),
      org_unit_id: defaults.orgUnitId,
      sender_type: 'user',
      sender_ref: 'test',
      sender_name: 'Ada Admin',
      message: 'Your order has shipped',
      template_id: null,
      category: 'transactional',
      request: '{}',
      requested_count: 0,
      blocked_count: 0,
      scheduled_at: null,
      created_at: defaults.now,
      canceled_at: null,
      ...over,
    };
    await db.insertInto('batches').values(row).execute();
    return row;
  };

  const insertEvent = async (messageId: string, over: Partial<Insertable<MessageEventTable>> = {}) => {
    const row: Insertable<MessageEventTable> = {
      id: newId(),
      message_id: messageId,
      occurred_at: defaults.now,
      from_status: null,
      to_status: 'queued',
      applied: true,
      reason: null,
      source: 'worker',
      details: '{}',
      ...over,
    };
    await db.insertInto('message_events').values(row).execute();
    return row;
  };

  return { insertMessage, insertBatch, insertEvent };
}

/** Creates an org unit row directly (a sibling or child of the admin's), for scoping tests. */
export async function insertOrgUnit(
  db: Kysely<Database>,
  over: { name: string; parentId?: string | null; region?: string; now: string },
) {
  const id = newId();
  await db
    .insertInto('org_units')
    .values({
      id,
      parent_id: over.parentId ?? null,
      name: over.name,
      default_region: over.region ?? 'DE',
      timezone: 'Europe/Berlin',
      sending_enabled: true,
      sender_config_id: null,
      created_at: over.now,
      updated_at: over.now,
    })
    .execute();
  return id;
}
