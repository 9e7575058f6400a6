import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Indexes for the message list (measured in bench/messages-list.bench.ts on 1,000,000 messages):
 * - `(status, created_at DESC, id DESC)`: the status filter in the list's order without sorting every
 *   message of that status (one branch per status when several are asked for), and the status sort
 *   (status A–Z, newest first within a status), which 0002's `(status, created_at)` cannot serve in
 *   that mixed direction.
 * - `(batch_id, created_at, id)`: the messages of one batch in order (list filter, the SMS Log's
 *   requested numbers) without sorting a batch of up to `HERALD_MAX_BATCH_RECIPIENTS` messages;
 *   0002's `(batch_id, status)` stays for the per-status counts.
 */
export const messagesIndexes: HeraldMigration = () => ({
  async up(db: AnyDb) {
    await db.schema
      .createIndex('messages_status_created_id_idx')
      .on('messages')
      .columns(['status', 'created_at desc', 'id desc'])
      .execute();
    await db.schema
      .createIndex('messages_batch_created_idx')
      .on('messages')
      .columns(['batch_id', 'created_at', 'id'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('messages_batch_created_idx').execute();
    await db.schema.dropIndex('messages_status_created_id_idx').execute();
  },
});
