import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Gateway accounts and sender configurations get an owning org unit: `org_unit_id` null = shared
 * (set up by a system manager, usable by every unit); a unit id = owned by that unit, seen and used
 * in it and the units below it, and managed by the managers of that unit.
 */
export const gatewayOwners: HeraldMigration = () => ({
  async up(db: AnyDb) {
    for (const table of ['provider_accounts', 'sender_configs']) {
      await db.schema
        .alterTable(table)
        .addColumn('org_unit_id', 'text', (c) => c.references('org_units.id'))
        .execute();
      await db.schema.createIndex(`${table}_org_unit_idx`).on(table).column('org_unit_id').execute();
    }
  },
  async down(db: AnyDb) {
    for (const table of ['sender_configs', 'provider_accounts']) {
      await db.schema.dropIndex(`${table}_org_unit_idx`).execute();
      await db.schema.alterTable(table).dropColumn('org_unit_id').execute();
    }
  },
});
