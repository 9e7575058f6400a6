import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Database } from '../../db/database.js';

/**
 * A transaction-scoped advisory lock on PostgreSQL, held until the caller's transaction ends; SQLite
 * runs one writing transaction at a time anyway, so there it does nothing.
 */
export async function lockKey(db: Kysely<Database>, key: string): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(db);
}

/**
 * Serialises keyword handling per phone number until the caller's transaction ends, so two STOPs from
 * one number processed at the same time (two API processes, or the worker's sink and a callback) see
 * each other's consent change: one opts out and confirms, the other finds the number opted out.
 */
export async function lockNumber(db: Kysely<Database>, e164: string): Promise<void> {
  await lockKey(db, `herald:inbound-keyword:${e164}`);
}
