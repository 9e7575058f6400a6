import type SqliteDatabase from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';
import { withBindableBooleans } from './dialect.js';

/**
 * The SQLite write lock of one process, shared by its threads (`herald serve` writes from its main
 * thread and from the dispatch worker's thread, each through a connection of its own).
 *
 * SQLite lets one connection write at a time. A connection that finds the file locked by another one
 * waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15 … ms between tries: with two busy
 * writers in one process that sleep was most of a full-loop run (a third of the API thread's time
 * sat in `begin immediate`, bench/kannel/profile-accept.ts). Here the writers of the process queue
 * for the lock first — a ticket lock in a SharedArrayBuffer, woken with `Atomics.notify` the moment
 * it is released, first come first served across threads, never blocking an event loop
 * (`Atomics.waitAsync`) — so they meet SQLite's own lock only when another process writes (then the
 * busy timeout applies as before).
 *
 * Cells: [0] next ticket, [1] ticket being served. Only equality is compared, so the counters may
 * wrap around. [2] foreground writers waiting for a ticket (see {@link WriteRole}).
 *
 * Roles: the API thread's writes answer a caller who waits (a send's 201, a gateway's callback); the
 * dispatch worker's are background work. A `background` handle lets the foreground go first: before
 * taking a ticket it waits while a foreground writer is queued, at most {@link BACKGROUND_YIELD_MS}
 * per acquisition, so a steady stream of sends delays the worker's writes a little but never stops
 * them. Measured on the full loop (send → worker → report, 3,000 messages): 506–540 msgs/s against
 * 427–444 with both threads in one first-come queue. Committing the worker's shared transactions
 * early for a waiting API writer was tried as well: its smaller groups cost more commits, and the
 * loop fell to 374–403 msgs/s.
 */
/** `foreground`: writes someone waits for (the default); `background`: yields to them (the worker). */
export type WriteRole = 'foreground' | 'background';

/** Longest a background acquisition lets queued foreground writers go first. */
export const BACKGROUND_YIELD_MS = 5;

const CELLS = 3;

