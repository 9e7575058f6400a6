import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Db, openDb } from '../../src/db/db.js';
import { withDatabase } from '../../src/db/test-dialects.js';

const pgUrl = process.env.HERALD_TEST_POSTGRES_URL;

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A migrated PostgreSQL database of its own (copied from the run's template), for tests that need
 * several connection pools or processes on one database. `open()` gives another pool; `drop()` removes
 * the database (and ends every connection to it).
 */
export async function createPgDatabase(): Promise<{
  name: string;
  url: string;
  open(poolSize?: number): Db;
  drop(): Promise<void>;
}> {
  if (!pgUrl) throw new Error('HERALD_TEST_POSTGRES_URL is not set');
  const name = `herald_d_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  const url = withDatabase(pgUrl, name);
  const opened: Db[] = [];
  return {
    name,
    url,
    open(poolSize = 4) {
      // Connections killed by a test (pg_terminate_backend) are dropped by the pool, not fatal.
      const db = openDb({ kind: 'postgres', url, poolSize, onIdleError: () => {} });
      opened.push(db);
      return db;
    },
    async drop() {
      await Promise.allSettled(opened.map((d) => d.close()));
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Ends every connection to database `name` except the caller's own (a database restart, as seen by clients). */
export async function terminateConnections(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const r = await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    return r.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
