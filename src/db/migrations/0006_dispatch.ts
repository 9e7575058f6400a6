import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Dispatch (the worker): the submit marker and the throttle count on messages, and the shared
 * throughput buckets of the provider accounts.
 *
 * - `messages.submit_started_at`: written (committed) right before the worker calls the gateway. A
 *   message whose lease expired with this set may have reached the gateway: it becomes `unknown`,
 *   never sent again. Without it the worker never called the gateway: it goes back to `queued`.
 * - `messages.throttled_count`: attempts the gateway answered "throttled"; they do not spend the
 *   retry budget (`attempts - throttled_count` does).
 * - `rate_buckets`: one row per provider account: the time (epoch milliseconds, fractional) of its
 *   next free submit slot, which every worker reserves with one atomic UPDATE, and until when the
 *   gateway asked us to pause (it answered "throttled").
 */
export const dispatch: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('messages').addColumn('submit_started_at', t.timestamp).execute();
    await db.schema
      .alterTable('messages')
      .addColumn('throttled_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('rate_buckets')
      .addColumn('provider_account_id', 'text', (c) => c.primaryKey())
      .addColumn('next_at_ms', 'double precision', (c) => c.notNull())
      .addColumn('paused_until_ms', 'double precision', (c) => c.notNull().defaultTo(0))
      // After a pause one submit probes the gateway; the next slot comes this much later.
      .addColumn('probe_gap_ms', 'double precision', (c) => c.notNull().defaultTo(0))
      // The slot the last reservation got (read back by the reserving worker).
      .addColumn('last_slot_ms', 'double precision', (c) => c.notNull().defaultTo(0))
      .execute();
    // The lease sweep looks for `sending` rows whose lease ran out.
    await db.schema
      .createIndex('messages_lease_idx')
      .on('messages')
      .columns(['status', 'lease_until'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('messages_lease_idx').execute();
    await db.schema.dropTable('rate_buckets').execute();
    await db.schema.alterTable('messages').dropColumn('throttled_count').execute();
    await db.schema.alterTable('messages').dropColumn('submit_started_at').execute();
  },
});
