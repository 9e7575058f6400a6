import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Joining the parts of long inbound messages that a gateway delivers one by one (Vonage).
 *
 * `inbound_parts` holds each part until all parts of its message are there; the joined message is
 * then stored in `inbound_messages`. The primary key (account, sender, concatenation reference, part)
 * stores a replayed part once. Parts of a joined message stay (with `inbound_id` set) for a while so a
 * part replayed after the join is still recognised; the inbound module deletes them later.
 *
 * `inbound_messages.parts_total` / `parts_received`: for a message joined from parts, how many parts it
 * had and how many arrived (fewer when the set was flushed incomplete after the waiting window); null
 * for a message that arrived whole.
 */
export const inboundParts: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('inbound_parts')
      .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
      /** The sender's address in compared form (`addressKey`). */
      .addColumn('sender', 'text', (c) => c.notNull())
      /** The gateway's concatenation reference, shared by the parts of one message. */
      .addColumn('concat_ref', 'text', (c) => c.notNull())
      /** 1-based position of this part. */
      .addColumn('part', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('from_input', 'text', (c) => c.notNull())
      .addColumn('to_address', 'text', (c) => c.notNull())
      /** The gateway's id of this part, normalised; null when it gave none. */
      .addColumn('gateway_message_id', 'text')
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('received_at', t.timestamp, (c) => c.notNull())
      /** When Herald stored the part: the waiting window counts from the oldest part of a set. */
      .addColumn('stored_at', t.timestamp, (c) => c.notNull())
      /** The inbound message this part went into; null while the set is waiting. */
      .addColumn('inbound_id', 'text')
      .addPrimaryKeyConstraint('inbound_parts_pk', ['provider_account_id', 'sender', 'concat_ref', 'part'])
      .execute();
    await db.schema
      .createIndex('inbound_parts_stored_idx')
      .on('inbound_parts')
      .columns(['stored_at'])
      .execute();
    await db.schema.alterTable('inbound_messages').addColumn('parts_total', 'integer').execute();
    await db.schema.alterTable('inbound_messages').addColumn('parts_received', 'integer').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('inbound_messages').dropColumn('parts_received').execute();
    await db.schema.alterTable('inbound_messages').dropColumn('parts_total').execute();
    await db.schema.dropTable('inbound_parts').execute();
  },
});
