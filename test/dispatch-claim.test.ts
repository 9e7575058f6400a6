import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from '../src/core/clock.js';
import type { Db } from '../src/db/db.js';
import { createTestDb, TEST_DIALECTS } from '../src/db/test-dialects.js';
import { claimDue, recoverExpiredLeases } from '../src/dispatch/dispatch.claim.js';
import { dispatchDb } from '../src/dispatch/dispatch.tables.js';
import { createMemoryBus } from '../src/modules/events/events.bus.js';
import { createPgDatabase } from './helpers/dispatch-db.js';
import {
  clockSleep,
  historyOf,
  messageRows,
  queueMessages,
  seedUnit,
  statusCounts,
  testGateway,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';

const NOW = '2026-11-22T09:00:00.000Z';

describe.each(TEST_DIALECTS)('claiming on %s', (dialect) => {
  let db: Db;
  let unit: string;
  beforeEach(async () => {
    db = await createTestDb(dialect);
    unit = (await seedUnit(db)).orgUnitId;
  });
  afterEach(async () => db.close());

  const claim = (workerId: string, limit: number, now = NOW) =>
    claimDue({
      db: dispatchDb(db.kysely),
      dialect,
      params: {
        workerId,
        limit,
        now,
        nowMs: Date.parse(now),
        leaseUntil: new Date(Date.parse(now) + 60_000).toISOString(),
        horizonMs: 1000,
      },
    });

  it('takes due queued messages only, oldest first, up to the limit: sending, leased, attempt counted, history', async () => {
    const due = await queueMessages(db, unit, 3, { now: NOW });
    await queueMessages(db, unit, 1, { now: NOW, over: { due_at: '2026-11-22T09:00:01.000Z' } });
    await queueMessages(db, unit, 1, { now: NOW, over: { status: 'scheduled' } });
    await queueMessages(db, unit, 1, { now: NOW, over: { expires_at: NOW } });
    await queueMessages(db, unit, 1, { now: NOW, over: { status: 'accepted' } });

    const first = await claim('w1', 2);
    expect(first.claimed.map((m) => m.id)).toEqual(due.slice(0, 2));
    expect(first.claimed.map((m) => m.attempts)).toEqual([1, 1]);
    expect(first.changes.map((c) => [c.messageId, c.from, c.to])).toEqual(
      due.slice(0, 2).map((id) => [id, 'queued', 'sending']),
    );
    const second = await claim('w2', 10);
    expect(second.claimed.map((m) => m.id)).toEqual([due[2]]);
    expect((await claim('w3', 10)).claimed).toEqual([]);

    const rows = await messageRows(db);
    expect(rows.get(due[0]!)).toMatchObject({
      status: 'sending',
      leased_by: 'w1',
      lease_until: '2026-11-22T09:01:00.000Z',
      attempts: 1,
      submit_started_at: null,
    });
    expect(rows.get(due[2]!)!.leased_by).toBe('w2');
    expect(await historyOf(db, due[0]!)).toEqual([
      {
        from_status: 'queued',
        to_status: 'sending',
        applied: true,
        reason: null,
        source: 'worker',
        details: { workerId: 'w1', attempt: 1 },
      },
    ]);
  });

  it('skips messages of an account whose shared bucket has no slot within the horizon', async () => {
    const other = await seedUnit(db);
    const busy = await queueMessages(db, unit, 1, { now: NOW });
    const free = await queueMessages(db, other.orgUnitId, 1, { now: NOW });
    const { providerAccountId } = (await db.kysely
      .selectFrom('messages')
      .select('provider_account_id as providerAccountId')
      .where('id', '=', busy[0]!)
      .executeTakeFirstOrThrow()) as { providerAccountId: string };
    await dispatchDb(db.kysely)
      .insertInto('rate_buckets')
      .values({ provider_account_id: providerAccountId, next_at_ms: Date.parse(NOW) + 5000 })
      .execute();
    expect((await claim('w1', 10)).claimed.map((m) => m.id)).toEqual(free);
    expect((await claim('w1', 10, '2026-11-22T09:00:04.000Z')).claimed.map((m) => m.id)).toEqual(busy);
  });

  it('recovers expired leases: without the submit marker back to queued, with it unknown (never resent)', async () => {
    const [notStarted, started, live] = await queueMessages(db, unit, 3, { now: NOW });
    await claim('dead-worker', 2);
    await claim('live-worker', 1, '2026-11-22T09:00:30.000Z');
    await dispatchDb(db.kysely)
      .updateTable('messages')
      .set({ submit_started_at: '2026-11-22T09:00:00.500Z' })
      .where('id', '=', started!)
      .execute();

    const early = await recoverExpiredLeases({
      db: dispatchDb(db.kysely),
      dialect,
      now: '2026-11-22T09:00:59.000Z',
      limit: 100,
      retryBudget: 5,
    });
    expect(early).toEqual([]);
    const changes = await recoverExpiredLeases({
      db: dispatchDb(db.kysely),
      dialect,
      now: '2026-11-22T09:01:01.000Z',
      limit: 100,
      retryBudget: 5,
    });
    expect(changes.map((c) => [c.messageId, c.to]).sort()).toEqual(
      [
        [notStarted, 'queued'],
        [started, 'unknown'],
      ].sort(),
    );
    const rows = await messageRows(db);
    expect(rows.get(notStarted!)).toMatchObject({
      status: 'queued',
      leased_by: null,
      lease_until: null,
      attempts: 1,
    });
    expect(rows.get(started!)).toMatchObject({
      status: 'unknown',
      leased_by: null,
      submitted_at: '2026-11-22T09:00:00.500Z',
    });
    expect(rows.get(live!)).toMatchObject({ status: 'sending', leased_by: 'live-worker' });
    expect((await historyOf(db, started!)).at(-1)).toMatchObject({
      from_status: 'sending',
      to_status: 'unknown',
      reason: 'lease_expired',
      source: 'worker',
    });

    // A worker now sends the requeued one, and never the unknown one.
    const clock = fixedClock('2026-11-22T09:01:02.000Z');
    const gateway = testGateway();
    const w = testWorker({
      db,
      clock,
      bus: createMemoryBus(),
      providers: gateway.opener,
      sleep: clockSleep(clock),
    });
    await w.runOnce();
    clock.advance(3_600_000);
    await w.runOnce();
    await w.stop();
    // The other live worker's lease also ran out in that hour: without a marker it was sent too.
    expect(gateway.calls.map((c) => c.messageId)).toEqual([notStarted, live]);
    expect((await messageRows(db)).get(started!)!.status).toBe('unknown');
  });

  it('a message that loses its lease again and again (a poison message) fails once the budget is spent', async () => {
    const [id] = await queueMessages(db, unit, 1, { now: NOW, over: { attempts: 1 } });
    await claim('dead-worker', 1);
    const changes = await recoverExpiredLeases({
      db: dispatchDb(db.kysely),
      dialect,
      now: '2026-11-22T09:02:00.000Z',
      limit: 100,
      retryBudget: 2,
    });
    expect(changes.map((c) => c.to)).toEqual(['failed']);
    expect((await messageRows(db)).get(id!)).toMatchObject({
      status: 'failed',
      status_reason: 'retry_budget_exhausted',
      attempts: 2,
    });
  });

  it('hands every message to exactly one of many concurrent claimers', async () => {
    // PostgreSQL: three pools on one database, like three machines; SQLite: the one connection.
    const shared = dialect === 'postgres' ? await createPgDatabase() : null;
    const dbs = shared ? [shared.open(3), shared.open(3), shared.open(3)] : [db];
    try {
      const seeded = shared ? (await seedUnit(dbs[0]!)).orgUnitId : unit;
      const ids = await queueMessages(dbs[0]!, seeded, 300, { now: NOW });
      const claimedBy = new Map<string, string[]>();
      await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const workerDb = dbs[i % dbs.length]!;
          for (;;) {
            const { claimed } = await claimDue({
              db: dispatchDb(workerDb.kysely),
              dialect,
              params: {
                workerId: `w${i}`,
                limit: 7,
                now: NOW,
                nowMs: Date.parse(NOW),
                leaseUntil: '2026-11-22T09:01:00.000Z',
                horizonMs: 1000,
              },
            });
            if (claimed.length === 0) break;
            for (const m of claimed) claimedBy.set(m.id, [...(claimedBy.get(m.id) ?? []), `w${i}`]);
          }
        }),
      );
      expect(claimedBy.size).toBe(ids.length);
      expect([...claimedBy.values()].filter((w) => w.length > 1)).toEqual([]);
      expect(new Set([...claimedBy.values()].flat()).size).toBeGreaterThan(1);
      const events = await dbs[0]!.kysely
        .selectFrom('message_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('to_status', '=', 'sending')
        .executeTakeFirstOrThrow();
      expect(Number(events.n)).toBe(ids.length);
    } finally {
      await shared?.drop();
    }
  });
});

