import pg from 'pg';

/** Runs once per `vitest run`: says clearly whether the PostgreSQL half of the dialect matrix runs. */
export default async function setup() {
  const url = process.env.HERALD_TEST_POSTGRES_URL;
  if (!url) {
    console.log('PostgreSQL tests skipped: HERALD_TEST_POSTGRES_URL is not set (SQLite tests run).');
    return;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (e) {
    throw new Error(`HERALD_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  console.log('PostgreSQL tests enabled (HERALD_TEST_POSTGRES_URL is set).');
}
