import type SqliteDatabase from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { MessageTable } from '../messages/messages.table.js';

/** Rows per prepared multi-row INSERT (100 × ~40 columns stays well under SQLite's variable limit). */
const ROWS_PER_STATEMENT = 100;
const statements = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

function statement(
  db: SqliteDatabase.Database,
  columns: readonly string[],
  rows: number,
): SqliteDatabase.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  const key = `${columns.join(',')}|${rows}`;
  let stmt = cache.get(key);
  if (!stmt) {
    const tuple = `(${columns.map(() => '?').join(',')})`;
    stmt = db.prepare(
      `insert into messages (${columns.join(',')}) values ${Array(rows).fill(tuple).join(',')}`,
    );
    cache.set(key, stmt);
  }
  return stmt;
}

/**
 * Bulk insert of a batch's messages on SQLite through cached prepared statements: Kysely would compile
 * a fresh multi-row statement per chunk, which costs more than the insert itself at 100,000 rows.
 * Must be called inside a transaction on the same connection (the caller's Kysely transaction).
 */
export function insertMessagesSqlite(
  db: SqliteDatabase.Database,
  rows: readonly Insertable<MessageTable>[],
): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!) as (keyof MessageTable)[];
  const value = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null));
  let i = 0;
  for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
    const params: unknown[] = [];
    for (let r = i; r < i + ROWS_PER_STATEMENT; r++) {
      const row = rows[r]!;
      for (const c of columns) params.push(value(row[c]));
    }
    statement(db, columns, ROWS_PER_STATEMENT).run(params);
  }
  for (; i < rows.length; i++) {
    const row = rows[i]!;
    statement(db, columns, 1).run(columns.map((c) => value(row[c])));
  }
}
