import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Per-part gateway ids and delivery-report receipts:
 * - `message_part_ids`: gateways that take each part of a message as a message of its own (SMPP
 *   `submit_sm` per part, Vonage's split) return an id per part and report each part under its own id;
 *   a report whose id is found here applies as that part's report. One row per account and normalised id
 *   (a gateway that reuses an id points it at the newest message);
 * - `report_receipts`: a digest of every delivery report applied or kept, per account, so a report that
 *   is posted again (the gateway's retry, or a replayed request) is processed once.
 */
export const partIds: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('message_part_ids')
      .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
      /** Normalised with normalizeGatewayId. */
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
      /** 1-based part number. */
      .addColumn('part', 'integer', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('message_part_ids_pk', ['provider_account_id', 'gateway_id'])
      .execute();
    await db.schema
      .createIndex('message_part_ids_message_idx')
      .on('message_part_ids')
      .columns(['message_id'])
      .execute();

    await db.schema
      .createTable('report_receipts')
      .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
      /** SHA-256 (hex) of the report's normalised fields. */
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('received_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('report_receipts_pk', ['provider_account_id', 'digest'])
      .execute();
    await db.schema
      .createIndex('report_receipts_received_idx')
      .on('report_receipts')
      .columns(['received_at'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('report_receipts').execute();
    await db.schema.dropTable('message_part_ids').execute();
  },
});
