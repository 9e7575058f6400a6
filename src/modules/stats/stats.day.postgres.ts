import { type RawBuilder, sql } from 'kysely';

/**
 * The calendar day (`YYYY-MM-DD`) of `messages.created_at` shifted by the viewer's UTC offset.
 * PostgreSQL stores a `timestamptz`: taken in UTC, moved by the offset, then formatted. The offset is
 * a literal (a validated integer), not a parameter: the same expression appears in GROUP BY, and
 * PostgreSQL matches grouped expressions by their text ($1 and $2 would be different expressions).
 */
export const dayOfCreatedAtPostgres = (offsetMinutes: number): RawBuilder<string> =>
  sql<string>`to_char((messages.created_at at time zone 'UTC') + make_interval(mins => ${sql.lit(Math.trunc(offsetMinutes))}), 'YYYY-MM-DD')`;
