import { sql } from 'kysely';
import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/** Org units, users, sessions, API keys and the security audit log. */
export const identity: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    // Instance-wide facts, e.g. `setup_completed`: the primary key makes first-admin setup happen once.
    await db.schema
      .createTable('instance_facts')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('org_units')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('parent_id', 'text', (c) => c.references('org_units.id').onDelete('restrict'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('default_region', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('sending_enabled', t.boolean, (c) => c.notNull())
      .addColumn('sender_config_id', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('org_units_parent_idx').on('org_units').column('parent_id').execute();
    // Sibling names are unique (root units among themselves too: coalesce the null parent).
    await sql`CREATE UNIQUE INDEX org_units_sibling_name_uq ON org_units (coalesce(parent_id, ''), lower(name))`.execute(
      db,
    );

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('roles', t.json, (c) => c.notNull())
      .addColumn('active', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('user_org_units')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id').onDelete('restrict'))
      .addPrimaryKeyConstraint('user_org_units_pk', ['user_id', 'org_unit_id'])
      .execute();
    await db.schema
      .createIndex('user_org_units_unit_idx')
      .on('user_org_units')
      .column('org_unit_id')
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .execute();
    await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('permissions', t.json, (c) => c.notNull())
      .addColumn('org_unit_ids', t.json, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull().references('users.id').onDelete('restrict'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp)
      .addColumn('revoked_at', t.timestamp)
      .addColumn('last_used_at', t.timestamp)
      .execute();

    await db.schema
      .createTable('security_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('target', 'text')
      .addColumn('ip', 'text')
      .addColumn('request_id', 'text')
      .addColumn('details', t.json, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('security_events_time_idx')
      .on('security_events')
      .columns(['occurred_at', 'id'])
      .execute();
  },
  async down(db: AnyDb) {
    for (const table of [
      'security_events',
      'api_keys',
      'sessions',
      'user_org_units',
      'users',
      'org_units',
      'instance_facts',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
});
