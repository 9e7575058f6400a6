import type SqliteDatabase from 'better-sqlite3';
import type { Compilable, Kysely } from 'kysely';
import { withBindableBooleans } from './dialect.js';
import { cachedStatement } from './statements.js';
import { syncTransactionsFor } from './sync-group.js';
import { type TxRunner, transactionsFor } from './tx-group.js';
import { sqliteOfKysely } from './write-lock.js';

/**
 * Write procedures written once for both ways of running them. A procedure is a generator that builds
 * its statements with Kysely's query builder and `yield*`s them through {@link rows}, {@link first}
 * and {@link changes}; a runner executes each and hands the result back:
 * - {@link runOps}: through Kysely (any dialect, in the caller's transaction), awaiting each;
 * - {@link runOpsSync}: straight on a better-sqlite3 connection, synchronously — for units of a
 *   shared SQLite commit (db/sync-group.ts), which must not yield the thread while they hold the
 *   write lock.
 * The procedure's own logic (decisions between statements) runs the same on both. A procedure must
 * not catch a failed statement to go on: PostgreSQL aborts the transaction at the first error, so
 * what would work on SQLite would fail there; let errors end the unit (its savepoint rolls it back).
 */
export type Op = { kind: 'rows' | 'changes'; query: Compilable<unknown> };

export type Ops<T> = Generator<Op, T, unknown>;

/** The rows the statement returns (a SELECT, or a write with RETURNING; none for a plain write). */
export function* rows<R>(query: Compilable<R>): Generator<Op, R[], unknown> {
  return (yield { kind: 'rows', query }) as R[];
}

/** The first row the statement returns, if any. */
export function* first<R>(query: Compilable<R>): Generator<Op, R | undefined, unknown> {
  const all = yield* rows(query);
  return all[0];
}

/** How many rows the write changed (inserted, updated or deleted). */
export function* changes(query: Compilable<unknown>): Generator<Op, number, unknown> {
  return (yield { kind: 'changes', query }) as number;
}

/** Runs a procedure through Kysely on `db` (a transaction, or the root for single statements). */
export async function runOps<T>(db: Kysely<unknown>, ops: Ops<T>): Promise<T> {
  let next = ops.next();
  while (!next.done) {
    const op = next.value;
    let value: unknown;
    try {
      const result = await db.executeQuery(op.query.compile());
      value = op.kind === 'rows' ? result.rows : Number(result.numAffectedRows ?? 0n);
    } catch (e) {
      next = ops.throw(e);
      continue;
    }
    next = ops.next(value);
  }
  return next.value;
}

/**
 * Runs a procedure synchronously on a SQLite connection, inside the transaction open on it. Queries are
 * compiled by the Kysely instance that built them (SQLite's compiler) and run as cached prepared
 * statements.
 */
export function runOpsSync<T>(db: SqliteDatabase.Database, ops: Ops<T>): T {
  let next = ops.next();
  while (!next.done) {
    const op = next.value;
    let value: unknown;
    try {
      const { sql, parameters } = withBindableBooleans(op.query.compile());
      const stmt = cachedStatement(db, sql);
      if (op.kind === 'rows') {
        if (stmt.reader) value = stmt.all(parameters as unknown[]);
        else {
          stmt.run(parameters as unknown[]);
          value = [];
        }
      } else {
        value = stmt.run(parameters as unknown[]).changes;
      }
    } catch (e) {
      next = ops.throw(e);
      continue;
    }
    next = ops.next(value);
  }
  return next.value;
}

/** Runs a procedure as a unit of a shared commit; resolves once that committed. */
export type OpsRunner<DB> = <T>(procedure: (db: Kysely<DB>) => Ops<T>) => Promise<T>;

/**
 * Shared commits of procedures on `db`: on SQLite (its connection registered by openDb) each runs
 * synchronously on the connection as a unit of {@link syncTransactionsFor}'s groups, holding the write
 * lock for its SQL alone; elsewhere through `fallback`, awaited (by default a transaction of its own,
 * {@link transactionsFor}).
 */
export function opsRunnerFor<DB>(
  db: Kysely<DB>,
  fallback: TxRunner<DB> = transactionsFor(db),
): OpsRunner<DB> {
  const raw = sqliteOfKysely(db);
  if (raw) {
    const tx = syncTransactionsFor(db, raw);
    return (procedure) => tx(() => runOpsSync(raw, procedure(db)));
  }
  return (procedure) => fallback((trx) => runOps(trx as Kysely<unknown>, procedure(trx)));
}
