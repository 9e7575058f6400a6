/**
 * Throughput limit accuracy: two dispatch workers share one provider account limited to 50 messages per
 * second (the bucket lives in the database), for a full minute. Every submit is timestamped by the
 * gateway adapter when it is called.
 *
 * Targets: no one-second window (sliding, [t, t + 1 s)) holds more than 50 submits, and the average
 * over the minute is within 2 % of 50/s.
 *
 * References in the same run:
 * - the ideal schedule: exactly 50 per second, evenly spaced (what a perfect limiter would do);
 * - a naive per-process limiter: each of the two workers with its own in-memory token bucket of
 *   50/s (capacity 50), the design the shared bucket replaces — measured for 10 s.
 *
 * Runs on a SQLite file, and on PostgreSQL too when HERALD_BENCH_POSTGRES_URL or
 * HERALD_TEST_POSTGRES_URL is set (two connection pools, like two machines).
 *
 *   npx tsx bench/throughput.bench.ts            the full minute per database
 *   npx tsx bench/throughput.bench.ts --quick    15 s per database (not the accepted measurement)
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { type Db, migrateToLatest, openDb } from '../src/db/db.js';
import type { ProviderOpener } from '../src/dispatch/dispatch.providers.js';
import { createWorker } from '../src/dispatch/dispatch.worker.js';
import { createMemoryBus } from '../src/modules/events/events.bus.js';
import type { Provider } from '../src/providers/provider.contract.js';
import { maxInWindow, queueMessages, seedUnit } from '../test/helpers/dispatch-fixtures.js';

const RATE = 50;
const quick = process.argv.includes('--quick');
const DURATION_MS = quick ? 15_000 : 60_000;
const NAIVE_MS = 10_000;
const pgUrl = process.env.HERALD_BENCH_POSTGRES_URL ?? process.env.HERALD_TEST_POSTGRES_URL;

/** Wall-clock milliseconds with sub-millisecond resolution. */
const nowMs = () => performance.timeOrigin + performance.now();

/** A gateway that answers after 5–15 ms and writes down when each submit reached it. */
function recordingGateway(times: number[]): ProviderOpener {
  return (account) => {
    const provider: Provider = {
      kind: 'simulator',
      capabilities: {
        unicode: true,
        shiftTables: [],
        maxParts: 10,
        deliveryReports: false,
        statusQuery: false,
        inbound: false,
        throughputUnit: 'messages',
      },
      async send(message) {
        times.push(nowMs());
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
        return { ok: true, gatewayId: `${account.id}-${message.id}`, status: 'accepted' };
      },
      parseDeliveryReport: () => ({ ok: false, reason: 'invalid_payload' }),
      async close() {},
    };
    return provider;
  };
}

interface Figures {
  case: string;
  submits: number;
  seconds: string;
  'average /s': string;
  'max in any 1 s': number;
  verdict: string;
}

function figures(name: string, times: number[], windowMs: number, judge: boolean): Figures {
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const inWindow = sorted.filter((t) => t < first + windowMs);
  const average = inWindow.length / (windowMs / 1000);
  const max = maxInWindow(inWindow);
  const ok = max <= RATE && Math.abs(average - RATE) / RATE <= 0.02;
  return {
    case: name,
    submits: inWindow.length,
    seconds: (windowMs / 1000).toFixed(0),
    'average /s': average.toFixed(2),
    'max in any 1 s': max,
    verdict: judge ? (ok ? 'PASS' : 'FAIL') : '(reference)',
  };
}

async function openDatabases(kind: 'sqlite' | 'postgres') {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-throughput-'));
    const db = openDb({ kind: 'sqlite', file: path.join(dir, 'herald.db') });
    await migrateToLatest(db);
    // One connection for both workers: SQLite has one writer per file anyway.
    return {
      dbs: [db, db],
      close: async () => {
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `herald_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(pgUrl!);
  u.pathname = `/${name}`;
  const dbs = [openDb({ kind: 'postgres', url: u.toString(), poolSize: 5 })];
  await migrateToLatest(dbs[0]!);
  dbs.push(openDb({ kind: 'postgres', url: u.toString(), poolSize: 5 }));
  return {
    dbs,
    close: async () => {
      for (const d of dbs) await d.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Two workers, one account at 50/s, for `DURATION_MS`. */
async function sharedBucket(kind: 'sqlite' | 'postgres'): Promise<{ figures: Figures; lag: string }> {
  const { dbs, close } = await openDatabases(kind);
  const [first, second] = dbs as [Db, Db];
  const { orgUnitId } = await seedUnit(first, { messagesPerSecond: RATE });
  await queueMessages(first, orgUnitId, Math.ceil((RATE * DURATION_MS) / 1000) + 500, {
    now: new Date().toISOString(),
  });
  const times: number[] = [];
  const config = loadConfig({ HERALD_LOG_LEVEL: 'silent', HERALD_WORKER_POLL_MS: '50' });
  const bus = createMemoryBus();
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const workers = [first, second].map((db, i) =>
    createWorker({
      db,
      clock: systemClock,
      bus,
      logger: silentLogger,
      config,
      providers: recordingGateway(times),
      workerId: `bench-${i}`,
    }),
  );
  for (const w of workers) w.start();
  while (times.length === 0 || nowMs() - times[0]! < DURATION_MS + 500) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await Promise.all(workers.map((w) => w.stop()));
  lag.disable();
  await close();
  return {
    figures: figures(`Herald, 2 workers, shared bucket (${kind})`, times, DURATION_MS, true),
    lag: `event loop delay p50 ${(lag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`,
  };
}

/** Reference: two "processes", each with its own in-memory 50/s token bucket, sending as fast as allowed. */
async function naivePerProcess(): Promise<Figures> {
  const times: number[] = [];
  const start = nowMs();
  const loop = async () => {
    let tokens = RATE;
    let last = nowMs();
    while (nowMs() - start < NAIVE_MS) {
      const t = nowMs();
      tokens = Math.min(RATE, tokens + ((t - last) / 1000) * RATE);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        times.push(t);
      } else {
        await new Promise((r) => setTimeout(r, ((1 - tokens) / RATE) * 1000));
      }
    }
  };
  await Promise.all([loop(), loop()]);
  return figures('naive per-process limiter, 2 processes', times, NAIVE_MS, false);
}

function ideal(): Figures {
  const times = Array.from({ length: (RATE * DURATION_MS) / 1000 }, (_, i) => (i * 1000) / RATE);
  return figures('ideal 50/s schedule', times, DURATION_MS, false);
}

const rows: Figures[] = [ideal(), await naivePerProcess()];
const notes: string[] = [];
for (const kind of pgUrl ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
  const r = await sharedBucket(kind);
  rows.push(r.figures);
  notes.push(`${kind}: ${r.lag}`);
}
console.log(
  `Throughput limit ${RATE}/s, ${DURATION_MS / 1000} s per database${quick ? ' (quick mode)' : ''}`,
);
console.table(rows);
for (const n of notes) console.log(n);
process.exitCode = rows.every((r) => r.verdict !== 'FAIL') ? 0 : 1;
