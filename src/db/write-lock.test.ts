import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from './db.js';
import { BACKGROUND_YIELD_MS, WriteLock, writeLockOf } from './write-lock.js';

/** A promise and its resolve/reject, to hold a transaction open exactly as long as a test wants. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `p` has settled by now (after letting pending callbacks run). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await sleep(0);
  return done;
}

describe('WriteLock in one thread', () => {
  it('serves tickets first come first served; tryAcquire fails while anyone holds or waits', async () => {
    const lock = new WriteLock();
    expect(lock.tryAcquire()).toBe(true); // free: taken at once
    expect(lock.tryAcquire()).toBe(false); // held

    const order: number[] = [];
    const waiters = [1, 2, 3, 4, 5].map((n) => lock.acquire().then(() => order.push(n)));
    await sleep(20);
    expect(order).toEqual([]); // nobody gets in while it is held

    lock.release();
    await sleep(20);
    expect(order).toEqual([1]); // exactly the first waiter, the others still wait
    // Nobody holds it between a release and the next waiter running, but the ticket is already served.
    expect(lock.tryAcquire()).toBe(false);

    for (let i = 2; i <= 5; i++) {
      lock.release();
      await sleep(5);
      expect(order).toEqual([1, 2, 3, 4, 5].slice(0, i));
      expect(lock.tryAcquire()).toBe(false);
    }
    lock.release();
    await Promise.all(waiters);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('tryAcquire fails for a second handle on the same buffer while a waiter is queued, even between holders', async () => {
    const a = new WriteLock();
    const b = new WriteLock(a.buffer);
    await a.acquire();
    const bGot = b.acquire();
    expect(await settled(bGot)).toBe(false);
    expect(b.tryAcquire()).toBe(false);
    a.release();
    await bGot;
    expect(a.tryAcquire()).toBe(false); // b holds it now
    b.release();
    expect(a.tryAcquire()).toBe(true);
    a.release();
  });

  it('keeps working when the ticket counters wrap around the 32-bit range', async () => {
    const buffer = new SharedArrayBuffer(12);
    const cells = new Int32Array(buffer);
    cells[0] = 2 ** 31 - 2;
    cells[1] = 2 ** 31 - 2;
    const lock = new WriteLock(buffer);
    const order: string[] = [];
    await lock.acquire(); // ticket 2^31-2
    const second = lock.acquire().then(() => order.push('second')); // ticket 2^31-1
    const third = lock.acquire().then(() => order.push('third')); // ticket -2^31 (wrapped)
    expect(await settled(second)).toBe(false);
    lock.release();
    await second;
    expect(order).toEqual(['second']);
    expect(await settled(third)).toBe(false);
    lock.release(); // serving wraps to -2^31
    await third;
    expect(order).toEqual(['second', 'third']);
    expect(lock.tryAcquire()).toBe(false);
    lock.release();
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
    // Four tickets taken and served since 2^31-2: both counters wrapped to -2^31+2.
    expect(Array.from(cells)).toEqual([-(2 ** 31) + 2, -(2 ** 31) + 2, 0]);
  });

  it('a background handle lets foreground writers that wait go first', async () => {
    const api = new WriteLock();
    const worker = new WriteLock(api.buffer, 'background');
    const order: string[] = [];
    await api.acquire(); // A holds
    const b = api.acquire().then(() => order.push('B'));
    const c = worker.acquire().then(() => order.push('C (background)'));
    // D asks after C: a plain ticket lock would serve B, C, D.
    const d = api.acquire().then(() => order.push('D'));
    api.release(); // A done
    await b;
    api.release();
    await d;
    api.release();
    await c;
    worker.release();
    expect(order).toEqual(['B', 'D', 'C (background)']);
  });

  it('a background handle yields at most BACKGROUND_YIELD_MS: a foreground writer that keeps waiting does not stop it', async () => {
    const api = new WriteLock();
    const worker = new WriteLock(api.buffer, 'background');
    const order: string[] = [];
    await api.acquire(); // A holds, and keeps holding
    const b = api.acquire().then(() => order.push('B'));
    const c = worker.acquire().then(() => order.push('C (background)'));
    await new Promise((r) => setTimeout(r, BACKGROUND_YIELD_MS * 4));
    // C took its ticket after the yield: D, asking now, comes after it.
    const d = api.acquire().then(() => order.push('D'));
    api.release();
    await b;
    api.release();
    await c;
    worker.release();
    await d;
    api.release();
    expect(order).toEqual(['B', 'C (background)', 'D']);
  });

  it('run() releases the lock when fn throws, and returns what fn returns', async () => {
    const lock = new WriteLock();
    await expect(
      lock.run(async () => {
        await sleep(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await lock.run(() => 42)).toBe(42);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });
});

/**
 * Real threads: each imports write-lock.ts (through tsx, as `herald serve` boots its worker thread) and
 * increments a plain, non-atomic counter in shared memory inside `run()`, with an await between the read
 * and the write. Without mutual exclusion updates get lost; with it the total is exact.
 */
