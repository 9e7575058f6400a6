import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Indexes for the dispatch sweeps at volume:
 * - `messages_expiry_idx (status, expires_at)`: the expiry sweep looks for queued and scheduled
 *   messages past their validity every poll; without it that read walked every queued message, so a
 *   backlog of 20,000 made each sweep (four times a second) cost more than sending;
 * - `messages_status_idx (status, created_at)` goes: `messages_status_created_id_idx (status,
 *   created_at desc, id desc)` serves the same reads (either direction), and every insert and status
 *   change paid for both.
 */
export const dispatchIndexes: HeraldMigration = () => ({
  async up(db: AnyDb) {
    await db.schema
      .createIndex('messages_expiry_idx')
      .on('messages')
      .columns(['status', 'expires_at'])
      .execute();
    await db.schema.dropIndex('messages_status_idx').execute();
  },
  async down(db: AnyDb) {
    await db.schema
      .createIndex('messages_status_idx')
      .on('messages')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema.dropIndex('messages_expiry_idx').execute();
  },
});
