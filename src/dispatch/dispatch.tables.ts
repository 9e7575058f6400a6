import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * What migration 0006_dispatch adds, as Kysely sees it. Kept here (and laid over the shared
 * `Database` type with `withTables`) so the dispatch work does not touch the modules' table types.
 */
export interface DispatchMessageColumns {
  /** Set (committed) right before the gateway is called; null while the submit has not started. */
  submit_started_at: string | null;
  /** Attempts answered "throttled": they do not spend the retry budget. */
  throttled_count: import('kysely').ColumnType<number, number | undefined, number>;
}

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

export type DispatchDatabase = Omit<Database, 'messages'> & {
  messages: Database['messages'] & DispatchMessageColumns;
  rate_buckets: RateBucketTable;
};

/** The same connection, typed with the dispatch columns and tables. */
export const dispatchDb = (db: Kysely<Database>): Kysely<DispatchDatabase> =>
  db as unknown as Kysely<DispatchDatabase>;

/** And back, for the shared use cases (`applyMessageStatus`, `publishStatusChanges`, …). */
export const sharedDb = (db: Kysely<DispatchDatabase>): Kysely<Database> => db as unknown as Kysely<Database>;
