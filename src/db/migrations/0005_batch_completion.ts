import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/** When every message of a batch reached a final status: set once, so `batch.completed` fires once. */
export const batchCompletion: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('batches').addColumn('completed_at', t.timestamp).execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('batches').dropColumn('completed_at').execute();
  },
});
