import type SqliteDatabase from 'better-sqlite3';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { groupedTransactions, groupQueue } from '../../db/tx-group.js';
import { writeLockOf } from '../../db/write-lock.js';
import type { BatchTable } from '../batches/batches.table.js';
import type { MessageTable } from '../messages/messages.table.js';
import { insertBatchSqlite, insertMessagesSqlite } from './send.insert.sqlite.js';
import { insertBatch } from './send.repository.js';

/** What one send request writes: its SMS Log entry and its messages. */
export interface SendWrite {
  batch: Insertable<BatchTable>;
  messages: readonly Insertable<MessageTable>[];
}

/** Most requests one group transaction takes; the rest wait for the next group. */
const MAX_GROUP = 256;

interface Pending {
  write: SendWrite;
  resolve: () => void;
  reject: (e: unknown) => void;
}

type Commit = (write: SendWrite) => Promise<void>;

/**
 * Group commit: the writes of send requests that arrive while a group is being written (or within the
 * same turn of the event loop) go into ONE transaction, each inside its own savepoint. A write that
 * fails (a constraint, say) is rolled back to its savepoint and fails only its own request; the others
 * commit. Every request's promise settles only after the transaction that holds its rows has committed
 * (or failed), so an answer never promises a row that is not durable. One commit (and, with
 * PostgreSQL, one WAL flush) serves the whole group instead of one per request.
 *
 * One group is in flight at a time per database; the next one forms meanwhile (db/tx-group.ts).
 */
function sqliteCommitter(run: (group: Pending[]) => Promise<void>): Commit {
  const push = groupQueue<Pending>(MAX_GROUP, async (group) => {
    try {
      await run(group);
    } catch (e) {
      // The transaction itself failed (BEGIN or COMMIT): nothing of the group is stored.
      for (const p of group) p.reject(e);
    }
  });
  return (write) => new Promise<void>((resolve, reject) => push({ write, resolve, reject }));
}

/**
 * SQLite: the group runs as one synchronous better-sqlite3 transaction, at once when no transaction is
 * open on the connection and the process's write lock is free (nothing can interleave with synchronous
 * statements), else once Kysely's single connection and then the write lock are free, so it never
 * lands inside another caller's transaction and queues behind the worker thread's writes without
 * sleeping (db/write-lock.ts). While another process holds SQLite's lock, it tries again shortly
 * without blocking the event loop, up to the connection's busy timeout.
 */
function sqliteGroup(kysely: Kysely<Database>, db: SqliteDatabase.Database) {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT send_write');
  const release = db.prepare('RELEASE send_write');
  const undo = db.prepare('ROLLBACK TO send_write');
  const busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
  // Prepared once: `db.pragma()` would prepare its statement again on every group.
  const noWaiting = db.prepare('PRAGMA busy_timeout = 0');
  const waiting = db.prepare(`PRAGMA busy_timeout = ${busyTimeout}`);

  /** One attempt; `busy` when another connection (a worker thread or process) holds the write lock. */
  const attempt = (group: Pending[]): 'busy' | 'done' => {
    if (db.inTransaction) throw new Error('group commit: the connection is inside a transaction');
    // Not SQLite's busy handler: it sleeps, and a sleeping main thread serves no request meanwhile.
    noWaiting.run();
    try {
      begin.run();
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_BUSY') return 'busy';
      throw e;
    } finally {
      waiting.run();
    }
    const done: Pending[] = [];
    const failed: [Pending, unknown][] = [];
    try {
      for (const p of group) {
        savepoint.run();
        try {
          insertBatchSqlite(db, p.write.batch);
          insertMessagesSqlite(db, p.write.messages);
          release.run();
          done.push(p);
        } catch (e) {
          undo.run();
          release.run();
          failed.push([p, e]);
        }
      }
      commit.run();
    } catch (e) {
      if (db.inTransaction) rollback.run();
      throw e;
    }
    for (const p of done) p.resolve();
    for (const [p, e] of failed) p.reject(e);
    return 'done';
  };

  const lock = writeLockOf(db);
  /** Takes this process's write lock first (write-lock.ts): the worker thread's writes queue there too. */
  const locked = (group: Pending[]): Promise<'busy' | 'done'> => {
    // Nobody holds or waits for the lock and no transaction is open here: the whole group at once.
    if (!db.inTransaction && lock.tryAcquire()) {
      try {
        return Promise.resolve(attempt(group));
      } catch (e) {
        return Promise.reject(e);
      } finally {
        lock.release();
      }
    }
    // Kysely's connection first, then the lock: the order every Kysely transaction takes them in.
    return kysely.connection().execute(() => lock.run(() => attempt(group)));
  };

  return async (group: Pending[]) => {
    const deadline = Date.now() + busyTimeout;
    for (let n = 0; ; n++) {
      // `busy` now means another process holds SQLite's lock (threads of this one queue for `lock`).
      if ((await locked(group)) === 'done') return;
      if (Date.now() > deadline) throw new Error('database is locked');
      // The other writer's transactions are short: try again soon, serving requests meanwhile.
      await new Promise((r) => setTimeout(r, Math.min(n, 5)));
    }
  };
}

const committers = new WeakMap<object, Commit>();

/**
 * Writes a send request's batch and messages durably (group commit, see {@link sqliteCommitter}); resolves
 * once they are committed. With `sqlite` (the connection under `kysely`) the synchronous SQLite path is
 * used; other dialects share transactions through {@link groupedTransactions}, a savepoint per request.
 */
export function commitSend(
  kysely: Kysely<Database>,
  sqlite: SqliteDatabase.Database | undefined,
  write: SendWrite,
): Promise<void> {
  let commit = committers.get(kysely);
  if (!commit) {
    if (sqlite) {
      commit = sqliteCommitter(sqliteGroup(kysely, sqlite));
    } else {
      const tx = groupedTransactions(kysely, MAX_GROUP);
      commit = (w) => tx((trx) => insertBatch(trx, w.batch, w.messages));
    }
    committers.set(kysely, commit);
  }
  return commit(write);
}