describe('WriteLock across worker threads', () => {
  const ROUNDS = 300;
  // Cells of `shared`: [0] counter (plain reads/writes), [1] threads inside run() now, [2] overlaps seen,
  // [3] threads ready, [4] go.
  const threadCode = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.tsx)
  .then(({ register }) => { register(); return import(workerData.lockModule); })
  .then(async ({ WriteLock }) => {
    // A pending Atomics.waitAsync does not keep a thread alive (see the last test of this block); the
    // thread of \`herald serve\` stays alive through its message port, this one through a timer.
    const keepAlive = setInterval(() => {}, 1000);
    const lock = new WriteLock(workerData.lockBuffer);
    const shared = new Int32Array(workerData.shared);
    Atomics.add(shared, 3, 1);
    while (Atomics.load(shared, 4) === 0) {
      const w = Atomics.waitAsync(shared, 4, 0, 50);
      if (w.async) await w.value;
    }
    for (let i = 0; i < workerData.rounds; i++) {
      await lock.run(async () => {
        if (Atomics.add(shared, 1, 1) !== 0) Atomics.add(shared, 2, 1);
        const v = shared[0];
        await new Promise((r) => setImmediate(r));
        shared[0] = v + 1;
        Atomics.sub(shared, 1, 1);
      });
    }
    clearInterval(keepAlive);
    parentPort.postMessage({ done: true });
  })
  .catch((e) => parentPort.postMessage({ error: String((e && e.stack) || e) }));
`;

  it('two threads plus the main thread: never two inside at once, no lost update', async () => {
    const lock = new WriteLock();
    const shared = new Int32Array(new SharedArrayBuffer(5 * 4));
    const workerData = {
      tsx: import.meta.resolve('tsx/esm/api'),
      lockModule: new URL('./write-lock.ts', import.meta.url).href,
      lockBuffer: lock.buffer,
      shared: shared.buffer,
      rounds: ROUNDS,
    };
    const threads = [0, 1].map(() => new Worker(threadCode, { eval: true, workerData }));
    try {
      const finished = threads.map(
        (t) =>
          new Promise<void>((resolve, reject) => {
            t.on('message', (m: { done?: boolean; error?: string }) =>
              m.error ? reject(new Error(m.error)) : resolve(),
            );
            t.on('error', reject);
            t.on('exit', (code) => reject(new Error(`thread exited (${code}) before it was done`)));
          }),
      );
      // Start together, so the three really contend.
      while (Atomics.load(shared, 3) < 2) {
        await Promise.race([sleep(10), ...finished]);
      }
      Atomics.store(shared, 4, 1);
      Atomics.notify(shared, 4);
      for (let i = 0; i < ROUNDS; i++) {
        await lock.run(async () => {
          if (Atomics.add(shared, 1, 1) !== 0) Atomics.add(shared, 2, 1);
          const v = shared[0]!;
          await new Promise((r) => setImmediate(r));
          shared[0] = v + 1;
          Atomics.sub(shared, 1, 1);
        });
      }
      await Promise.all(finished);
      expect(Atomics.load(shared, 2)).toBe(0);
      expect(Atomics.load(shared, 0)).toBe(3 * ROUNDS);
      // Everybody released: free again.
      expect(lock.tryAcquire()).toBe(true);
      lock.release();
    } finally {
      await Promise.all(threads.map((t) => t.terminate()));
    }
  }, 60_000);

  /**
   * On Node 20 a pending `Atomics.waitAsync` does not keep the event loop alive: `acquire()` holds a
   * ref'd timer while it waits, so a thread whose only pending work is a write waiting for the lock
   * does not end silently with the write undone.
   */
  it('a thread whose only pending work is acquire() stays alive until it gets the lock', async () => {
    const lock = new WriteLock();
    await lock.acquire(); // the main thread holds it
    const code = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.tsx)
  .then(({ register }) => { register(); return import(workerData.lockModule); })
  .then(async ({ WriteLock }) => {
    const lock = new WriteLock(workerData.lockBuffer);
    await lock.acquire();
    lock.release();
    parentPort.postMessage('acquired');
  })
  .catch((e) => parentPort.postMessage(String((e && e.stack) || e)));
`;
    const thread = new Worker(code, {
      eval: true,
      workerData: {
        tsx: import.meta.resolve('tsx/esm/api'),
        lockModule: new URL('./write-lock.ts', import.meta.url).href,
        lockBuffer: lock.buffer,
      },
    });
    try {
      const outcome = new Promise<string>((resolve) => {
        thread.on('message', (m: string) => resolve(m));
        thread.on('exit', (c) => resolve(`exited with code ${c}`));
      });
      // Once the thread has taken its ticket, hold on a little, then let it in.
      const cells = new Int32Array(lock.buffer);
      const deadline = Date.now() + 30_000;
      while (Atomics.load(cells, 0) < 2 && Date.now() < deadline) await sleep(10);
      await sleep(200);
      lock.release();
      expect(await outcome).toBe('acquired');
    } finally {
      await thread.terminate();
    }
  }, 60_000);
});

