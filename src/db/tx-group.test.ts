import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type Generated, Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, migrateToLatest, openDb } from './db.js';
import { createTestDb, TEST_DIALECTS } from './test-dialects.js';
import { groupedTransactions, ownTransactions, type TxRunner, transactionsFor } from './tx-group.js';
import { LockingSqliteDialect, WriteLock } from './write-lock.js';

/** Scratch tables of these tests, created next to Herald's own (migrated) ones. */
interface Probe {
  tx_probe: { id: Generated<number>; label: string };
  tx_child: { id: Generated<number>; probe_id: number };
}

const CREATE_PROBE = sql`create table if not exists tx_probe (id integer primary key, label text not null)`;
const CREATE_CHILD = sql`create table if not exists tx_child (id integer primary key, probe_id integer not null references tx_probe (id))`;

describe('groupedTransactions on SQLite (a file, with a second connection reading)', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let raw: SqliteDatabase.Database;
  let kysely: Kysely<Probe>;
  /** Every statement the logged connection ran, in order (errors included). */
  let statements: string[];
  let reader: SqliteDatabase.Database;
  let tx: TxRunner<Probe>;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-txgroup-'));
    file = path.join(dir, 'herald.db');
    db = openDb({ kind: 'sqlite', file });
    await migrateToLatest(db);
    await CREATE_PROBE.execute(db.kysely);
    await CREATE_CHILD.execute(db.kysely);
    // A connection of our own with a query log: Kysely logs every statement of its connection,
    // `begin` and `commit` included, so the transactions are counted, not guessed. It uses the
    // production dialect (the write lock of openDb's connection, shared).
    raw = new SqliteDatabase(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    statements = [];
    kysely = new Kysely<Probe>({
      dialect: new LockingSqliteDialect({ database: raw }, raw, new WriteLock(db.writeLock!.buffer)),
      log: (e) => {
        statements.push(e.query.sql);
      },
    });
    tx = groupedTransactions(kysely);
    reader = new SqliteDatabase(file, { readonly: true });
  });

  afterEach(async () => {
    reader.close();
    await kysely.destroy();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What another connection sees committed right now. */
  const committed = () => reader.prepare('select label from tx_probe order by id').pluck().all() as string[];
  const count = (s: string) => statements.filter((x) => x.toLowerCase() === s).length;
  const insert = (trx: Kysely<Probe>, label: string) =>
    trx.insertInto('tx_probe').values({ label }).returning('id').executeTakeFirstOrThrow();

  it('(a) ten units started in one tick share ONE transaction, each in a savepoint', async () => {
    const seenByOthers: string[][] = [];
    const units = Array.from({ length: 10 }, (_, i) =>
      tx(async (trx) => {
        await insert(trx, `u${i}`);
        // While the group runs, another connection sees none of its writes: they are uncommitted, in
        // one transaction (with a transaction per unit, u0 … u(i-1) would be visible here).
        seenByOthers.push(committed());
        return i;
      }),
    );
    expect(await Promise.all(units)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seenByOthers).toEqual(Array.from({ length: 10 }, () => []));
    expect(committed()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']);
    expect(count('begin')).toBe(1);
    expect(count('commit')).toBe(1);
    expect(count('savepoint grouped_unit')).toBe(10);
    expect(count('release savepoint grouped_unit')).toBe(10);
    expect(count('rollback')).toBe(0);
  });

  it('(b) a unit that throws is rolled back alone and rejects with its own error; the others commit', async () => {
    const boom = new Error('unit 2 failed');
    const units = Array.from({ length: 5 }, (_, i) =>
      tx(async (trx) => {
        await insert(trx, `b${i}`);
        await insert(trx, `b${i}-second`);
        if (i === 2) throw boom;
        return `ok ${i}`;
      }),
    );
    const results = await Promise.allSettled(units);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[2] as PromiseRejectedResult).reason).toBe(boom);
    expect((results[4] as PromiseFulfilledResult<string>).value).toBe('ok 4');
    expect(committed()).toEqual(['b0', 'b0-second', 'b1', 'b1-second', 'b3', 'b3-second', 'b4', 'b4-second']);
    expect(count('begin')).toBe(1);
    expect(count('commit')).toBe(1);
    expect(count('rollback to savepoint grouped_unit')).toBe(1);
  });

  it('(c) a unit alone that throws rolls its writes back and rejects with its error', async () => {
    const boom = new Error('lonely failure');
    await expect(
      tx(async (trx) => {
        await insert(trx, 'alone-1');
        await insert(trx, 'alone-2');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(committed()).toEqual([]);
    expect(count('begin')).toBe(1);
    expect(count('rollback')).toBe(1);
    // The runner keeps working after it.
    await tx((trx) => insert(trx, 'after'));
    expect(committed()).toEqual(['after']);
  });

  it('(d) a failing COMMIT (deferred foreign key) rejects every unit of the group and stores nothing', async () => {
    const units = Array.from({ length: 4 }, (_, i) =>
      tx(async (trx) => {
        await insert(trx, `d${i}`);
        if (i === 1) {
          // Checked at COMMIT only: the statement and the savepoint release succeed.
          await sql`pragma defer_foreign_keys = on`.execute(trx);
          await trx.insertInto('tx_child').values({ probe_id: 999_999 }).execute();
        }
        return i;
      }),
    );
    const results = await Promise.allSettled(units);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of results)
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
    expect(committed()).toEqual([]);
    expect(reader.prepare('select count(*) from tx_child').pluck().get()).toBe(0);
    // The group reached COMMIT (all four units ran and released their savepoints) and was rolled back.
    expect(count('release savepoint grouped_unit')).toBe(4);
    expect(count('commit')).toBe(1);
    expect(count('rollback')).toBe(1);
    // The next group works (the transaction and the write lock were given back).
    await Promise.all([tx((trx) => insert(trx, 'next-1')), tx((trx) => insert(trx, 'next-2'))]);
    expect(committed()).toEqual(['next-1', 'next-2']);
  });

  it('(d) a failing BEGIN rejects every unit and runs none of them', async () => {
    // openDb's connection opens its transactions with `begin immediate`; another connection holds
    // SQLite's write lock past the busy timeout, so that BEGIN itself fails.
    db.sqlite!.pragma('busy_timeout = 50');
    const grouped = groupedTransactions(db.kysely);
    const blocker = new SqliteDatabase(file);
    blocker.exec('begin immediate');
    let ran = 0;
    try {
      const results = await Promise.allSettled(
        [1, 2, 3].map(() =>
          grouped(async (trx) => {
            ran++;
            await sql`insert into tx_probe (label) values ('never')`.execute(trx);
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const r of results)
        expect(String((r as PromiseRejectedResult).reason)).toMatch(/database is locked|SQLITE_BUSY/i);
      expect(ran).toBe(0);
    } finally {
      blocker.exec('rollback');
      blocker.close();
    }
    expect(committed()).toEqual([]);
    await grouped((trx) => sql`insert into tx_probe (label) values ('after-begin-failure')`.execute(trx));
    expect(committed()).toEqual(['after-begin-failure']);
  });

  it('(e) no unit resolves before the commit: at the moment each resolves, another connection sees its row', async () => {
    const visibleWhenResolved: boolean[] = [];
    const units = Array.from({ length: 8 }, (_, i) =>
      tx((trx) => insert(trx, `e${i}`)).then(() => {
        // Synchronously at resolution: a fresh read by another connection.
        visibleWhenResolved[i] = committed().includes(`e${i}`);
      }),
    );
    await Promise.all(units);
    expect(visibleWhenResolved).toEqual(Array.from({ length: 8 }, () => true));
    // And a failing unit's rejection also comes after the group committed (the others' rows are there).
    const seenAtRejection: string[][] = [];
    const a = tx((trx) => insert(trx, 'f-ok-1'));
    const b = tx(async () => {
      throw new Error('no');
    }).catch(() => seenAtRejection.push(committed()));
    const c = tx((trx) => insert(trx, 'f-ok-2'));
    await Promise.all([a, b, c]);
    expect(seenAtRejection).toEqual([[...Array.from({ length: 8 }, (_, i) => `e${i}`), 'f-ok-1', 'f-ok-2']]);
  });

  it('(f) more than 64 units are split into transactions of at most 64, and all commit', async () => {
    const perTransaction: number[] = [];
    let current = 0;
    const units = Array.from({ length: 150 }, (_, i) =>
      tx(async (trx) => {
        current++;
        await insert(trx, `g${String(i).padStart(3, '0')}`);
        return i;
      }),
    );
    // Count units per transaction from the log: savepoints between each `begin` and its `commit`.
    const values = await Promise.all(units);
    for (const s of statements.map((x) => x.toLowerCase())) {
      if (s === 'begin') current = 0;
      if (s === 'savepoint grouped_unit') current++;
      if (s === 'commit') perTransaction.push(current);
    }
    expect(values).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(perTransaction).toEqual([64, 64, 22]);
    expect(count('begin')).toBe(3);
    const rows = committed();
    expect(rows).toHaveLength(150);
    expect(rows).toEqual(Array.from({ length: 150 }, (_, i) => `g${String(i).padStart(3, '0')}`));
  });

  it('(g) units queued while a group is being written form the next group, in queueing order', async () => {
    const order: string[] = [];
    const later: Promise<unknown>[] = [];
    const first = ['A0', 'A1', 'A2'].map((name, i) =>
      tx(async (trx) => {
        order.push(name);
        await insert(trx, name);
        // Queued while this group runs (not awaited here: it would wait for this group's own commit).
        later.push(
          tx(async (t2) => {
            order.push(`B${i}`);
            await insert(t2, `B${i}`);
          }),
        );
      }),
    );
    await Promise.all(first);
    expect(later).toHaveLength(3);
    await Promise.all(later);
    expect(order).toEqual(['A0', 'A1', 'A2', 'B0', 'B1', 'B2']);
    expect(committed()).toEqual(['A0', 'A1', 'A2', 'B0', 'B1', 'B2']);
    // Two transactions: the second group started after the first committed.
    expect(
      statements
        .map((s) => s.toLowerCase())
        .filter((s) => s === 'begin' || s === 'commit' || s.startsWith('insert')),
    ).toEqual([
      'begin',
      ...Array(3).fill('insert into "tx_probe" ("label") values (?) returning "id"'),
      'commit',
      'begin',
      ...Array(3).fill('insert into "tx_probe" ("label") values (?) returning "id"'),
      'commit',
    ]);
  });

  it('ownTransactions: one transaction per unit (each unit sees the previous unit committed)', async () => {
    const own = ownTransactions(kysely);
    const seenByOthers: string[][] = [];
    const boom = new Error('own failure');
    const results = await Promise.allSettled(
      ['o0', 'o1', 'o2'].map((label) =>
        own(async (trx) => {
          seenByOthers.push(committed());
          await insert(trx, label);
          if (label === 'o1') throw boom;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(boom);
    expect(seenByOthers).toEqual([[], ['o0'], ['o0']]);
    expect(committed()).toEqual(['o0', 'o2']);
    expect(count('begin')).toBe(3);
    expect(count('commit')).toBe(2);
    expect(count('rollback')).toBe(1);
    expect(count('savepoint grouped_unit')).toBe(0);
  });

  it('(h) transactionsFor: one runner per Kysely instance; on SQLite it groups', async () => {
    const runner = transactionsFor(db.kysely);
    expect(transactionsFor(db.kysely)).toBe(runner);
    const other = openDb({ kind: 'sqlite', file: ':memory:' });
    try {
      expect(transactionsFor(other.kysely)).not.toBe(runner);
    } finally {
      await other.close();
    }
    // Grouped: the second unit of the tick runs before the first one's write is committed (with a
    // transaction per unit the other connection would see 'h0' here).
    const seenInSecond: string[][] = [];
    await Promise.all([
      runner(async (trx) => {
        await sql`insert into tx_probe (label) values ('h0')`.execute(trx);
      }),
      runner(async (trx) => {
        seenInSecond.push(committed());
        await sql`insert into tx_probe (label) values ('h1')`.execute(trx);
      }),
    ]);
    expect(seenInSecond).toEqual([[]]);
    expect(committed()).toEqual(['h0', 'h1']);
  });
});

describe.runIf(TEST_DIALECTS.includes('postgres'))(
  'transactionsFor on PostgreSQL (runs only when HERALD_TEST_POSTGRES_URL is set)',
  () => {
    let db: Db;
    beforeEach(async () => {
      db = await createTestDb('postgres');
      await sql`create table tx_probe (id serial primary key, label text not null)`.execute(db.kysely);
    });
    afterEach(async () => db.close());

    it('one runner per instance, a transaction per unit: a unit may wait for another unit’s commit', async () => {
      const runner = transactionsFor(db.kysely);
      expect(transactionsFor(db.kysely)).toBe(runner);
      // With grouped transactions the second unit would wait forever for the first one's promise
      // (it settles only after the shared commit, which waits for the second unit).
      const first = runner(async (trx) => {
        await sql`insert into tx_probe (label) values ('p0')`.execute(trx);
        return 'p0';
      });
      const second = runner(async (trx) => {
        const before = await first;
        await sql`insert into tx_probe (label) values ('p1')`.execute(trx);
        return `${before} then p1`;
      });
      const deadline = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('units of their own must not wait for each other')), 5_000),
      );
      expect(await Promise.race([second, deadline])).toBe('p0 then p1');
      const boom = new Error('pg unit failed');
      await expect(
        runner(async (trx) => {
          await sql`insert into tx_probe (label) values ('p2')`.execute(trx);
          throw boom;
        }),
      ).rejects.toBe(boom);
      const rows = await sql<{ label: string }>`select label from tx_probe order by id`.execute(db.kysely);
      expect(rows.rows.map((r) => r.label)).toEqual(['p0', 'p1']);
    });
  },
);
