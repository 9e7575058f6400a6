import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Inbound SMS (replies, STOP/START/HELP) and the per-org-unit keyword settings.
 *
 * `inbound_messages` is unique per (provider account, gateway message id): a gateway that posts the
 * same inbound message twice (a retried callback) stores it once. Messages without a gateway id cannot
 * be told apart and are stored each time (NULLs never collide in a unique index on either dialect).
 */
export const inbound: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('inbound_messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
      /** The gateway's id of the inbound message, normalised (`normalizeGatewayId`); null when it gave none. */
      .addColumn('gateway_message_id', 'text')
      /** The sender's number exactly as the gateway wrote it. */
      .addColumn('from_input', 'text', (c) => c.notNull())
      /** The sender's number in E.164 when it could be parsed; null otherwise. */
      .addColumn('from_e164', 'text')
      /** Our number, short code or sender id it was sent to, as the gateway wrote it. */
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      /** When the gateway received it (its own time when it says, else when we stored it). */
      .addColumn('received_at', t.timestamp, (c) => c.notNull())
      .addColumn('stored_at', t.timestamp, (c) => c.notNull())
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
      .addColumn('contact_id', 'text')
      /** The last message we sent to this number (through this account when there is one). */
      .addColumn('last_message_id', 'text')
      /** The keyword as the unit's list spells it (normalised), when the text is one. */
      .addColumn('keyword', 'text')
      /** opt_out | opt_in | opt_in_if_opted_out | help */
      .addColumn('keyword_action', 'text')
      /** What the keyword did: opted_out, already_opted_out, opted_in, already_opted_in, not_opted_out, help_sent, help_throttled, no_number */
      .addColumn('keyword_effect', 'text')
      .addColumn('consent_event_id', 'text')
      /** The reply (confirmation or help text) queued for this message. */
      .addColumn('reply_message_id', 'text')
      .execute();
    await db.schema
      .createIndex('inbound_messages_gateway_uq')
      .on('inbound_messages')
      .columns(['provider_account_id', 'gateway_message_id'])
      .unique()
      .execute();
    await db.schema
      .createIndex('inbound_messages_unit_idx')
      .on('inbound_messages')
      .columns(['org_unit_id', 'received_at', 'id'])
      .execute();
    await db.schema
      .createIndex('inbound_messages_received_idx')
      .on('inbound_messages')
      .columns(['received_at', 'id'])
      .execute();
    await db.schema
      .createIndex('inbound_messages_from_idx')
      .on('inbound_messages')
      .columns(['from_e164', 'received_at'])
      .execute();
    await db.schema
      .createIndex('inbound_messages_contact_idx')
      .on('inbound_messages')
      .columns(['contact_id', 'received_at'])
      .execute();

    await db.schema
      .createTable('org_unit_keywords')
      .addColumn('org_unit_id', 'text', (c) => c.primaryKey().references('org_units.id'))
      /** JSON: the unit's own keyword lists and reply texts; fields left out use the language defaults. */
      .addColumn('settings', t.json, (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('org_unit_keywords').execute();
    await db.schema.dropTable('inbound_messages').execute();
  },
});
