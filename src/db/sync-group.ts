import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { groupQueue } from './tx-group.js';
import { writeLockOf } from './write-lock.js';

/** Runs a synchronous unit of work in a shared SQLite transaction; resolves once that committed. */
export type SyncTxRunner = <T>(unit: () => T) => Promise<T>;

interface Pending {
  unit: () => unknown;
  resolve: (value: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Shared commits of **synchronous** units on SQLite (the send path's inserts, a delivery report's
 * statements): the units that arrive while a group is being written (or within the same turn of the
 * event loop) run in ONE transaction, each inside its own savepoint, straight on better-sqlite3. A
 * unit that throws is rolled back to its savepoint and fails alone; every unit settles only after
 * the commit. Unlike {@link groupedTransactions}, nothing else of this thread runs while the group
 * holds the write lock: a unit has no `await` in it, so the lock is held for the SQL alone, not for
 * whatever other requests' code the event loop would run between a Kysely transaction's statements.
 *
 * The group runs at once when no transaction is open on the connection and the process's write lock
 * is free; else once Kysely's single connection and then the write lock are free (the order every
 * Kysely transaction takes them in), so it never lands inside another caller's transaction. While
 * another process holds SQLite's lock it tries again shortly, without blocking the event loop, up to
 * the connection's busy timeout.
 */
export function syncTransactions<DB>(
  kysely: Kysely<DB>,
  db: SqliteDatabase.Database,
  maxGroup: number,
): SyncTxRunner {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT sync_unit');
  const release = db.prepare('RELEASE sync_unit');
  const undo = db.prepare('ROLLBACK TO sync_unit');
  const busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
  // Prepared once: `db.pragma()` would prepare its statement again on every group.
  const noWaiting = db.prepare('PRAGMA busy_timeout = 0');
  const waiting = db.prepare(`PRAGMA busy_timeout = ${busyTimeout}`);

  /** One attempt; `busy` when another process holds SQLite's write lock. */
  const attempt = (group: Pending[]): 'busy' | 'done' => {
    if (db.inTransaction) throw new Error('shared commit: the connection is inside a transaction');
    // Not SQLite's busy handler: it sleeps, and a sleeping thread serves nothing meanwhile.
    noWaiting.run();
    try {
      begin.run();
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_BUSY') return 'busy';
      throw e;
    } finally {
      waiting.run();
    }
    const settle: (() => void)[] = [];
    try {
      for (const p of group) {
        savepoint.run();
        try {
          const value = p.unit();
          // An async unit would run its statements after the commit, outside the transaction.
          if (typeof (value as { then?: unknown } | null)?.then === 'function') {
            throw new Error('a unit of a synchronous shared commit must not be async');
          }
          release.run();
          settle.push(() => p.resolve(value));
        } catch (e) {
          // Some errors (disk full, I/O, interrupt) end SQLite's whole transaction: the group fails with it.
          if (!db.inTransaction) throw e;
          undo.run();
          release.run();
          settle.push(() => p.reject(e));
        }
      }
      commit.run();
    } catch (e) {
      if (db.inTransaction) rollback.run();
      throw e;
    }
    for (const s of settle) s();
    return 'done';
  };

  const lock = writeLockOf(db);
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
    return kysely.connection().execute(() => lock.run(() => attempt(group)));
  };

  const run = async (group: Pending[]) => {
    const deadline = Date.now() + busyTimeout;
    for (let n = 0; ; n++) {
      if ((await locked(group)) === 'done') return;
      if (Date.now() > deadline) throw new Error('database is locked');
      // The other process's transactions are short: try again soon, serving requests meanwhile.
      await new Promise((r) => setTimeout(r, Math.min(n, 5)));
    }
  };

  const push = groupQueue<Pending>(maxGroup, async (group) => {
    try {
      await run(group);
    } catch (e) {
      // The transaction itself failed (BEGIN or COMMIT): nothing of the group is stored.
      for (const p of group) p.reject(e);
    }
  });
  return <T>(unit: () => T) =>
    new Promise<T>((resolve, reject) => push({ unit, resolve: resolve as (value: unknown) => void, reject }));
}

const runners = new WeakMap<object, SyncTxRunner>();

/** Most units one shared synchronous transaction takes by default (delivery reports). */
const MAX_GROUP = 64;

/** One {@link syncTransactions} runner per Kysely instance (and its SQLite connection). */
export function syncTransactionsFor<DB>(kysely: Kysely<DB>, db: SqliteDatabase.Database): SyncTxRunner {
  let runner = runners.get(kysely);
  if (!runner) {
    runner = syncTransactions(kysely, db, MAX_GROUP);
    runners.set(kysely, runner);
  }
  return runner;
}
