import { type Kysely, SqliteAdapter, sql } from 'kysely';

/** Runs `fn` in a transaction; resolves with its result once that transaction committed. */
export type TxRunner<DB> = <T>(fn: (trx: Kysely<DB>) => Promise<T>) => Promise<T>;

/** Most units of work one shared transaction takes by default; the rest wait for the next one. */
const MAX_GROUP = 64;

/**
 * The queue under every group commit: items pushed while a group is being written (or within the same
 * turn of the event loop) form the next group, at most `maxGroup` of them; one group is written at a
 * time. `write` settles the items of its group itself; it must not throw.
 */
export function groupQueue<T>(maxGroup: number, write: (group: T[]) => Promise<void>): (item: T) => void {
  let pending: T[] = [];
  let running = false;

  async function drain(): Promise<void> {
    try {
      while (pending.length > 0) {
        const group = pending.length > maxGroup ? pending.splice(0, maxGroup) : pending;
        if (group === pending) pending = [];
        await write(group);
      }
    } finally {
      running = false;
    }
  }

  return (item) => {
    pending.push(item);
    if (!running) {
      running = true;
      // Items pushed in this turn of the event loop join the group; then it is written.
      setImmediate(() => void drain());
    }
  };
}

interface Unit<DB> {
  fn: (trx: Kysely<DB>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Transactions that share one commit (SQLite): the units of work that arrive while a group is being
 * written (or within the same turn of the event loop) run one after the other in ONE transaction, each
 * inside its own savepoint. A unit that throws is rolled back to its savepoint and fails alone; the
 * others commit. Every unit's promise settles only after the shared transaction committed (or failed
 * as a whole: then every unit of it fails, and the caller's retry runs it again), so a caller never
 * acts on a write that is not durable — the same promise a transaction of its own gives.
 *
 * Why: SQLite has one writer at a time. The dispatch worker wrote five small transactions per message
 * (rate slot, submit marker, outcome, …), each waiting its turn at the write lock and paying a commit;
 * with sixteen messages in flight they now share a handful of commits.
 *
 * Units must only use `trx` (the outer Kysely waits for this transaction: a unit that used it would
 * wait forever) and must not wait for anything but the database while they run: the write lock is held.
 */
export function groupedTransactions<DB>(db: Kysely<DB>, maxGroup = MAX_GROUP): TxRunner<DB> {
  const push = groupQueue<Unit<DB>>(maxGroup, async (group) => {
    const settled: (() => void)[] = [];
    try {
      await db.transaction().execute(async (trx) => {
        for (const unit of group) {
          if (group.length === 1) {
            // Alone: no savepoint needed; its failure is the transaction's.
            const value = await unit.fn(trx);
            settled.push(() => unit.resolve(value));
            continue;
          }
          await sql`savepoint grouped_unit`.execute(trx);
          try {
            const value = await unit.fn(trx);
            await sql`release savepoint grouped_unit`.execute(trx);
            settled.push(() => unit.resolve(value));
          } catch (e) {
            await sql`rollback to savepoint grouped_unit`.execute(trx);
            await sql`release savepoint grouped_unit`.execute(trx);
            settled.push(() => unit.reject(e));
          }
        }
      });
    } catch (e) {
      for (const unit of group) unit.reject(e);
      return;
    }
    for (const settle of settled) settle();
  });
  return <T>(fn: (trx: Kysely<DB>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => push({ fn, resolve: resolve as (v: unknown) => void, reject }));
}

/** One transaction per unit (PostgreSQL: row locks and concurrent writers make grouping a loss there). */
export function ownTransactions<DB>(db: Kysely<DB>): TxRunner<DB> {
  return (fn) => db.transaction().execute(fn);
}

const runners = new WeakMap<object, unknown>();

/**
 * The transaction runner for `db`, one per Kysely instance: {@link groupedTransactions} on SQLite (one
 * writer at a time: sharing commits pays), {@link ownTransactions} elsewhere.
 */
export function transactionsFor<DB>(db: Kysely<DB>): TxRunner<DB> {
  let runner = runners.get(db) as TxRunner<DB> | undefined;
  if (!runner) {
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    runner = sqlite ? groupedTransactions(db) : ownTransactions(db);
    runners.set(db, runner);
  }
  return runner;
}
