import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Status webhooks to the CRM: endpoints per org unit, one durable delivery row per endpoint × event,
 * the attempts of each delivery, and the outbox cursors the collector reads `message_events` and
 * completed batches with.
 */
export const webhooks: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('webhook_endpoints')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      /** JSON array of subscribed event types. */
      .addColumn('event_types', t.json, (c) => c.notNull())
      .addColumn('enabled', t.boolean, (c) => c.notNull())
      /** Since when it is enabled: it receives events that happened from then on. Null while disabled. */
      .addColumn('enabled_at', t.timestamp)
      .addColumn('disabled_reason', 'text')
      .addColumn('disabled_at', t.timestamp)
      /** The signing secret, encrypted (AES-256-GCM, `v1:` + base64). Never returned after creation. */
      .addColumn('secret_enc', 'text', (c) => c.notNull())
      /** The secret before the last rotation, still signed with until `previous_secret_until`. */
      .addColumn('previous_secret_enc', 'text')
      .addColumn('previous_secret_until', t.timestamp)
      .addColumn('secret_rotated_at', t.timestamp)
      .addColumn('created_by', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_endpoints_unit_idx')
      .on('webhook_endpoints')
      .columns(['org_unit_id', 'created_at', 'id'])
      .execute();

    await db.schema
      .createTable('webhook_deliveries')
      /** Also the `webhook-id` header: the same on every retry, so receivers can deduplicate. */
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('endpoint_id', 'text', (c) =>
        c.notNull().references('webhook_endpoints.id').onDelete('cascade'),
      )
      .addColumn('event_type', 'text', (c) => c.notNull())
      /** What the delivery is about (a `message_events` id, `batch:<id>`, `test:<id>`): unique per endpoint. */
      .addColumn('event_key', 'text', (c) => c.notNull())
      /** The exact JSON body sent on every attempt. */
      .addColumn('payload', t.json, (c) => c.notNull())
      /** pending | delivered | failed | gave_up */
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      /** Due time of the next attempt; while an attempt runs, the end of its lease. Null once finished. */
      .addColumn('next_attempt_at', t.timestamp)
      .addColumn('last_attempt_at', t.timestamp)
      .addColumn('last_response_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('last_duration_ms', 'integer')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('finished_at', t.timestamp)
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_event_uq')
      .on('webhook_deliveries')
      .columns(['endpoint_id', 'event_key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_due_idx')
      .on('webhook_deliveries')
      .columns(['state', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_endpoint_idx')
      .on('webhook_deliveries')
      .columns(['endpoint_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_finished_idx')
      .on('webhook_deliveries')
      .columns(['finished_at'])
      .execute();

    await db.schema
      .createTable('webhook_attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('delivery_id', 'text', (c) =>
        c.notNull().references('webhook_deliveries.id').onDelete('cascade'),
      )
      .addColumn('attempted_at', t.timestamp, (c) => c.notNull())
      .addColumn('response_status', 'integer')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      /** delivered | retry | failed | gone | gave_up */
      .addColumn('outcome', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_attempts_delivery_idx')
      .on('webhook_attempts')
      .columns(['delivery_id', 'attempted_at'])
      .execute();

    await db.schema
      .createTable('webhook_cursors')
      .addColumn('name', 'text', (c) => c.primaryKey())
      /** Keyset position: the time column of the source (empty when it orders by id alone) and the id. */
      .addColumn('after_at', 'text', (c) => c.notNull())
      .addColumn('after_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    // Completed batches are read in (completed_at, id) order.
    await db.schema
      .createIndex('batches_completed_idx')
      .on('batches')
      .columns(['completed_at', 'id'])
      .execute();

    // Start the cursors at "now": history from before webhooks existed is never sent.
    const now = new Date().toISOString();
    const lastEvent = await db
      .selectFrom('message_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    const lastBatch = await db
      .selectFrom('batches')
      .select(['completed_at', 'id'])
      .where('completed_at', 'is not', null)
      .orderBy('completed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
    await db
      .insertInto('webhook_cursors')
      .values([
        { name: 'message_events', after_at: '', after_id: lastEvent?.id ?? '', updated_at: now },
        {
          name: 'batches_completed',
          after_at: lastBatch ? iso(lastBatch.completed_at) : '',
          after_id: lastBatch?.id ?? '',
          updated_at: now,
        },
      ])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('batches_completed_idx').execute();
    for (const table of ['webhook_cursors', 'webhook_attempts', 'webhook_deliveries', 'webhook_endpoints']) {
      await db.schema.dropTable(table).execute();
    }
  },
});
