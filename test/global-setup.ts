import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openDb } from '../src/db/db.js';
import { withDatabase } from '../src/db/test-dialects.js';

/**
 * Runs once per `vitest run`: says clearly whether the PostgreSQL half of the dialect matrix runs, and
 * builds a migrated template database that each PostgreSQL test copies (CREATE DATABASE … TEMPLATE).
 */
export default async function setup(project: TestProject) {
  const url = process.env.HERALD_TEST_POSTGRES_URL;
  if (!url) {
    console.log('PostgreSQL tests skipped: HERALD_TEST_POSTGRES_URL is not set (SQLite tests run).');
    project.provide('pgTemplate', '');
    return;
  }
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`HERALD_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: ${(e as Error).message}`);
  }
  const template = `herald_tpl_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${template}`);
  const db = openDb({ kind: 'postgres', url: withDatabase(url, template), poolSize: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.close();
  }
  project.provide('pgTemplate', template);
  console.log(`PostgreSQL tests enabled (HERALD_TEST_POSTGRES_URL is set; template database ${template}).`);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
