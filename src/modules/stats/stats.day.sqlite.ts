import { type RawBuilder, sql } from 'kysely';

/**
 * The calendar day (`YYYY-MM-DD`) of `messages.created_at` shifted by the viewer's UTC offset.
 * SQLite stores timestamps as ISO-8601 UTC text, which `strftime` reads directly.
 */
export const dayOfCreatedAtSqlite = (offsetMinutes: number): RawBuilder<string> =>
  sql<string>`strftime('%Y-%m-%d', messages.created_at, ${sql.lit(`${offsetMinutes >= 0 ? '+' : ''}${Math.trunc(offsetMinutes)} minutes`)})`;
