import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from '../src/core/clock.js';
import type { Db } from '../src/db/db.js';
import { createTestDb, TEST_DIALECTS } from '../src/db/test-dialects.js';
import { createRateLimiter, slotIntervalMs } from '../src/dispatch/dispatch.rate.js';
import { dispatchDb } from '../src/dispatch/dispatch.tables.js';
import { createMemoryBus } from '../src/modules/events/events.bus.js';
import { createPgDatabase } from './helpers/dispatch-db.js';
import {
  clockSleep,
  maxInWindow,
  messageRows,
  queueMessages,
  seedUnit,
  statusCounts,
  testGateway,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';

const NOW = '2026-11-22T09:00:00.000Z';

describe.each(TEST_DIALECTS)('shared rate buckets on %s', (dialect) => {
  let db: Db;
  beforeEach(async () => {
    db = await createTestDb(dialect);
  });
  afterEach(async () => db.close());

  it('hands out evenly spaced slots from one bucket to every limiter, up to the horizon', async () => {
    const clock = fixedClock(NOW);
    // Two limiters, as two workers would have: they share nothing but the database row.
    const a = createRateLimiter({ db: dispatchDb(db.kysely), clock, horizonMs: 1000 });
    const b = createRateLimiter({ db: dispatchDb(db.kysely), clock, horizonMs: 1000 });
    const t0 = Date.parse(NOW);
    const interval = slotIntervalMs(10);
    const slots: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await (i % 2 === 0 ? a : b).reserve('acct', 10, 1);
      expect(r.ok).toBe(true);
      if (r.ok) slots.push(r.slotMs - t0);
    }
    // Epoch milliseconds in a double: exact to a fraction of a microsecond.
    for (const [i, slot] of slots.entries()) expect(slot).toBeCloseTo(i * interval, 2);
    expect(interval).toBeGreaterThan(100); // 1 % headroom: 101.01 ms at 10/s
    const refused = await a.reserve('acct', 10, 1);
    expect(refused).toMatchObject({ ok: false, paused: false });
    expect(!refused.ok && refused.retryAtMs).toBeCloseTo(t0 + 10 * interval - 1000, 2);
    // Another account has its own bucket.
    expect(await b.reserve('other', 10, 1)).toEqual({ ok: true, slotMs: t0 });
  });

  it('charges a message its cost (parts, where the gateway counts parts)', async () => {
    const clock = fixedClock(NOW);
    const limiter = createRateLimiter({ db: dispatchDb(db.kysely), clock, horizonMs: 1000 });
    const t0 = Date.parse(NOW);
    await limiter.reserve('acct', 10, 3);
    const next = await limiter.reserve('acct', 10, 1);
    expect(next.ok && next.slotMs - t0).toBeCloseTo(3 * slotIntervalMs(10), 2);
  });

  it('a pause (throttled answer) holds every slot of the account until it ends, and says so', async () => {
    const clock = fixedClock(NOW);
    const limiter = createRateLimiter({ db: dispatchDb(db.kysely), clock, horizonMs: 1000 });
    const t0 = Date.parse(NOW);
    await limiter.pause('acct', t0 + 30_000);
    expect(await limiter.reserve('acct', 50, 1)).toEqual({ ok: false, retryAtMs: t0 + 29_000, paused: true });
    await limiter.pause('acct', t0 + 10_000); // a shorter pause never shortens a longer one
    clock.set(new Date(t0 + 29_500));
    expect(await limiter.reserve('acct', 50, 1)).toEqual({ ok: true, slotMs: t0 + 30_000 });
    // That first submit after the pause is a probe: the next one waits a second more.
    const after = await limiter.reserve('acct', 50, 1);
    expect(after).toMatchObject({ ok: false });
    clock.set(new Date(t0 + 30_500));
    const next = await limiter.reserve('acct', 50, 1);
    expect(next.ok && next.slotMs - (t0 + 31_000)).toBeCloseTo(slotIntervalMs(50), 2);
  });

  it('a worker waits for its slots: a 3-part message costs three when parts count', async () => {
    const clock = fixedClock(NOW);
    const { orgUnitId, providerAccountId } = await seedUnit(db, { messagesPerSecond: 5 });
    const [long, short] = await queueMessages(db, orgUnitId, 2, {
      now: NOW,
      over: { body: 'x'.repeat(400), parts: 3 },
    });
    await db.kysely
      .updateTable('messages')
      .set({ body: 'short', parts: 1 })
      .where('id', '=', short!)
      .execute();
    const gateway = testGateway({ clock });
    const w = testWorker(
      {
        db,
        clock,
        bus: createMemoryBus(),
        providers: gateway.opener,
        sleep: clockSleep(clock),
        rateCost: (_account, parts) => parts,
      },
      { HERALD_WORKER_BATCH_SIZE: '1' },
    );
    await w.runOnce();
    await w.runOnce();
    await w.stop();
    expect(gateway.calls.map((c) => c.messageId)).toEqual([long, short]);
    expect(gateway.calls[0]!.message.parts).toHaveLength(3);
    expect(gateway.calls[1]!.at - gateway.calls[0]!.at).toBeGreaterThanOrEqual(3 * slotIntervalMs(5) - 1);
    expect((await messageRows(db)).get(short!)!.provider_account_id).toBe(providerAccountId);
  });
});

describe.each(TEST_DIALECTS)('one limit for two workers on %s', (dialect) => {
  it('two workers together stay within the account limit in every one-second window', async () => {
    const shared = dialect === 'postgres' ? await createPgDatabase() : null;
    const first = shared ? shared.open() : await createTestDb('sqlite');
    const second = shared ? shared.open() : first;
    try {
      const { orgUnitId } = await seedUnit(first, { messagesPerSecond: 20 });
      await queueMessages(first, orgUnitId, 50, { now: new Date().toISOString() });
      const gateway = testGateway({ clock: systemClock });
      const bus = createMemoryBus();
      const env = { HERALD_WORKER_POLL_MS: '20', HERALD_WORKER_CONCURRENCY: '16' };
      const workers = [
        testWorker({ db: first, clock: systemClock, bus, providers: gateway.opener, workerId: 'A' }, env),
        testWorker({ db: second, clock: systemClock, bus, providers: gateway.opener, workerId: 'B' }, env),
      ];
      for (const w of workers) w.start();
      await waitFor(async () => (await statusCounts(first)).accepted === 50, 15_000, 'all accepted');
      await Promise.all(workers.map((w) => w.stop()));
      const claims = await first.kysely
        .selectFrom('message_events')
        .select('details')
        .where('to_status', '=', 'sending')
        .execute();
      const byWorker = new Set(claims.map((c) => (JSON.parse(c.details) as { workerId: string }).workerId));
      expect(byWorker).toEqual(new Set(['A', 'B']));
      const times = gateway.calls.map((c) => c.at);
      expect(times).toHaveLength(50);
      expect(maxInWindow(times)).toBeLessThanOrEqual(20);
      // Not a per-process limit: two processes with their own 20/s would take half the time.
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(49 * (1000 / 20) * 0.98);
    } finally {
      if (shared) await shared.drop();
      else await first.close();
    }
  });
});
