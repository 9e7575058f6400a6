import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from '../src/core/clock.js';
import type { Db } from '../src/db/db.js';
import { createTestDb, TEST_DIALECTS } from '../src/db/test-dialects.js';
import { createMemoryBus } from '../src/modules/events/events.bus.js';
import type { SendOutcome } from '../src/providers/provider.contract.js';
import {
  clockSleep,
  historyOf,
  messageRows,
  queueMessages,
  seedUnit,
  testGateway,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';

describe.each(TEST_DIALECTS)('worker lifecycle and gateway faults on %s', (dialect) => {
  let db: Db;
  beforeEach(async () => {
    db = await createTestDb(dialect);
  });
  afterEach(async () => db.close());

  it('graceful shutdown: stops claiming, finishes the submit in flight, puts the not-yet-submitted back', async () => {
    const { orgUnitId } = await seedUnit(db, { messagesPerSecond: 1 });
    const ids = await queueMessages(db, orgUnitId, 4, { now: new Date().toISOString() });
    let release!: () => void;
    const answered = new Promise<void>((r) => {
      release = r;
    });
    const order: string[] = [];
    const gateway = testGateway({
      script: async (_call, n): Promise<SendOutcome> => {
        await answered;
        order.push('gateway answered');
        return { ok: true, gatewayId: `g${n}`, status: 'accepted' };
      },
    });
    const w = testWorker(
      { db, clock: systemClock, bus: createMemoryBus(), providers: gateway.opener },
      { HERALD_WORKER_BATCH_SIZE: '4', HERALD_WORKER_CONCURRENCY: '4', HERALD_WORKER_POLL_MS: '20' },
    );
    w.start();
    await waitFor(async () => gateway.calls.length === 1 && w.inFlight === 4, 5000, 'one submit in flight');
    const stopped = w.stop().then(() => order.push('stopped'));
    await new Promise((r) => setTimeout(r, 150));
    expect(order).toEqual([]); // still waiting for the submit in flight
    release();
    await stopped;
    expect(order).toEqual(['gateway answered', 'stopped']);

    const rows = await messageRows(db);
    const sent = gateway.calls[0]!.messageId;
    expect(rows.get(sent)).toMatchObject({ status: 'accepted', leased_by: null });
    for (const id of ids.filter((i) => i !== sent)) {
      expect(rows.get(id)).toMatchObject({
        status: 'queued',
        attempts: 0, // the claim's attempt was given back: nothing was tried
        leased_by: null,
        lease_until: null,
        submit_started_at: null,
      });
      expect((await historyOf(db, id)).at(-1)).toMatchObject({
        from_status: 'sending',
        to_status: 'queued',
        reason: 'released',
      });
    }
    expect(gateway.calls).toHaveLength(1);
  });

  it('a gateway answering 429 for 30 s: every message goes out once it stops, none fails, the budget is untouched', async () => {
    const clock = fixedClock('2026-11-22T09:00:00.000Z');
    const start = clock.now().getTime();
    const { orgUnitId } = await seedUnit(db, { messagesPerSecond: 50 });
    const ids = await queueMessages(db, orgUnitId, 10, { now: clock.now().toISOString() });
    const gateway = testGateway({
      clock,
      script: (call, n) =>
        call.at < start + 30_000
          ? { ok: false, class: 'throttled', code: 'HTTP_429', text: 'Too Many Requests', retryAfterMs: 1000 }
          : { ok: true, gatewayId: `g${n}`, status: 'accepted' },
    });
    const w = testWorker(
      { db, clock, bus: createMemoryBus(), providers: gateway.opener, sleep: clockSleep(clock) },
      { HERALD_RETRY_BUDGET: '2' },
    );
    for (let i = 0; i < 90 && clock.now().getTime() < start + 90_000; i++) {
      await w.runOnce();
      clock.advance(1000);
    }
    await w.stop();
    const rows = await messageRows(db);
    for (const id of ids) {
      const row = rows.get(id)!;
      expect(row.status).toBe('accepted');
      expect(row.attempts - row.throttled_count).toBe(1);
    }
    const accepted = gateway.calls.filter((c) => c.at >= start + 30_000);
    expect(accepted.map((c) => c.messageId).sort()).toEqual([...ids].sort());
    // While it throttled, the account was paused after each 429: about one try per second, not ten.
    const throttled = gateway.calls.filter((c) => c.at < start + 30_000);
    expect(throttled.length).toBeGreaterThan(10);
    expect(throttled.length).toBeLessThanOrEqual(31);
  });

  it('a gateway that takes the message and never answers: unknown after the submit timeout, never sent again', async () => {
    const clock = fixedClock('2026-11-22T09:00:00.000Z');
    const { orgUnitId } = await seedUnit(db);
    const [id] = await queueMessages(db, orgUnitId, 1, { now: clock.now().toISOString() });
    const gateway = testGateway({ script: () => new Promise<SendOutcome>(() => {}) });
    const w = testWorker(
      { db, clock, bus: createMemoryBus(), providers: gateway.opener, sleep: clockSleep(clock) },
      { HERALD_SUBMIT_TIMEOUT_SECONDS: '1', HERALD_STATUS_TIMEOUT_HOURS: '2' },
    );
    await w.runOnce();
    expect((await messageRows(db)).get(id!)).toMatchObject({
      status: 'unknown',
      error_code: 'SUBMIT_TIMEOUT',
      leased_by: null,
    });
    for (let i = 0; i < 3; i++) {
      clock.advance(3_600_000);
      await w.runOnce();
    }
    await w.checkStatusTimeouts();
    await w.stop();
    expect(gateway.calls).toHaveLength(1);
    expect((await messageRows(db)).get(id!)!.status).toBe('status_timeout');
  });

  it('an adapter that throws during the submit: unknown (the request may have gone out), not resent', async () => {
    const clock = fixedClock('2026-11-22T09:00:00.000Z');
    const { orgUnitId } = await seedUnit(db);
    const [id] = await queueMessages(db, orgUnitId, 1, { now: clock.now().toISOString() });
    const gateway = testGateway({
      script: () => {
        throw new Error('socket hang up');
      },
    });
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
    expect(gateway.calls).toHaveLength(1);
    expect((await messageRows(db)).get(id!)).toMatchObject({ status: 'unknown', error_code: 'SUBMIT_ERROR' });
  });
});
