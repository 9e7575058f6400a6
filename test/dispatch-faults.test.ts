import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { type Db, migrateToLatest, openDb } from '../src/db/db.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { type JournalLine, readSubmitJournal } from '../src/dispatch/dispatch.providers.js';
import { createMemoryBus } from '../src/modules/events/events.bus.js';
import { createPgDatabase, terminateConnections } from './helpers/dispatch-db.js';
import {
  messageRows,
  queueMessages,
  seedUnit,
  statusCounts,
  testGateway,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';
import { type HeraldProcess, startHerald, waitForOutput } from './helpers/dispatch-process.js';

/** A simulator account for process tests: no delivery reports, every submit accepted after 150–300 ms. */
const SLOW_SIMULATOR = {
  latencyMs: { min: 150, max: 300 },
  acceptanceRate: 1,
  noReportRate: 1,
};

const submitsPerMessage = (lines: readonly JournalLine[]) => {
  const out = new Map<string, number>();
  for (const l of lines) if (l.event === 'submit') out.set(l.messageId, (out.get(l.messageId) ?? 0) + 1);
  return out;
};

/** A database a child process can open too: a SQLite file, or a PostgreSQL database of its own. */
async function sharedDatabase(dialect: 'sqlite' | 'postgres', dir: string) {
  if (dialect === 'postgres') {
    const pgDb = await createPgDatabase();
    return { db: pgDb.open(), url: pgDb.url, close: () => pgDb.drop() };
  }
  const file = path.join(dir, 'herald.db');
  const db = openDb({ kind: 'sqlite', file });
  await migrateToLatest(db);
  return { db, url: `sqlite:${file}`, close: () => db.close() };
}

describe.each(TEST_DIALECTS)('worker processes on %s', (dialect) => {
  let dir: string;
  let shared: Awaited<ReturnType<typeof sharedDatabase>>;
  let db: Db;
  const running: HeraldProcess[] = [];
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-dispatch-'));
    shared = await sharedDatabase(dialect, dir);
    db = shared.db;
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.kill('SIGKILL');
    await shared.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const worker = (env: Record<string, string>) => {
    const p = startHerald(['worker'], {
      HERALD_DATABASE_URL: shared.url,
      HERALD_SUBMIT_JOURNAL: path.join(dir, 'journal.ndjson'),
      HERALD_WORKER_LEASE_SECONDS: '5',
      HERALD_SUBMIT_TIMEOUT_SECONDS: '2',
      HERALD_WORKER_POLL_MS: '50',
      ...env,
    });
    running.push(p);
    return p;
  };
  const journal = () => readSubmitJournal(path.join(dir, 'journal.ndjson'));

  it('a worker killed with SIGKILL mid-batch: after a restart no message is lost and none the gateway took is sent again', async () => {
    const { orgUnitId } = await seedUnit(db, { messagesPerSecond: 50, settings: SLOW_SIMULATOR });
    const ids = await queueMessages(db, orgUnitId, 60, { now: new Date().toISOString() });
    const first = worker({});
    await waitFor(
      async () => journal().filter((l) => l.event === 'outcome').length >= 10,
      20_000,
      'ten gateway answers',
    );
    await first.kill('SIGKILL');
    const atKill = await statusCounts(db);
    expect(atKill.sending).toBeGreaterThan(0); // killed in the middle of its batch
    const takenBeforeKill = new Set(
      journal()
        .filter((l) => l.event === 'outcome' && l.ok)
        .map((l) => l.messageId),
    );

    const second = worker({});
    await waitFor(
      async () => {
        const c = await statusCounts(db);
        return !c.queued && !c.sending;
      },
      30_000,
      'every message handled',
    );
    expect(await second.kill('SIGTERM')).toBe(0);

    const rows = await messageRows(db);
    const submits = submitsPerMessage(journal());
    for (const id of ids) {
      const row = rows.get(id)!;
      // Nothing lost: each ends accepted, or unknown when the crash hit its submit.
      expect(['accepted', 'unknown']).toContain(row.status);
      // Never twice: at most one submit per message across both processes.
      expect(submits.get(id) ?? 0, id).toBeLessThanOrEqual(1);
      if (row.status === 'accepted') expect(submits.get(id)).toBe(1);
      if (takenBeforeKill.has(id)) expect(['accepted', 'unknown']).toContain(row.status);
    }
    // Only what was in flight at the kill is unknown.
    const unknown = ids.filter((id) => rows.get(id)!.status === 'unknown');
    expect(unknown.length).toBeLessThanOrEqual(atKill.sending!);
    expect(unknown.length).toBeGreaterThan(0);
  }, 90_000);

  // Two worker processes need a database both can open at once: PostgreSQL only (SQLite runs one worker).
  it.runIf(dialect === 'postgres')(
    'two worker processes share one PostgreSQL: every message submitted exactly once, by both',
    async () => {
      const { orgUnitId } = await seedUnit(db, {
        messagesPerSecond: 500,
        settings: { ...SLOW_SIMULATOR, latencyMs: { min: 20, max: 60 } },
      });
      const workers = [worker({}), worker({})];
      await Promise.all(workers.map((w) => waitForOutput(w, /worker started/)));
      // Queued once both run, so neither has drained the queue before the other started.
      const ids = await queueMessages(db, orgUnitId, 300, { now: new Date().toISOString() });
      await waitFor(async () => (await statusCounts(db)).accepted === ids.length, 60_000, 'all accepted');
      for (const w of workers) expect(await w.kill('SIGTERM')).toBe(0);
      const lines = journal();
      const submits = submitsPerMessage(lines);
      expect(submits.size).toBe(ids.length);
      expect([...submits.values()].every((n) => n === 1)).toBe(true);
      const pids = new Set(lines.filter((l) => l.event === 'submit').map((l) => l.pid));
      expect(pids).toEqual(new Set(workers.map((w) => w.pid)));
    },
    90_000,
  );
});

// Killing server-side connections is a PostgreSQL fault; SQLite has no server to restart.
describe.runIf(TEST_DIALECTS.includes('postgres'))('the database restarting under load (PostgreSQL)', () => {
  it('workers survive their connections being killed twice and send every message exactly once', async () => {
    const pgDb = await createPgDatabase();
    try {
      const observer = pgDb.open(2);
      const { orgUnitId } = await seedUnit(observer, { messagesPerSecond: 1000 });
      const ids = await queueMessages(observer, orgUnitId, 150, { now: new Date().toISOString() });
      const gateway = testGateway({
        script: async (_call, n) => {
          await new Promise((r) => setTimeout(r, 5 + (n % 15)));
          return { ok: true, gatewayId: `g${n}`, status: 'accepted' };
        },
      });
      const bus = createMemoryBus();
      const env = {
        HERALD_WORKER_POLL_MS: '20',
        HERALD_WORKER_LEASE_SECONDS: '5',
        HERALD_WORKER_BATCH_SIZE: '5',
      };
      const workers = [
        testWorker(
          { db: pgDb.open(), clock: systemClock, bus, providers: gateway.opener, workerId: 'A' },
          env,
        ),
        testWorker(
          { db: pgDb.open(), clock: systemClock, bus, providers: gateway.opener, workerId: 'B' },
          env,
        ),
      ];
      for (const w of workers) w.start();
      let killed = 0;
      for (const threshold of [30, 80]) {
        await waitFor(async () => gateway.calls.length >= threshold, 30_000, `${threshold} submits`);
        killed += await terminateConnections(pgDb.name);
      }
      expect(killed).toBeGreaterThan(2);
      await waitFor(
        async () => {
          const c = await statusCounts(observer).catch(() => ({}) as Record<string, number>);
          return c.accepted === ids.length;
        },
        45_000,
        'all accepted',
      );
      await Promise.all(workers.map((w) => w.stop()));
      const perMessage = new Map<string, number>();
      for (const c of gateway.calls) perMessage.set(c.messageId, (perMessage.get(c.messageId) ?? 0) + 1);
      expect(perMessage.size).toBe(ids.length);
      expect([...perMessage.entries()].filter(([, n]) => n > 1)).toEqual([]);
    } finally {
      await pgDb.drop();
    }
  }, 90_000);
});