describe.each(TEST_DIALECTS)('two workers on one %s database', (dialect) => {
  it('send every message exactly once between them', async () => {
    const pgDb = dialect === 'postgres' ? await createPgDatabase() : null;
    const first = pgDb ? pgDb.open() : await createTestDb('sqlite');
    // SQLite: one connection serves both (one writer per file); PostgreSQL: a pool each, like two machines.
    const second = pgDb ? pgDb.open() : first;
    try {
      const { orgUnitId } = await seedUnit(first, { messagesPerSecond: 10_000 });
      const ids = await queueMessages(first, orgUnitId, 200, { now: new Date().toISOString() });
      const gateway = testGateway({
        script: async (_call, n) => {
          await new Promise((r) => setTimeout(r, 2 + (n % 5)));
          return { ok: true, gatewayId: `g${n}`, status: 'accepted' };
        },
      });
      const bus = createMemoryBus();
      const env = {
        HERALD_WORKER_POLL_MS: '20',
        HERALD_WORKER_BATCH_SIZE: '5',
        HERALD_WORKER_CONCURRENCY: '8',
      };
      const workers = [
        testWorker({ db: first, clock: systemClock, bus, providers: gateway.opener, workerId: 'A' }, env),
        testWorker({ db: second, clock: systemClock, bus, providers: gateway.opener, workerId: 'B' }, env),
      ];
      for (const w of workers) w.start();
      await waitFor(async () => (await statusCounts(first)).accepted === ids.length, 15_000, 'all accepted');
      await Promise.all(workers.map((w) => w.stop()));

      const perMessage = new Map<string, number>();
      for (const c of gateway.calls) perMessage.set(c.messageId, (perMessage.get(c.messageId) ?? 0) + 1);
      expect(perMessage.size).toBe(ids.length);
      expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
      const claimers = await first.kysely
        .selectFrom('message_events')
        .select('details')
        .where('to_status', '=', 'sending')
        .execute();
      const byWorker = new Set(claimers.map((c) => (JSON.parse(c.details) as { workerId: string }).workerId));
      expect(byWorker).toEqual(new Set(['A', 'B']));
    } finally {
      if (pgDb) await pgDb.drop();
      else await first.close();
    }
  });
});
