import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Db, migrateToLatest, openDb } from './db.js';
import type { DialectName } from './dialect.js';

/**
 * The dialect matrix of repository tests: SQLite always; PostgreSQL when HERALD_TEST_POSTGRES_URL is set.
 * (test/global-setup.ts prints one line when PostgreSQL is skipped.)
 */
const pgUrl = process.env.HERALD_TEST_POSTGRES_URL;
export const TEST_DIALECTS: readonly DialectName[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh, migrated database: SQLite in memory, or a new schema on PostgreSQL dropped on close. */
export async function createTestDb(dialect: DialectName): Promise<Db> {
  if (dialect === 'sqlite') {
    const db = openDb({ kind: 'sqlite', file: ':memory:' });
    await migrateToLatest(db);
    return db;
  }
  if (!pgUrl) throw new Error('HERALD_TEST_POSTGRES_URL is not set');
  const schema = `herald_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = openDb({ kind: 'postgres', url: pgUrl, poolSize: 4, searchPath: schema });
  await migrateToLatest(db);
  return {
    ...db,
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
