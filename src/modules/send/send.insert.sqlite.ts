import type SqliteDatabase from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { BatchTable } from '../batches/batches.table.js';
import type { MessageTable } from '../messages/messages.table.js';

/** Rows per prepared multi-row INSERT (100 × ~40 columns stays well under SQLite's variable limit). */
const ROWS_PER_STATEMENT = 100;
const statements = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

function statement(
  db: SqliteDatabase.Database,
  table: 'messages' | 'batches',
  columns: readonly string[],
  rows: number,
): SqliteDatabase.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  const key = `${table}|${columns.join(',')}|${rows}`;
  let stmt = cache.get(key);
  if (!stmt) {
    const tuple = `(${columns.map(() => '?').join(',')})`;
    stmt = db.prepare(
      `insert into ${table} (${columns.join(',')}) values ${Array(rows).fill(tuple).join(',')}`,
    );
    cache.set(key, stmt);
  }
  return stmt;
}

const value = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null));

function insertRows<T extends object>(
  db: SqliteDatabase.Database,
  table: 'messages' | 'batches',
  rows: readonly T[],
): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!) as (keyof T & string)[];
  let i = 0;
  for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
    const params: unknown[] = [];
    for (let r = i; r < i + ROWS_PER_STATEMENT; r++) {
      const row = rows[r]!;
      for (const c of columns) params.push(value(row[c]));
    }
    statement(db, table, columns, ROWS_PER_STATEMENT).run(params);
  }
  for (; i < rows.length; i++) {
    const row = rows[i]!;
    statement(db, table, columns, 1).run(columns.map((c) => value(row[c])));
  }
}

/**
 * Bulk insert of a batch's messages on SQLite through cached prepared statements: Kysely would compile
 * a fresh multi-row statement per chunk, which costs more than the insert itself at 100,000 rows.
 * Must run inside a transaction on the same connection (a Kysely transaction's callback, or the group
 * commit, which holds Kysely's connection).
 */
export function insertMessagesSqlite(
  db: SqliteDatabase.Database,
  rows: readonly Insertable<MessageTable>[],
): void {
  insertRows(db, 'messages', rows);
}

/** The batch row through a cached prepared statement (same rules as {@link insertMessagesSqlite}). */
export function insertBatchSqlite(db: SqliteDatabase.Database, batch: Insertable<BatchTable>): void {
  insertRows(db, 'batches', [batch]);
}
