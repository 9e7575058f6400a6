import type SqliteDatabase from 'better-sqlite3';

/** Distinct SQL texts kept prepared per connection; Herald's queries are a few hundred shapes. */
const STATEMENT_CACHE_SIZE = 1000;
const caches = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

/**
 * The connection's prepared statement for `sql`, reused by text (least recently used dropped first):
 * preparing costs more than running most of Herald's statements. A cached statement that is still
 * iterating (a streamed query) is never handed out twice: a fresh one is prepared. Shared by Kysely's
 * SQLite driver (db.ts) and the synchronous procedure runner (ops.ts).
 */
export function cachedStatement(db: SqliteDatabase.Database, sql: string): SqliteDatabase.Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const hit = cache.get(sql);
  if (hit && !hit.busy) {
    cache.delete(sql);
    cache.set(sql, hit);
    return hit;
  }
  const stmt = db.prepare(sql);
  if (!hit) {
    cache.set(sql, stmt);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return stmt;
}
