import { type RawBuilder, type SqlBool, sql } from 'kysely';

/** Escapes LIKE wildcards so a search for `50%_off` matches that text, not a pattern. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Case-insensitive "contains" that works the same on SQLite and PostgreSQL (explicit ESCAPE on both). */
export function containsInsensitive(column: string, text: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${`%${escapeLike(text.toLowerCase())}%`} escape '\\'`;
}
