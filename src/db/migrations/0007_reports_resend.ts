import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Delivery reports, resend and live status:
 * - `early_reports`: reports that arrived before the worker stored their message's gateway id, kept until
 *   the id is known (then applied and deleted) or for 48 hours;
 * - `message_part_reports`: the last status of each part of a multi-part message, aggregated into the
 *   message's status;
 * - `batch_completions`: the durable record of `batch.completed` (a time-ordered event id), so the live
 *   stream can replay it on resume like the status changes in `message_events`;
 * - one resend per message: a unique index on `messages.resent_of` (NULLs are distinct on both dialects).
 */
export const reportsResend: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('early_reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
      /** Normalised (normalizeGatewayId): what the worker's stored id is compared with. */
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      /** 1-based part number, 0 for a report about the whole message. */
      .addColumn('part', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('reported_at', t.timestamp)
      .addColumn('received_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('early_reports_key_uq')
      .unique()
      .on('early_reports')
      .columns(['provider_account_id', 'gateway_id', 'part', 'status'])
      .execute();
    await db.schema
      .createIndex('early_reports_received_idx')
      .on('early_reports')
      .columns(['received_at'])
      .execute();

    await db.schema
      .createTable('message_part_reports')
      .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
      .addColumn('part', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('reported_at', t.timestamp)
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('message_part_reports_pk', ['message_id', 'part'])
      .execute();

    await db.schema
      .createTable('batch_completions')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('batch_id', 'text', (c) => c.notNull().unique().references('batches.id'))
      .addColumn('org_unit_id', 'text', (c) => c.notNull())
      .addColumn('completed_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createIndex('messages_resent_of_uq')
      .unique()
      .on('messages')
      .columns(['resent_of'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('messages_resent_of_uq').execute();
    await db.schema.dropTable('batch_completions').execute();
    await db.schema.dropTable('message_part_reports').execute();
    await db.schema.dropTable('early_reports').execute();
  },
});