interface TestTables {
  item: { id: number; name: string };
  parent: { id: number };
  child: { id: number; parent_id: number };
}

describe('LockingSqliteDialect: two connections to one file sharing the lock', () => {
  let dir: string;
  let a: Db;
  let b: Db;
  let ka: Kysely<TestTables>;
  let kb: Kysely<TestTables>;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-write-lock-'));
    const file = path.join(dir, 'herald.db');
    a = openDb({ kind: 'sqlite', file });
    b = openDb({ kind: 'sqlite', file, writeLock: a.writeLock!.buffer });
    ka = a.kysely as unknown as Kysely<TestTables>;
    kb = b.kysely as unknown as Kysely<TestTables>;
    await ka.schema
      .createTable('item')
      .addColumn('id', 'integer', (col) => col.primaryKey())
      .addColumn('name', 'text', (col) => col.notNull().unique())
      .execute();
    await ka.schema
      .createTable('parent')
      .addColumn('id', 'integer', (col) => col.primaryKey())
      .execute();
    await sql`create table child (id integer primary key, parent_id integer not null
      references parent(id) deferrable initially deferred)`.execute(ka);
  });

  afterEach(async () => {
    await a.close();
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const names = async (k: Kysely<TestTables>) =>
    (await k.selectFrom('item').select('name').orderBy('id').execute()).map((r) => r.name);

  it('openDb shares the given buffer and writeLockOf returns the same lock for the raw connection', () => {
    expect(b.writeLock!.buffer).toBe(a.writeLock!.buffer);
    expect(writeLockOf(a.sqlite!)).toBe(a.writeLock);
    expect(writeLockOf(b.sqlite!)).toBe(b.writeLock);
    // One lock: taken through A, B cannot take it.
    expect(a.writeLock!.tryAcquire()).toBe(true);
    expect(b.writeLock!.tryAcquire()).toBe(false);
    a.writeLock!.release();
    expect(b.writeLock!.tryAcquire()).toBe(true);
    b.writeLock!.release();
  });

  it('a write on B waits for A’s open transaction and runs right after A commits; reads never wait', async () => {
    await kb.insertInto('item').values({ id: 1, name: 'before' }).execute();
    const inside = deferred();
    const gate = deferred();
    const txA = ka.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ id: 2, name: 'from A' }).execute();
      inside.resolve();
      await gate.promise;
    });
    await inside.promise;
    // While A holds the lock, nobody else can take it.
    expect(b.writeLock!.tryAcquire()).toBe(false);

    // A read on B does not wait, and sees only what is committed.
    expect(await names(kb)).toEqual(['before']);
    // Nor does a raw read.
    const count = await sql<{ n: number }>`select count(*) as n from item`.execute(kb);
    expect(count.rows[0]!.n).toBe(1);

    let bDoneAt = 0;
    const writeB = kb
      .insertInto('item')
      .values({ id: 3, name: 'from B' })
      .execute()
      .then(() => {
        bDoneAt = Date.now();
      });
    // Without the lock, B would block this thread in SQLite's busy handler (5 s) and then fail.
    await sleep(100);
    expect(await settled(writeB)).toBe(false);

    const commitAt = Date.now();
    gate.resolve();
    await txA;
    await writeB;
    expect(bDoneAt).toBeGreaterThanOrEqual(commitAt);
    expect(await names(ka)).toEqual(['before', 'from A', 'from B']);
    expect(a.writeLock!.tryAcquire()).toBe(true);
    a.writeLock!.release();
  });

  it('a raw SQL write on B waits too', async () => {
    const inside = deferred();
    const gate = deferred();
    const txA = ka.transaction().execute(async () => {
      inside.resolve();
      await gate.promise;
    });
    await inside.promise;
    const writeB = sql`insert into item (id, name) values (10, 'raw')`.execute(kb);
    await sleep(100);
    expect(await settled(writeB)).toBe(false);
    gate.resolve();
    await txA;
    await writeB;
    expect(await names(ka)).toEqual(['raw']);
  });

  it('a transaction on B waits for A’s transaction as a whole', async () => {
    const inside = deferred();
    const gate = deferred();
    const txA = ka.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ id: 1, name: 'A1' }).execute();
      inside.resolve();
      await gate.promise;
      await trx.insertInto('item').values({ id: 2, name: 'A2' }).execute();
    });
    await inside.promise;
    const txB = kb.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ id: 3, name: 'B' }).execute();
    });
    await sleep(100);
    expect(await settled(txB)).toBe(false);
    gate.resolve();
    await Promise.all([txA, txB]);
    expect(await names(ka)).toEqual(['A1', 'A2', 'B']);
  });

  it('a transaction on A that throws rolls back and releases the lock: B’s waiting write then runs', async () => {
    const inside = deferred();
    const gate = deferred();
    const txA = ka.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ id: 2, name: 'from A' }).execute();
      inside.resolve();
      await gate.promise;
      throw new Error('A gives up');
    });
    await inside.promise;
    const writeB = kb.insertInto('item').values({ id: 3, name: 'from B' }).execute();
    await sleep(100);
    expect(await settled(writeB)).toBe(false);
    gate.resolve();
    await expect(txA).rejects.toThrow('A gives up');
    await writeB;
    expect(await names(ka)).toEqual(['from B']);
    expect(a.sqlite!.inTransaction).toBe(false);
    expect(a.writeLock!.tryAcquire()).toBe(true);
    a.writeLock!.release();
  });

  it('a failing write outside a transaction releases the lock; later writes on both connections succeed', async () => {
    await kb.insertInto('item').values({ id: 1, name: 'taken' }).execute();
    await expect(kb.insertInto('item').values({ id: 2, name: 'taken' }).execute()).rejects.toThrow(
      /UNIQUE constraint failed/,
    );
    expect(b.writeLock!.tryAcquire()).toBe(true);
    b.writeLock!.release();
    await kb.insertInto('item').values({ id: 3, name: 'next on B' }).execute();
    await ka.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ id: 4, name: 'next on A' }).execute();
    });
    expect(await names(kb)).toEqual(['taken', 'next on B', 'next on A']);
  });

  it('a commit that fails (deferred foreign key) rolls back and releases the lock', async () => {
    await expect(
      ka.transaction().execute(async (trx) => {
        await trx.insertInto('child').values({ id: 1, parent_id: 99 }).execute();
      }),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
    expect(a.sqlite!.inTransaction).toBe(false);
    expect(a.writeLock!.tryAcquire()).toBe(true);
    a.writeLock!.release();
    await kb.insertInto('parent').values({ id: 99 }).execute();
    await ka.insertInto('child').values({ id: 1, parent_id: 99 }).execute();
    expect(await kb.selectFrom('child').selectAll().execute()).toEqual([{ id: 1, parent_id: 99 }]);
  });

  it('a begin that fails (file locked by a connection without the lock, as another process) releases the lock', async () => {
    const other = new (a.sqlite!.constructor as typeof import('better-sqlite3'))(a.sqlite!.name);
    try {
      other.exec('begin immediate');
      a.sqlite!.pragma('busy_timeout = 50');
      await expect(ka.transaction().execute(async () => {})).rejects.toThrow(/database is locked/);
      expect(a.writeLock!.tryAcquire()).toBe(true);
      a.writeLock!.release();
      // The same for a single write statement.
      await expect(ka.insertInto('item').values({ id: 1, name: 'x' }).execute()).rejects.toThrow(
        /database is locked/,
      );
      expect(a.writeLock!.tryAcquire()).toBe(true);
      a.writeLock!.release();
      other.exec('rollback');
      await ka.insertInto('item').values({ id: 1, name: 'x' }).execute();
      expect(await names(kb)).toEqual(['x']);
    } finally {
      other.close();
    }
  });
});
