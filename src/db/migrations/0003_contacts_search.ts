import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * Contacts search and import reporting:
 * - `(name, id)` on contacts: the keyset order of the contact list when the caller sees every org unit
 *   (the `(org_unit_id, name, id)` index of 0002 serves callers scoped to a few units);
 * - `line_number` on import row errors: the CSV line a failed row starts on, next to its data row
 *   number (they differ when quoted fields span lines or the file has blank lines).
 */
export const contactsSearch: HeraldMigration = () => ({
  async up(db: AnyDb) {
    await db.schema.createIndex('contacts_name_idx').on('contacts').columns(['name', 'id']).execute();
    await db.schema.alterTable('import_row_errors').addColumn('line_number', 'integer').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('import_row_errors').dropColumn('line_number').execute();
    await db.schema.dropIndex('contacts_name_idx').execute();
  },
});
