import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import type { Db } from '../src/db/db.js';
import { createTestDb } from '../src/db/test-dialects.js';
import type { Worker } from '../src/dispatch/dispatch.worker.js';
import { createMemoryBus } from '../src/modules/events/events.bus.js';
import {
  messageRows,
  queueMessages,
  seedUnit,
  statusCounts,
  testGateway,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';

/**
 * The claim loop must not sleep for the poll interval while messages are due and there is room.
 *
 * Real time on purpose (system clock, the worker's real sleep): a poll sleep of 5 s is what the test
 * would notice. With concurrency 16 and batch size 10, the second claim of a round asks for the free
 * room (16 − 10 = 6), not for a batch. The old loop claimed again at once only when a claim returned
 * `workerBatchSize` messages; a full claim of 6 (or 8, 9 after the worker woke with room) never equals 10,
 * so whenever some messages had already finished by then (the gateway answers at once, so they do),
 * the old loop was not full and slept `workerPollMs` (5 s) with 190 messages still due: 200 messages
 * took many such sleeps, far beyond the 4 s allowed here. Checked by running this test against the old
 * condition (`started.length === config.workerBatchSize`) in a scratch copy: it timed out.
 */
describe('dispatch worker claim loop (SQLite, real time)', () => {
  let db: Db;
  let worker: Worker | undefined;
  beforeEach(async () => {
    db = await createTestDb('sqlite');
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await db.close();
  });

  it('claims again at once after a full claim: 200 due messages are sent without waiting for the 5 s poll', async () => {
    const { orgUnitId } = await seedUnit(db, { messagesPerSecond: 100_000 });
    const ids = await queueMessages(db, orgUnitId, 200, { now: systemClock.now().toISOString() });
    const gateway = testGateway();
    worker = testWorker(
      { db, clock: systemClock, bus: createMemoryBus(), providers: gateway.opener },
      {
        HERALD_WORKER_CONCURRENCY: '16',
        HERALD_WORKER_BATCH_SIZE: '10',
        HERALD_WORKER_POLL_MS: '5000',
      },
    );
    worker.start();
    // 200 messages in claims of at most 10 are at least 20 claims; one 5 s poll sleep among them
    // already breaks this deadline.
    await waitFor(
      async () => (await statusCounts(db)).accepted === 200,
      4_000,
      'all 200 messages accepted before a 5 s poll interval passed',
    );
    const rows = await messageRows(db);
    expect(ids.every((id) => rows.get(id)?.status === 'accepted' && rows.get(id)?.attempts === 1)).toBe(true);
    // Each message went to the gateway exactly once.
    expect(gateway.calls).toHaveLength(200);
    expect(new Set(gateway.calls.map((c) => c.messageId)).size).toBe(200);
  });
});
