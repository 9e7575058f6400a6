import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './db.js';
import { migrateToLatest } from './db.js';
import { createTestDb, TEST_DIALECTS } from './test-dialects.js';

describe.each(TEST_DIALECTS)('storage on %s', (dialect) => {
  let db: Db;
  afterEach(async () => db?.close());

  it('applies every migration and a second run applies none', async () => {
    db = await createTestDb(dialect);
    expect((await migrateToLatest(db)).applied).toEqual([]);
    const tables = await db.kysely.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'org_units',
        'users',
        'user_org_units',
        'sessions',
        'api_keys',
        'security_events',
      ]),
    );
  });

  it('stores booleans and returns timestamps as ISO-8601 UTC strings', async () => {
    db = await createTestDb(dialect);
    await db.kysely
      .insertInto('org_units')
      .values({
        id: 'u1',
        parent_id: null,
        name: 'HQ',
        default_region: 'DE',
        timezone: 'Europe/Berlin',
        sending_enabled: false,
        sender_config_id: null,
        created_at: '2026-11-22T09:00:00.000Z',
        updated_at: '2026-11-22T09:00:00.000Z',
      })
      .execute();
    const row = await db.kysely.selectFrom('org_units').selectAll().executeTakeFirstOrThrow();
    expect(Boolean(row.sending_enabled)).toBe(false);
    expect(row.created_at).toBe('2026-11-22T09:00:00.000Z');
    const found = await db.kysely
      .selectFrom('org_units')
      .select('id')
      .where('sending_enabled', '=', false)
      .where('created_at', '<', '2026-11-23T00:00:00.000Z')
      .execute();
    expect(found).toHaveLength(1);
  });

  it('enforces unique sibling names case-insensitively at the database level', async () => {
    db = await createTestDb(dialect);
    const base = {
      parent_id: null,
      default_region: 'DE',
      timezone: 'UTC',
      sending_enabled: true,
      sender_config_id: null,
      created_at: '2026-11-22T09:00:00.000Z',
      updated_at: '2026-11-22T09:00:00.000Z',
    };
    await db.kysely
      .insertInto('org_units')
      .values({ ...base, id: 'a', name: 'Sales' })
      .execute();
    await expect(
      db.kysely
        .insertInto('org_units')
        .values({ ...base, id: 'b', name: 'SALES' })
        .execute(),
    ).rejects.toThrow();
  });

  it('keeps text with SQL metacharacters and quotes exactly as given', async () => {
    db = await createTestDb(dialect);
    const evil = `Robert'); DROP TABLE users;-- "x" \\ %_`;
    await db.kysely
      .insertInto('instance_facts')
      .values({ key: evil, value: evil, created_at: '2026-11-22T09:00:00.000Z' })
      .execute();
    const r = await sql<{ value: string }>`select value from instance_facts where key = ${evil}`.execute(
      db.kysely,
    );
    expect(r.rows[0]?.value).toBe(evil);
  });
});
