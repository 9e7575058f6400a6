import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Checkpointer,
  deferCheckpoints,
  SAFETY_AUTOCHECKPOINT_PAGES,
  startCheckpointer,
} from './checkpoint.js';
import { type Db, openDb } from './db.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tables {
  row: { id: number; payload: string };
}

/**
 * Rows of `row` in the main database file alone, read from a copy of that file without its -wal: what a
 * checkpoint has copied back, and nothing that is only in the WAL. Null while the copy is not readable
 * (taken in the middle of a checkpoint's writes).
 */
function rowsInMainFile(file: string, dir: string): number | null {
  const copy = path.join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
  fs.copyFileSync(file, copy);
  try {
    const db = new SqliteDatabase(copy);
    try {
      const hasTable = db.prepare(`select count(*) as n from sqlite_master where name = 'row'`).get() as {
        n: number;
      };
      if (hasTable.n === 0) return 0;
      return (db.prepare('select count(*) as n from row').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return null;
  } finally {
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) fs.rmSync(f, { force: true });
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

describe('WAL checkpoints on a thread of their own', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let k: Kysely<Tables>;
  let checkpointer: Checkpointer | null;
  let errors: string[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-checkpoint-'));
    file = path.join(dir, 'herald.db');
    db = openDb({ kind: 'sqlite', file });
    k = db.kysely as unknown as Kysely<Tables>;
    errors = [];
    checkpointer = null;
  });

  afterEach(async () => {
    await checkpointer?.stop();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const insertRows = (from: number, n: number) =>
    k.transaction().execute(async (trx) => {
      for (let i = from; i < from + n; i++) {
        await trx
          .insertInto('row')
          .values({ id: i, payload: `${i}:${'x'.repeat(1000)}` })
          .execute();
      }
    });
  const walBytes = () => fs.statSync(`${file}-wal`).size;

  it('the connection defers to the thread, which copies the WAL into the database file; stop() ends it', async () => {
    expect(db.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(1000); // SQLite's default
    checkpointer = startCheckpointer(db.sqlite!, (e) => errors.push(e));
    expect(db.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(SAFETY_AUTOCHECKPOINT_PAGES);

    await k.schema
      .createTable('row')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    // ~2,000 rows of 1 kB: several hundred pages, far below the connection's own threshold now.
    await insertRows(0, 2000);
    expect(walBytes()).toBeGreaterThan(500 * 4096);
    expect(await k.selectFrom('row').select(sql<number>`count(*)`.as('n')).executeTakeFirst()).toEqual({
      n: 2000,
    });

    // Only the thread can have copied them: the connection checkpoints itself only at SAFETY_AUTOCHECKPOINT_PAGES (4,000 pages, 16 MB).
    expect(await waitFor(() => rowsInMainFile(file, dir) === 2000, 10_000)).toBe(true);
    expect(fs.statSync(file).size).toBeGreaterThan(2000 * 1000);

    // stop() runs a last checkpoint: rows committed just before it are in the main file afterwards.
    await insertRows(2000, 300);
    const stopping = checkpointer;
    checkpointer = null;
    await stopping.stop();
    expect(rowsInMainFile(file, dir)).toBe(2300);

    // The thread is gone: nothing copies new frames any more (the connection would not before SAFETY_AUTOCHECKPOINT_PAGES).
    await insertRows(2300, 300);
    await sleep(400);
    expect(rowsInMainFile(file, dir)).toBe(2300);
    expect(await k.selectFrom('row').select(sql<number>`count(*)`.as('n')).executeTakeFirst()).toEqual({
      n: 2600,
    });
    expect(errors).toEqual([]);
  }, 30_000);

  it('keeps checkpointing while the connection writes, and never reports an error in normal use', async () => {
    checkpointer = startCheckpointer(db.sqlite!, (e) => errors.push(e));
    await k.schema
      .createTable('row')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    // Writes spread over more than a second: several ticks of the thread run beside them.
    let id = 0;
    for (let round = 0; round < 12; round++) {
      await insertRows(id, 100);
      id += 100;
      await sleep(100);
    }
    expect(await waitFor(() => rowsInMainFile(file, dir) === id, 10_000)).toBe(true);
    // The WAL is reused from its start after a full checkpoint, so it stays far below the data written.
    expect(walBytes()).toBeLessThan(id * 1000);
    expect(errors).toEqual([]);
  }, 30_000);

  it('deferCheckpoints sets the safety threshold on another connection', () => {
    const other = openDb({ kind: 'sqlite', file, writeLock: db.writeLock!.buffer });
    try {
      expect(other.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      deferCheckpoints(other.sqlite!);
      expect(other.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(SAFETY_AUTOCHECKPOINT_PAGES);
    } finally {
      other.sqlite!.close();
    }
  });

  it('stop() resolves promptly even right after start', async () => {
    const c = startCheckpointer(db.sqlite!, (e) => errors.push(e));
    await c.stop();
    expect(errors).toEqual([]);
  }, 10_000);
});

/**
 * A thread that dies (here: it cannot open the file; in general any uncaught error in it) is reported
 * through onError, and stop() still resolves (it once waited for an 'exit' event that had already been
 * emitted, and `herald serve` hung on shutdown).
 */
describe('a checkpoint thread that cannot open the file', () => {
  let dir: string;
  let db: Db;
  let errors: string[];
  let c: Checkpointer;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-checkpoint-gone-'));
    db = openDb({ kind: 'sqlite', file: path.join(dir, 'herald.db') });
    // The connection keeps its open file; the thread's new connection finds no directory to open it in.
    fs.rmSync(dir, { recursive: true, force: true });
    errors = [];
    c = startCheckpointer(db.sqlite!, (e) => errors.push(e));
  });
  afterEach(() => db.close());

  it('reports it through onError', async () => {
    expect(await waitFor(() => errors.length > 0, 10_000)).toBe(true);
    expect(errors[0]).toMatch(/directory does not exist|unable to open/i);
  });

  it('stop() still resolves after the thread died', async () => {
    expect(await waitFor(() => errors.length > 0, 10_000)).toBe(true);
    // 'exit' follows 'error' a moment later; `herald serve` stops long after (at shutdown).
    await sleep(500);
    const stopped = await Promise.race([c.stop().then(() => 'stopped'), sleep(3_000).then(() => 'hung')]);
    expect(stopped).toBe('stopped');
  }, 20_000);
});