export class WriteLock {
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;
  readonly #role: WriteRole;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(CELLS * 4), role: WriteRole = 'foreground') {
    if (buffer.byteLength < CELLS * 4) throw new Error(`a write lock needs ${CELLS * 4} bytes`);
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer);
    this.#role = role;
  }

  /** Takes the lock when nobody holds it or waits for it; never waits. */
  tryAcquire(): boolean {
    const serving = Atomics.load(this.#cells, 1);
    return Atomics.compareExchange(this.#cells, 0, serving, serving + 1) === serving;
  }

  /** Waits for its turn without blocking the thread. */
  async acquire(): Promise<void> {
    if (this.#role === 'background') return this.#acquireBehindForeground();
    // Counted as a waiting foreground writer from before its ticket until its turn.
    Atomics.add(this.#cells, 2, 1);
    try {
      await this.#awaitTurn(Atomics.add(this.#cells, 0, 1));
    } finally {
      Atomics.sub(this.#cells, 2, 1);
      Atomics.notify(this.#cells, 2);
    }
  }

  /** Background: lets queued foreground writers take their tickets first (bounded), then queues. */
  async #acquireBehindForeground(): Promise<void> {
    const until = performance.now() + BACKGROUND_YIELD_MS;
    // As in #awaitTurn: a pending waitAsync alone does not keep the thread alive.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      for (;;) {
        const waiting = Atomics.load(this.#cells, 2);
        const left = until - performance.now();
        if (waiting <= 0 || left <= 0) break;
        const waited = Atomics.waitAsync(this.#cells, 2, waiting, left);
        if (waited.async) await waited.value;
      }
    } finally {
      clearInterval(keepAlive);
    }
    return this.#awaitTurn(Atomics.add(this.#cells, 0, 1));
  }

  async #awaitTurn(ticket: number): Promise<void> {
    if (Atomics.load(this.#cells, 1) === ticket) return;
    // A pending Atomics.waitAsync does not keep a thread's event loop alive: this timer does, so a
    // thread whose only work left is a write waiting here does not exit with the write undone.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      for (;;) {
        const serving = Atomics.load(this.#cells, 1);
        if (serving === ticket) return;
        // Re-checked after every release; the timeout only guards against a lost wake-up.
        const waited = Atomics.waitAsync(this.#cells, 1, serving, 1_000);
        if (waited.async) await waited.value;
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  release(): void {
    Atomics.add(this.#cells, 1, 1);
    Atomics.notify(this.#cells, 1);
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

const locks = new WeakMap<SqliteDatabase.Database, WriteLock>();
const kyselyConnections = new WeakMap<object, SqliteDatabase.Database>();

/** The SQLite connection under this Kysely instance, when registered with it (openDb does). */
export function sqliteOfKysely(kysely: object): SqliteDatabase.Database | undefined {
  return kyselyConnections.get(kysely);
}

/** Registers the connection under a Kysely instance (its write lock is {@link writeLockOf} it). */
export function setSqliteOfKysely(kysely: object, sqlite: SqliteDatabase.Database): void {
  kyselyConnections.set(kysely, sqlite);
}

/** The write lock every writer on this connection takes (see {@link WriteLock}). */
export function writeLockOf(sqlite: SqliteDatabase.Database): WriteLock {
  let lock = locks.get(sqlite);
  if (!lock) {
    lock = new WriteLock();
    locks.set(sqlite, lock);
  }
  return lock;
}

export function setWriteLock(sqlite: SqliteDatabase.Database, lock: WriteLock): void {
  locks.set(sqlite, lock);
}

/** A statement that writes (and so takes SQLite's write lock when run outside a transaction). */
function writes(query: CompiledQuery): boolean {
  switch (query.query.kind) {
    case 'SelectQueryNode':
      return false;
    case 'InsertQueryNode':
    case 'UpdateQueryNode':
    case 'DeleteQueryNode':
    case 'MergeQueryNode':
      return true;
    default:
      // Raw SQL and schema changes: anything but a plain read counts as a write.
      return !/^\s*(select|with|explain|pragma\s+\w+\s*$)/i.test(query.sql);
  }
}

/**
 * Kysely's SQLite driver with the process's {@link WriteLock}: a transaction holds it from `begin`
 * to `commit`/`rollback`, a statement that writes outside a transaction holds it while it runs.
 * Reads never take it (WAL lets them run beside a writer).
 */
class LockingDriver implements Driver {
  readonly #inner: Driver;
  readonly #db: SqliteDatabase.Database;
  readonly #lock: WriteLock;
  #holding = false;

  constructor(inner: Driver, db: SqliteDatabase.Database, lock: WriteLock) {
    this.#inner = inner;
    this.#db = db;
    this.#lock = lock;
  }

  init() {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#inner.acquireConnection();
    return {
      executeQuery: <R>(compiled: CompiledQuery): Promise<QueryResult<R>> => {
        const query = withBindableBooleans(compiled);
        if (this.#holding || this.#db.inTransaction || !writes(query)) {
          return connection.executeQuery<R>(query);
        }
        return this.#lock.run(() => connection.executeQuery<R>(query));
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
        connection.streamQuery<R>(withBindableBooleans(query), chunkSize),
    };
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.#lock.acquire();
    this.#holding = true;
    try {
      await this.#inner.beginTransaction(connection, settings);
    } catch (e) {
      this.#releaseHeld();
      throw e;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.commitTransaction(connection);
    } finally {
      // A commit that failed leaves the transaction open: Kysely rolls it back next, and that releases.
      if (!this.#db.inTransaction) this.#releaseHeld();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.rollbackTransaction(connection);
    } finally {
      this.#releaseHeld();
    }
  }

  savepoint: Driver['savepoint'] = (connection, name, compile) =>
    this.#inner.savepoint!(connection, name, compile);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, name, compile) =>
    this.#inner.rollbackToSavepoint!(connection, name, compile);
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, name, compile) =>
    this.#inner.releaseSavepoint!(connection, name, compile);

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection);
  }

  destroy() {
    return this.#inner.destroy();
  }

  #releaseHeld() {
    if (!this.#holding) return;
    this.#holding = false;
    this.#lock.release();
  }
}

/** Kysely's SqliteDialect whose driver takes {@link WriteLock} for every write. */
export class LockingSqliteDialect extends SqliteDialect {
  readonly #db: SqliteDatabase.Database;
  readonly #lock: WriteLock;

  /** `raw`: the connection itself (`config.database` may be a view of it, see db.ts). */
  constructor(config: SqliteDialectConfig, raw: SqliteDatabase.Database, lock: WriteLock) {
    super(config);
    this.#db = raw;
    this.#lock = lock;
  }

  override createDriver(): Driver {
    return new LockingDriver(super.createDriver(), this.#db, this.#lock);
  }
}
