import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Column types that differ per dialect; migrations are written once and ask these helpers. */
export interface ColumnTypes {
  /** `timestamptz` on PostgreSQL, ISO-8601 UTC text on SQLite (sortable as text). */
  timestamp: 'timestamptz' | 'text';
  /** `boolean` on PostgreSQL, integer 0/1 on SQLite. */
  boolean: 'boolean' | 'integer';
  /** `jsonb` would tie queries to PostgreSQL; JSON is stored as text on both and parsed by repositories. */
  json: 'text';
}

export function columnTypes(dialect: DialectName): ColumnTypes {
  return dialect === 'postgres'
    ? { timestamp: 'timestamptz', boolean: 'boolean', json: 'text' }
    : { timestamp: 'text', boolean: 'integer', json: 'text' };
}

/** A migration written once for both dialects: it receives the column types of the dialect it runs on. */
export type HeraldMigration = (t: ColumnTypes, dialect: DialectName) => Migration;

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export type AnyDb = Kysely<any>;
