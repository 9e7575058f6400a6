import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Db, migrateToLatest, openDb } from './db.js';
import type { DialectName } from './dialect.js';

/**
 * The dialect matrix of repository tests: SQLite always; PostgreSQL when HERALD_TEST_POSTGRES_URL is set.
 * (test/global-setup.ts prints one line when PostgreSQL is skipped, and prepares a migrated template database.)
 */
const pgUrl = process.env.HERALD_TEST_POSTGRES_URL;
export const TEST_DIALECTS: readonly DialectName[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database: SQLite in memory, or on PostgreSQL a new database copied from the migrated
 * template (a whole database, so tests never see each other's catalogs), dropped on close.
 */
export async function createTestDb(dialect: DialectName): Promise<Db> {
  if (dialect === 'sqlite') {
    const db = openDb({ kind: 'sqlite', file: ':memory:' });
    await migrateToLatest(db);
    return db;
  }
  if (!pgUrl) throw new Error('HERALD_TEST_POSTGRES_URL is not set');
  const template = inject('pgTemplate');
  const name = `herald_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const db = openDb({ kind: 'postgres', url: withDatabase(pgUrl, name), poolSize: 4 });
  return {
    ...db,
    async close() {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
  }
}
