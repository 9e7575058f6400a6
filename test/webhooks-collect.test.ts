import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { insertOrgUnit } from './helpers/message-factory.js';
import { type WebhookFixture, webhookFixture } from './helpers/webhook-fixture.js';
import { OPEN_WEBHOOK_ENV } from './helpers/webhook-receiver.js';

type Json = Record<string, unknown>;
const MINUTE = 60_000;

describe.each(TEST_DIALECTS)('webhook event collection on %s', (dialect) => {
  let x: WebhookFixture;
  beforeEach(async () => {
    x = await webhookFixture(dialect);
  });
  afterEach(async () => x.close());

  const eventIdsSent = () =>
    x.rx.requests.map((r) => (JSON.parse(r.body) as { data: { eventId: string } }).data.eventId);

  it('reads the durable record: events committed while no worker ran are delivered after a restart, once', async () => {
    await x.addEndpoint();
    const first = x.worker();
    const a = await x.statusChange();
    await first.tick();
    await first.stop();
    // The process is down; status changes keep being committed (no bus, nobody listening).
    const b = await x.statusChange('undelivered');
    const c = await x.statusChange('failed');
    const restarted = x.worker();
    await restarted.tick();
    x.t.clock.advance(5 * MINUTE); // past the settle window: re-reads overlap, never resend
    await restarted.tick();
    await restarted.tick();
    expect(eventIdsSent().sort()).toEqual([a.event.id, b.event.id, c.event.id].sort());
    expect(await x.deliveries()).toHaveLength(3);
  });

  it('delivers an event that becomes visible after later ones were read (id taken before a slow commit)', async () => {
    await x.addEndpoint();
    const w = x.worker({ settleMs: MINUTE });
    const slowId = newId(); // a transaction took this id …
    const fast = await x.statusChange(); // … while another committed a later one, which is read first
    await w.tick();
    expect(eventIdsSent()).toEqual([fast.event.id]);
    const slow = await x.statusChange('undelivered', {}, { id: slowId }); // … and then the slow one commits
    await w.tick();
    expect(eventIdsSent()).toEqual([fast.event.id]); // not seen yet: it sorts before the mark
    x.t.clock.advance(MINUTE);
    await w.tick();
    expect(eventIdsSent()).toEqual([fast.event.id, slow.event.id]);
    const cursor = await x.t.db.kysely
      .selectFrom('webhook_cursors')
      .select('after_id')
      .where('name', '=', 'message_events')
      .executeTakeFirstOrThrow();
    expect(cursor.after_id).toBe(fast.event.id); // the durable cursor moved, after the settle time
  });

  it('an endpoint gets the events of its org unit and its descendants, of the types it chose, while enabled', async () => {
    const parent = x.admin.orgUnitId;
    const now = x.t.clock.now().toISOString();
    const child = await insertOrgUnit(x.t.db.kysely, { name: 'Child', parentId: parent, now });
    const sibling = await insertOrgUnit(x.t.db.kysely, { name: 'Sibling', now });
    const before = await x.statusChange('delivered', { org_unit_id: parent });
    x.t.clock.advance(1_000);
    const onParent = await x.addEndpoint({ orgUnitId: parent });
    const onChild = await x.addEndpoint({ orgUnitId: child });
    const onSibling = await x.addEndpoint({ orgUnitId: sibling });
    const batchesOnly = await x.addEndpoint({ orgUnitId: parent, eventTypes: ['batch.completed'] });
    const off = await x.addEndpoint({ orgUnitId: parent, enabled: false });
    const inParent = await x.statusChange('delivered', { org_unit_id: parent });
    const inChild = await x.statusChange('delivered', { org_unit_id: child });
    const inSibling = await x.statusChange('delivered', { org_unit_id: sibling });
    await x.worker().tick();
    const byEndpoint = new Map<string, string[]>();
    for (const d of await x.deliveries())
      byEndpoint.set(d.endpoint_id, [...(byEndpoint.get(d.endpoint_id) ?? []), d.event_key]);
    expect(byEndpoint.get(onParent.id)?.sort()).toEqual([inParent.event.id, inChild.event.id].sort());
    expect(byEndpoint.get(onChild.id)).toEqual([inChild.event.id]);
    expect(byEndpoint.get(onSibling.id)).toEqual([inSibling.event.id]);
    expect(byEndpoint.has(batchesOnly.id)).toBe(false);
    expect(byEndpoint.has(off.id)).toBe(false);
    expect([...byEndpoint.values()].flat()).not.toContain(before.event.id);
  });

  it('disabling pauses pending deliveries and skips events meanwhile; enabling resumes the paused ones', async () => {
    x.rx.setReply(() => ({ status: 500 }));
    const { id } = await x.addEndpoint();
    const w = x.worker({ settleMs: MINUTE });
    const a = await x.statusChange();
    await w.tick();
    const patch = (enabled: boolean) =>
      x.t.request(`/api/webhooks/${id}`, { method: 'PATCH', headers: x.admin.headers, json: { enabled } });
    expect((await patch(false)).status).toBe(200);
    await x.statusChange('undelivered'); // happens while disabled
    for (let i = 0; i < 5; i++) {
      x.t.clock.advance(10 * MINUTE);
      await w.tick();
    }
    expect(x.rx.requests).toHaveLength(1);
    x.rx.setReply(() => ({ status: 200 }));
    x.t.clock.advance(MINUTE);
    expect((await patch(true)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      x.t.clock.advance(2 * MINUTE);
      await w.tick();
    }
    expect(eventIdsSent()).toEqual([a.event.id, a.event.id]);
    expect((await x.deliveries()).map((d) => d.state)).toEqual(['delivered']);
  });

  it('sends batch.completed once per batch, with the counts by final status', async () => {
    await x.addEndpoint({ eventTypes: ['batch.completed'] });
    const w = x.worker();
    const batch = await x.f.insertBatch({ requested_count: 4, blocked_count: 1 });
    for (const status of ['delivered', 'delivered', 'undelivered', 'blocked']) {
      await x.f.insertMessage({ batch_id: batch.id, status });
    }
    await x.statusChange('delivered', { batch_id: batch.id }); // a status event: not subscribed
    const completedAt = x.t.clock.now().toISOString();
    await x.t.db.kysely
      .updateTable('batches')
      .set({ completed_at: completedAt })
      .where('id', '=', batch.id)
      .execute();
    await w.tick();
    x.t.clock.advance(5 * MINUTE);
    await w.tick();
    await w.tick();
    expect(x.rx.requests).toHaveLength(1);
    const body = JSON.parse(x.rx.requests[0]!.body) as Json;
    expect(body).toEqual({
      type: 'batch.completed',
      timestamp: completedAt,
      data: {
        batchId: batch.id,
        orgUnitId: x.admin.orgUnitId,
        createdAt: batch.created_at,
        completedAt,
        requestedCount: 4,
        blockedCount: 1,
        messages: 5,
        counts: { blocked: 1, delivered: 3, undelivered: 1 },
      },
    });
  });

  it('two workers on one database send each delivery exactly once', async () => {
    await x.addEndpoint();
    const events = [];
    for (let i = 0; i < 12; i++) events.push(await x.statusChange());
    const w1 = x.worker();
    const w2 = x.worker();
    await Promise.all([w1.tick(), w2.tick(), w1.tick(), w2.tick()]);
    await Promise.all([w1.tick(), w2.tick()]);
    expect(x.rx.requests).toHaveLength(12);
    expect(new Set(x.rx.requests.map((r) => r.headers['webhook-id'])).size).toBe(12);
    expect((await x.deliveries()).every((d) => d.state === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('deletes finished deliveries after the retention period; pending ones stay', async () => {
    await x.addEndpoint();
    const w = x.worker();
    await x.statusChange();
    await w.tick();
    await x.rx.down();
    await x.statusChange();
    x.t.clock.advance(2 * MINUTE);
    await w.tick();
    expect((await x.deliveries()).map((d) => d.state).sort()).toEqual(['delivered', 'pending']);
    x.t.clock.advance(31 * 24 * 60 * MINUTE);
    await w.tick(); // prunes, then the pending one is attempted again (still down)
    const left = await x.deliveries();
    expect(left.map((d) => d.state)).toEqual(['pending']);
    const attempts = await x.t.db.kysely.selectFrom('webhook_attempts').select('delivery_id').execute();
    expect(attempts.every((a) => a.delivery_id === left[0]?.id)).toBe(true);
  });
});

describe.each(TEST_DIALECTS)('the webhook loop on %s', (dialect) => {
  let x: WebhookFixture;
  beforeEach(async () => {
    x = await webhookFixture(dialect, { ...OPEN_WEBHOOK_ENV, HERALD_WEBHOOKS_INTERVAL_MS: '60000' });
  });
  afterEach(async () => x.close());

  it('wakes at once on an applied status change from the bus, not only on its interval', async () => {
    await x.addEndpoint();
    const w = x.worker({ bus: x.t.bus, timers: undefined }); // real timers, but a 60 s interval
    await w.tick(); // first round: marks the starting point
    const { message, event } = await x.statusChange();
    await x.t.bus.publish([
      {
        type: 'message.status',
        eventId: event.id,
        messageId: message.id,
        orgUnitId: x.admin.orgUnitId,
        batchId: null,
        from: 'sent',
        to: 'delivered',
        applied: true,
        at: event.occurred_at,
      },
    ]);
    const deadline = Date.now() + 3_000;
    while (x.rx.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(x.rx.requests).toHaveLength(1);
    await w.stop();
  });
});
