import type { Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialect.js';
import { identity } from './0001_identity.js';
import { smsCenter } from './0002_sms_center.js';
import { columnTypes, type HeraldMigration } from './migration-helpers.js';

/**
 * Every migration, in order. Names are sortable and never change once released.
 * Listed in code (not read from a folder) so the built package carries them.
 */
const MIGRATIONS: Record<string, HeraldMigration> = {
  '0001_identity': identity,
  '0002_sms_center': smsCenter,
};

export function migrationProvider(dialect: DialectName): MigrationProvider {
  const t = columnTypes(dialect);
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = m(t, dialect);
      return out;
    },
  };
}
