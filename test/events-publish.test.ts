import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { HeraldEvent } from '../src/modules/events/events.bus.js';
import { publishStatusChanges } from '../src/modules/events/events.publish.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe.each(TEST_DIALECTS)('publishStatusChanges on %s', (dialect) => {
  let t: TestApp;
  let unit: string;
  let batchId: string;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    unit = (await t.setupAdmin()).orgUnitId;
    const admin = await t.loginAs('admin@example.com', 'correct horse battery staple');
    const r = await t.request('/api/batches', {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin['x-csrf-token'] },
      json: { orgUnitId: unit, recipients: { numbers: ['+4915100000001', '+4915100000002'] }, text: 'x' },
    });
    batchId = ((await r.json()) as { batchId: string }).batchId;
  });
  afterEach(async () => t.close());

  const collect = () => {
    const seen: HeraldEvent[] = [];
    t.bus.subscribe((e) => seen.push(e));
    return seen;
  };
  const change = (messageId: string, to: string) => ({
    eventId: `e-${messageId}-${to}`,
    messageId,
    orgUnitId: unit,
    batchId,
    from: 'accepted',
    to,
    applied: true,
    at: '2026-11-22T09:00:00.000Z',
  });

  it('publishes each change, and batch.completed exactly once when the last message is final', async () => {
    const seen = collect();
    const ids = (await t.db.kysely.selectFrom('messages').select('id').orderBy('id').execute()).map(
      (m) => m.id,
    );
    await t.db.kysely
      .updateTable('messages')
      .set({ status: 'delivered' })
      .where('id', '=', ids[0]!)
      .execute();
    await publishStatusChanges({
      db: t.db.kysely,
      bus: t.bus,
      clock: t.clock,
      changes: [change(ids[0]!, 'delivered')],
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.map((e) => e.type)).toEqual(['message.status']);
    await t.db.kysely
      .updateTable('messages')
      .set({ status: 'undelivered' })
      .where('id', '=', ids[1]!)
      .execute();
    await publishStatusChanges({
      db: t.db.kysely,
      bus: t.bus,
      clock: t.clock,
      changes: [change(ids[1]!, 'undelivered')],
    });
    await publishStatusChanges({
      db: t.db.kysely,
      bus: t.bus,
      clock: t.clock,
      changes: [change(ids[1]!, 'undelivered')],
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.map((e) => e.type)).toEqual([
      'message.status',
      'message.status',
      'batch.completed',
      'message.status',
    ]);
    const batch = await t.db.kysely.selectFrom('batches').select('completed_at').executeTakeFirstOrThrow();
    expect(batch.completed_at).toBe('2026-11-22T09:00:00.000Z');
  });

  it('canceling a batch publishes each canceled message and the completed batch', async () => {
    const seen = collect();
    const admin = await t.loginAs('admin@example.com', 'correct horse battery staple');
    const res = await t.request(`/api/batches/${batchId}/cancel`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin['x-csrf-token'] },
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.map((e) => (e.type === 'message.status' ? `${e.type}:${e.from}->${e.to}` : e.type))).toEqual([
      'message.status:queued->canceled',
      'message.status:queued->canceled',
      'batch.completed',
    ]);
  });
});
