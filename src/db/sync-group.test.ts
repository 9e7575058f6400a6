import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type Generated, type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from './db.js';
import { changes, first, type Ops, opsRunnerFor, rows, runOps, runOpsSync } from './ops.js';
import { syncTransactions } from './sync-group.js';
import { createTestDb, TEST_DIALECTS } from './test-dialects.js';
import { transactionsFor } from './tx-group.js';

interface Probe {
  sync_probe: { id: Generated<number>; label: string; flag: number | boolean };
}
const CREATE = sql`create table if not exists sync_probe (id integer primary key, label text not null unique, flag integer not null)`;

describe('syncTransactions on a SQLite file', () => {
  let dir: string;
  let db: Db;
  let reader: SqliteDatabase.Database;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-sync-'));
    db = openDb({ kind: 'sqlite', file: path.join(dir, 'h.db') });
    await CREATE.execute(db.kysely);
    reader = new SqliteDatabase(path.join(dir, 'h.db'), { readonly: true });
  });
  afterEach(async () => {
    reader.close();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const committed = () => reader.prepare('select label from sync_probe order by id').pluck().all();
  const insert = (label: string) =>
    db.sqlite!.prepare('insert into sync_probe (label, flag) values (?, 0)').run(label);

  it('units of one tick share one commit; each resolves only once its row is visible to others; a failing unit fails alone', async () => {
    const tx = syncTransactions(db.kysely, db.sqlite!, 64);
    const seenAtResolve: string[][] = [];
    const units = ['a', 'b', 'a', 'c'].map((label) =>
      tx(() => {
        insert(label); // the second 'a' breaks the unique constraint
        return label;
      }).then(
        (v) => {
          seenAtResolve.push(committed() as string[]);
          return v;
        },
        (e: Error) => `failed: ${e.message.includes('UNIQUE') ? 'unique' : e.message}`,
      ),
    );
    expect(await Promise.all(units)).toEqual(['a', 'b', 'failed: unique', 'c']);
    expect(committed()).toEqual(['a', 'b', 'c']);
    // Every unit saw all three rows when it resolved: they were committed together, before any answer.
    expect(seenAtResolve.every((seen) => seen.length === 3)).toBe(true);
  });

  it('refuses an async unit (its statements would run after the commit); the others commit', async () => {
    const tx = syncTransactions(db.kysely, db.sqlite!, 64);
    const results = await Promise.allSettled([tx(() => insert('sync')), tx(async () => insert('async'))]);
    expect(results[0]!.status).toBe('fulfilled');
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringContaining('must not be async') },
    });
    await new Promise((r) => setTimeout(r, 20));
    // The async unit's insert ran inside its savepoint and was rolled back with it.
    expect(committed()).toEqual(['sync']);
  });

  it("an error that ended SQLite's whole transaction fails the group with that error, not a missing savepoint", async () => {
    const tx = syncTransactions(db.kysely, db.sqlite!, 64);
    const results = await Promise.allSettled([
      tx(() => insert('before')),
      tx(() => {
        // As SQLite does itself on a full disk or an I/O error: the transaction is gone.
        db.sqlite!.prepare('ROLLBACK').run();
        throw new Error('disk full');
      }),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual([
      'disk full',
      'disk full',
    ]);
    expect(committed()).toEqual([]);
    // The connection is usable afterwards.
    await tx(() => insert('after'));
    expect(committed()).toEqual(['after']);
  });

  it('waits for a Kysely transaction open on the same connection instead of landing inside it', async () => {
    const tx = syncTransactions(db.kysely, db.sqlite!, 64);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const open = db.kysely.transaction().execute(async (trx) => {
      await sql`insert into sync_probe (label, flag) values ('in-transaction', 0)`.execute(trx);
      order.push('transaction wrote');
      await held;
      throw new Error('roll back');
    });
    await new Promise((r) => setTimeout(r, 20));
    const unit = tx(() => {
      order.push('unit ran');
      insert('unit');
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['transaction wrote']);
    release();
    await expect(open).rejects.toThrow('roll back');
    await unit;
    // The unit's row survived the other transaction's rollback: it was never inside it.
    expect(committed()).toEqual(['unit']);
  });
});

/** A procedure with a write, a caught failure (where asked), a read with a boolean parameter and a list. */
function* procedure(
  db: Kysely<Probe>,
  label: string,
  tryDuplicate: boolean,
): Ops<{ inserted: number; duplicate: boolean; found: unknown; count: number }> {
  const inserted = yield* changes(db.insertInto('sync_probe').values({ label, flag: true }));
  let duplicate = false;
  if (tryDuplicate) {
    try {
      yield* changes(db.insertInto('sync_probe').values({ label, flag: false }));
    } catch {
      // The runner hands the statement's error to the procedure, which may handle it.
      duplicate = true;
    }
  }
  const found = yield* first(
    db.selectFrom('sync_probe').select(['label']).where('flag', '=', true).orderBy('id'),
  );
  const all = yield* rows(db.selectFrom('sync_probe').select('label'));
  return { inserted, duplicate, found, count: all.length };
}

describe.each(TEST_DIALECTS)('procedures (db/ops.ts) on %s', (dialect) => {
  let db: Db;
  beforeEach(async () => {
    db = await createTestDb(dialect);
    const id = sql.raw(dialect === 'postgres' ? 'serial' : 'integer');
    await sql`create table sync_probe (id ${id} primary key, label text not null unique, flag boolean not null)`.execute(
      db.kysely,
    );
  });
  afterEach(async () => db.close());

  it('give the same results through Kysely, the shared-commit runner and (SQLite) the synchronous runner', async () => {
    const kysely = db.kysely as unknown as Kysely<Probe>;
    const shared = await opsRunnerFor(
      kysely,
      transactionsFor(kysely),
    )((trx) => procedure(trx, 'first', false));
    expect(shared).toEqual({ inserted: 1, duplicate: false, found: { label: 'first' }, count: 1 });
    const viaKysely = await runOps(kysely as Kysely<unknown>, procedure(kysely, 'second', false));
    expect(viaKysely).toEqual({ inserted: 1, duplicate: false, found: { label: 'first' }, count: 2 });
    if (dialect === 'sqlite') {
      // Outside a transaction each statement stands alone: the failed duplicate is caught and the rest runs.
      const direct = runOpsSync(db.sqlite!, procedure(kysely, 'third', true));
      expect(direct).toEqual({ inserted: 1, duplicate: true, found: { label: 'first' }, count: 3 });
    }
  });
});
