import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** One shared throughput bucket per provider account (GCRA: the next free slot). */
export interface RateBucketTable {
  provider_account_id: string;
  /** Epoch milliseconds (fractional) of the next free submit slot. */
  next_at_ms: number;
  /** Epoch milliseconds until which the gateway asked for a pause (a throttled answer); 0 when none. */
  paused_until_ms: import('kysely').ColumnType<number, number | undefined, number>;
  /** Set by a pause: the reservation after it (the probe) pushes the next slot this much further. */
  probe_gap_ms: import('kysely').ColumnType<number, number | undefined, number>;
  /** The slot handed out by the last reservation. */
  last_slot_ms: import('kysely').ColumnType<number, number | undefined, number>;
}

/** The dispatch tables are part of the one `Database` type; these names remain for the worker's code. */
export type DispatchDatabase = Database;
export const dispatchDb = (db: Kysely<Database>): Kysely<DispatchDatabase> => db;
export const sharedDb = (db: Kysely<DispatchDatabase>): Kysely<Database> => db;
