/**
 * Claim throughput: how many due messages per second the dispatch claim moves to `sending` (with its
 * lease, attempt count and one `message_events` row each), with 1 and 2 workers claiming at once, at
 * the worker's default batch of 10 and at 50.
 *
 * Reference in the same run, on the same rows: the bare claim statement of the dialect in a loop,
 * through the driver directly — `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING id` on SQLite
 * (better-sqlite3), `WITH picked AS (SELECT … FOR UPDATE SKIP LOCKED) UPDATE … RETURNING id` on
 * PostgreSQL (pg) — without history rows, transaction or query builder.
 *
 * SQLite always; PostgreSQL when HERALD_BENCH_POSTGRES_URL or HERALD_TEST_POSTGRES_URL is set (each
 * worker with its own connection pool, like separate machines). On SQLite the two workers share the one
 * connection (one writer per file): they take turns.
 *
 *   npx tsx bench/claim.bench.ts            10,000 messages per run
 *   npx tsx bench/claim.bench.ts --quick    2,000
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Db, migrateToLatest, openDb } from '../src/db/db.js';
import type { DialectName } from '../src/db/dialect.js';
import { claimDue } from '../src/dispatch/dispatch.claim.js';
import { dispatchDb } from '../src/dispatch/dispatch.tables.js';
import { queueMessages, seedUnit } from '../test/helpers/dispatch-fixtures.js';

const N = process.argv.includes('--quick') ? 2000 : 10_000;
const pgUrl = process.env.HERALD_BENCH_POSTGRES_URL ?? process.env.HERALD_TEST_POSTGRES_URL;
const NOW = '2026-11-22T09:00:00.000Z';
const LEASE = '2026-11-22T09:01:00.000Z';

interface Target {
  dialect: DialectName;
  /** One Db per worker (SQLite: the same one twice). */
  dbs: Db[];
  /** The bare statement, once, for one worker: returns how many rows it claimed. */
  raw: (worker: number, limit: number) => Promise<number>;
  close(): Promise<void>;
}

const RAW_SQLITE = `UPDATE messages SET status = 'sending', lease_until = ?, leased_by = ?, attempts = attempts + 1, updated_at = ?
  WHERE id IN (SELECT id FROM messages WHERE status = 'queued' AND due_at <= ? ORDER BY due_at, id LIMIT ?)
  RETURNING id`;
const RAW_POSTGRES = `WITH picked AS (
    SELECT id FROM messages WHERE status = 'queued' AND due_at <= $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
  UPDATE messages m SET status = 'sending', lease_until = $3, leased_by = $4, attempts = m.attempts + 1, updated_at = $1
  FROM picked WHERE m.id = picked.id RETURNING m.id`;

async function sqliteTarget(): Promise<Target> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-claim-'));
  const db = openDb({ kind: 'sqlite', file: path.join(dir, 'herald.db') });
  await migrateToLatest(db);
  const statement = db.sqlite!.prepare(RAW_SQLITE);
  return {
    dialect: 'sqlite',
    dbs: [db, db],
    raw: async (worker, limit) => statement.all(LEASE, `raw-${worker}`, NOW, NOW, limit).length,
    close: async () => {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<Target> {
  const name = `herald_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(pgUrl!);
  u.pathname = `/${name}`;
  const dbs = [openDb({ kind: 'postgres', url: u.toString(), poolSize: 2 })];
  await migrateToLatest(dbs[0]!);
  dbs.push(openDb({ kind: 'postgres', url: u.toString(), poolSize: 2 }));
  const clients = [
    new pg.Client({ connectionString: u.toString() }),
    new pg.Client({ connectionString: u.toString() }),
  ];
  for (const c of clients) await c.connect();
  return {
    dialect: 'postgres',
    dbs,
    raw: async (worker, limit) =>
      (await clients[worker]!.query(RAW_POSTGRES, [NOW, limit, LEASE, `raw-${worker}`])).rowCount ?? 0,
    close: async () => {
      for (const c of clients) await c.end();
      for (const d of dbs) await d.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function reset(db: Db) {
  await db.kysely
    .updateTable('messages')
    .set({ status: 'queued', lease_until: null, leased_by: null, attempts: 0 })
    .execute();
  await db.kysely.deleteFrom('message_events').execute();
}

/** Runs `claimOnce` in `workers` concurrent loops until nothing is left; returns messages per second. */
async function drain(workers: number, claimOnce: (worker: number) => Promise<number>): Promise<number> {
  let total = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (;;) {
        const n = await claimOnce(w);
        if (n === 0) return;
        total += n;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  if (total !== N) throw new Error(`claimed ${total} of ${N}`);
  return total / seconds;
}

const rows: Record<string, string>[] = [];
const targets = [await sqliteTarget(), ...(pgUrl ? [await postgresTarget()] : [])];
for (const target of targets) {
  const { orgUnitId } = await seedUnit(target.dbs[0]!);
  await queueMessages(target.dbs[0]!, orgUnitId, N, { now: NOW });
  for (const batch of [10, 50]) {
    for (const workers of [1, 2]) {
      await reset(target.dbs[0]!);
      const ours = await drain(workers, async (w) => {
        const db = target.dbs[w]!;
        const { claimed } = await claimDue({
          db: dispatchDb(db.kysely),
          dialect: target.dialect,
          params: {
            workerId: `w${w}`,
            limit: batch,
            now: NOW,
            nowMs: Date.parse(NOW),
            leaseUntil: LEASE,
            horizonMs: 1000,
          },
        });
        return claimed.length;
      });
      await reset(target.dbs[0]!);
      const raw = await drain(workers, (w) => target.raw(w, batch));
      rows.push({
        database: target.dialect,
        batch: String(batch),
        workers: String(workers),
        'Herald claim msg/s': ours.toFixed(0),
        'bare statement msg/s': raw.toFixed(0),
        ratio: (ours / raw).toFixed(2),
      });
    }
  }
  await target.close();
}
console.log(`Claim throughput, ${N} due messages per run`);
console.table(rows);
if (!pgUrl) console.log('PostgreSQL skipped: set HERALD_BENCH_POSTGRES_URL (or HERALD_TEST_POSTGRES_URL).');
