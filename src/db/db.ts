import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import type { DialectName } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { cachedStatement } from './statements.js';
import {
  LockingSqliteDialect,
  setSqliteOfKysely,
  setWriteLock,
  WriteLock,
  type WriteRole,
} from './write-lock.js';

export type DatabaseTarget =
  | {
      kind: 'sqlite';
      file: string;
      /**
       * The process's write lock (see write-lock.ts) when another thread of this process writes to the
       * same file through its own connection: pass the first connection's `writeLock.buffer`.
       */
      writeLock?: SharedArrayBuffer;
      /** How this connection's writes queue for that lock (write-lock.ts); `foreground` unless told. */
      writeRole?: WriteRole;
    }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      searchPath?: string;
      /** Told when an idle pooled connection fails (it is discarded either way). */
      onIdleError?: (e: Error) => void;
    };

/** An open database: the Kysely instance plus what callers need to know about it. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: DialectName;
  /**
   * SQLite only: the connection under Kysely, for the few bulk paths written per dialect (files named
   * `*.sqlite.ts`). Kysely's SQLite driver uses this one connection, so statements run here inside a
   * Kysely transaction's callback belong to that transaction.
   */
  readonly sqlite?: SqliteDatabase.Database;
  /** SQLite only: the lock every writer of this process takes first (see write-lock.ts). */
  readonly writeLock?: WriteLock;
  /** PostgreSQL only: the schema Herald's tables live in, when not the default search path. */
  readonly schema?: string;
  close(): Promise<void>;
}

/** PostgreSQL returns timestamps as ISO-8601 strings, the same shape SQLite stores, and counts as numbers. */
const PG_TYPE_PARSERS: Record<number, (v: string) => unknown> = {
  1184: (v) => new Date(v).toISOString(), // timestamptz
  1114: (v) => new Date(`${v}Z`).toISOString(), // timestamp (treated as UTC)
  20: (v) => Number(v), // int8: counts and sums fit in a double here
};

export function openDb(target: DatabaseTarget): Db {
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:')
      fs.mkdirSync(path.dirname(path.resolve(target.file)), { recursive: true });
    const sqlite = new SqliteDatabase(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Commits are durable once in the WAL file: a crash of Herald (or a kill -9) loses no committed
    // row; a power cut or OS crash may lose the last transactions before the next checkpoint
    // (see docs/benchmarks.md, "Durability"). The benchmarks run with this same setting.
    sqlite.pragma('synchronous = NORMAL');
    const writeLock = new WriteLock(target.writeLock, target.writeRole);
    setWriteLock(sqlite, writeLock);
    const kysely = new Kysely<Database>({
      dialect: new LockingSqliteDialect({ database: withStatementCache(sqlite) }, sqlite, writeLock),
    });
    setSqliteOfKysely(kysely, sqlite);
    return { kysely, dialect: 'sqlite', sqlite, writeLock, close: () => kysely.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    ...(target.searchPath ? { options: `-c search_path=${target.searchPath}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        PG_TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that dies (server restart, admin termination) emits 'error' on the pool; without a
  // listener that would crash the process. The pool drops the client; the next query reconnects.
  pool.on('error', (e) => target.onIdleError?.(e));
  // One that dies while checked out emits 'error' on its client (the pool listens only while it is idle):
  // the query in flight fails with that error and the client is discarded on release; without this
  // listener the process would crash instead.
  pool.on('connect', (client) => client.on('error', (e) => target.onIdleError?.(e)));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    ...(target.searchPath ? { schema: target.searchPath } : {}),
    close: () => kysely.destroy(),
  };
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing cost more than running most of our
 * queries (a tenth of a send request's CPU). This hands Kysely a view of the connection whose
 * `prepare` reuses statements by SQL text (statements.ts).
 */
function withStatementCache(db: SqliteDatabase.Database): SqliteDatabase.Database {
  // Kysely opens every transaction with a deferred `begin`. With a second connection writing (the
  // worker thread of `herald serve`, another process), a deferred transaction that read first cannot
  // upgrade to a write once the other one committed: SQLite fails it at once with "database is
  // locked", without waiting. `begin immediate` takes the write lock up front, waiting up to the
  // busy timeout, so transactions take turns instead of failing.
  const prepare = (text: string) => cachedStatement(db, text === 'begin' ? 'begin immediate' : text);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface MigrationReport {
  applied: string[];
  pending: number;
}

/** Applies every pending migration; throws with the failing migration's name if one fails. */
export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: migrationProvider(db.dialect),
    // Without an explicit schema Kysely may see another schema's migration table on PostgreSQL.
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error : new Error(String(error));
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause.message}`, { cause });
  }
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    pending: 0,
  };
}
