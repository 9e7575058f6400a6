import { sql } from 'kysely';
import type { AnyDb, HeraldMigration } from './migration-helpers.js';

/**
 * The SMS Center: contacts and their phones, consent, templates, provider accounts and sender
 * configurations, batches (the SMS Log), messages with their status history, idempotency keys and
 * contact import jobs.
 */
export const smsCenter: HeraldMigration = (t) => ({
  async up(db: AnyDb) {
    // Org-unit policy: which categories need explicit opt-in, and the longest text a user may send.
    await db.schema
      .alterTable('org_units')
      .addColumn('consent_required_categories', t.json, (c) => c.notNull().defaultTo('["marketing"]'))
      .execute();
    await db.schema
      .alterTable('org_units')
      .addColumn('max_text_length', 'integer', (c) => c.notNull().defaultTo(1000))
      .execute();

    await db.schema
      .createTable('provider_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      /** Adapter settings; secrets inside are encrypted by the gateways feature. JSON text. */
      .addColumn('settings', t.json, (c) => c.notNull())
      .addColumn('messages_per_second', 'integer', (c) => c.notNull())
      .addColumn('max_parts', 'integer', (c) => c.notNull())
      /** Price of one part in the smallest currency unit (e.g. cents); null when unknown. */
      .addColumn('price_per_part', 'integer')
      .addColumn('currency', 'text')
      /** JSON array of national language shift tables the route supports, e.g. ["turkish"]. */
      .addColumn('shift_tables', t.json, (c) => c.notNull().defaultTo('[]'))
      .addColumn('callback_token', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sender_configs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
      .addColumn('fallback_provider_account_id', 'text', (c) => c.references('provider_accounts.id'))
      /** Alphanumeric sender id or a number in E.164. */
      .addColumn('sender_id', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('contacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('party', 'text')
      .addColumn('department', 'text')
      .addColumn('branch', 'text')
      .addColumn('status', 'text')
      .addColumn('locale', 'text')
      .addColumn('timezone', 'text')
      .addColumn('attributes', t.json, (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('contacts_unit_name_idx')
      .on('contacts')
      .columns(['org_unit_id', 'name', 'id'])
      .execute();
    await db.schema
      .createIndex('contacts_unit_kind_idx')
      .on('contacts')
      .columns(['org_unit_id', 'kind'])
      .execute();
    await db.schema.createIndex('contacts_party_idx').on('contacts').columns(['party']).execute();

    await db.schema
      .createTable('contact_phones')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
      .addColumn('org_unit_id', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('is_primary', t.boolean, (c) => c.notNull())
      /** Normalised number; null when the original input is not a valid number (kept, reported as invalid). */
      .addColumn('e164', 'text')
      .addColumn('country', 'text')
      .addColumn('line_type', 'text')
      .addColumn('original', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('contact_phones_contact_idx')
      .on('contact_phones')
      .columns(['contact_id', 'position'])
      .execute();
    await db.schema
      .createIndex('contact_phones_unit_e164_idx')
      .on('contact_phones')
      .columns(['org_unit_id', 'e164'])
      .execute();
    await db.schema.createIndex('contact_phones_e164_idx').on('contact_phones').columns(['e164']).execute();

    // Consent is per phone number, company-wide: an opt-out given to one branch stops every branch.
    await db.schema
      .createTable('consent_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('e164', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
      .addColumn('text_version', 'text')
      /** JSON: inbound message id, IP, import job, attestation text, … */
      .addColumn('evidence', t.json, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('consent_events_e164_idx')
      .on('consent_events')
      .columns(['e164', 'occurred_at', 'id'])
      .execute();
    await db.schema
      .createTable('consent_states')
      .addColumn('e164', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('last_event_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('templates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('variables', t.json, (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await sql`CREATE UNIQUE INDEX templates_unit_name_uq ON templates (org_unit_id, lower(name))`.execute(db);

    await db.schema
      .createTable('batches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
      .addColumn('sender_type', 'text', (c) => c.notNull())
      .addColumn('sender_ref', 'text', (c) => c.notNull())
      /** "Sender name" of the SMS Log: the user's or API key's name at the time. */
      .addColumn('sender_name', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('template_id', 'text')
      .addColumn('category', 'text', (c) => c.notNull())
      /** What was asked for: group, filters, contact ids, numbers (JSON). */
      .addColumn('request', t.json, (c) => c.notNull())
      .addColumn('requested_count', 'integer', (c) => c.notNull())
      .addColumn('blocked_count', 'integer', (c) => c.notNull())
      .addColumn('scheduled_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('canceled_at', t.timestamp)
      .execute();
    await db.schema
      .createIndex('batches_unit_created_idx')
      .on('batches')
      .columns(['org_unit_id', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('batches_created_idx').on('batches').columns(['created_at', 'id']).execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
      .addColumn('batch_id', 'text', (c) => c.references('batches.id'))
      .addColumn('contact_id', 'text')
      .addColumn('phone_id', 'text')
      /** The number as requested (kept even when invalid, so the log shows what was asked). */
      .addColumn('to_input', 'text', (c) => c.notNull())
      .addColumn('to_e164', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('encoding', 'text', (c) => c.notNull())
      .addColumn('parts', 'integer', (c) => c.notNull())
      .addColumn('characters', 'integer', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_reason', 'text')
      .addColumn('sender_config_id', 'text')
      .addColumn('provider_account_id', 'text')
      .addColumn('sender_id', 'text')
      .addColumn('gateway_message_id', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('scheduled_at', t.timestamp)
      /** When the message is due for a worker (creation, schedule or next retry). */
      .addColumn('due_at', t.timestamp)
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('lease_until', t.timestamp)
      .addColumn('leased_by', 'text')
      .addColumn('reference_type', 'text')
      .addColumn('reference_id', 'text')
      .addColumn('campaign_id', 'text')
      .addColumn('trigger_id', 'text')
      .addColumn('resent_of', 'text')
      .addColumn('resent_by', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_text', 'text')
      .addColumn('created_by_type', 'text', (c) => c.notNull())
      .addColumn('created_by_id', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('submitted_at', t.timestamp)
      .addColumn('final_at', t.timestamp)
      .execute();
    await db.schema
      .createIndex('messages_unit_created_idx')
      .on('messages')
      .columns(['org_unit_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('messages_created_idx')
      .on('messages')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('messages_batch_idx')
      .on('messages')
      .columns(['batch_id', 'status'])
      .execute();
    await db.schema
      .createIndex('messages_status_idx')
      .on('messages')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('messages_to_idx')
      .on('messages')
      .columns(['to_e164', 'created_at'])
      .execute();
    await db.schema
      .createIndex('messages_contact_idx')
      .on('messages')
      .columns(['contact_id', 'created_at'])
      .execute();
    await db.schema
      .createIndex('messages_reference_idx')
      .on('messages')
      .columns(['reference_type', 'reference_id'])
      .execute();
    await db.schema.createIndex('messages_due_idx').on('messages').columns(['status', 'due_at']).execute();
    await db.schema
      .createIndex('messages_gateway_idx')
      .on('messages')
      .columns(['provider_account_id', 'gateway_message_id'])
      .execute();

    await db.schema
      .createTable('message_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
      .addColumn('from_status', 'text')
      .addColumn('to_status', 'text', (c) => c.notNull())
      /** False when the status machine ignored it (late or duplicate report): kept for the history. */
      .addColumn('applied', t.boolean, (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('details', t.json, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('message_events_message_idx')
      .on('message_events')
      .columns(['message_id', 'occurred_at', 'id'])
      .execute();

    await db.schema
      .createTable('idempotency_keys')
      /** Who sent it: `user:<id>` or `api_key:<id>`; keys of different callers never collide. */
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('endpoint', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('response_status', 'integer')
      .addColumn('response_body', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
      .execute();

    await db.schema
      .createTable('import_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('options', t.json, (c) => c.notNull())
      .addColumn('rows_total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_imported', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_duplicate', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('bytes_read', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('finished_at', t.timestamp)
      .execute();
    await db.schema
      .createTable('import_row_errors')
      .addColumn('job_id', 'text', (c) => c.notNull().references('import_jobs.id').onDelete('cascade'))
      .addColumn('row_number', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('raw', 'text')
      .addPrimaryKeyConstraint('import_row_errors_pk', ['job_id', 'row_number', 'kind'])
      .execute();
  },
  async down(db: AnyDb) {
    for (const table of [
      'import_row_errors',
      'import_jobs',
      'idempotency_keys',
      'message_events',
      'messages',
      'batches',
      'templates',
      'consent_states',
      'consent_events',
      'contact_phones',
      'contacts',
      'sender_configs',
      'provider_accounts',
    ]) {
      await db.schema.dropTable(table).execute();
    }
    await db.schema.alterTable('org_units').dropColumn('max_text_length').execute();
    await db.schema.alterTable('org_units').dropColumn('consent_required_categories').execute();
  },
});
