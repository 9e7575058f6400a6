import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { markMessageCanceled } from '../src/modules/messages/messages.repository.js';
import { messageFactory } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
const NOW = '2026-11-22T09:00:00.000Z';

describe.each(TEST_DIALECTS)('cancel a message on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let f: ReturnType<typeof messageFactory>;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
    f = messageFactory(t.db.kysely, { orgUnitId: admin.orgUnitId, now: NOW });
  });
  afterEach(async () => t.close());

  const cancel = (id: string) =>
    t.request(`/api/messages/${id}/cancel`, { method: 'POST', headers: admin.headers });
  const rowOf = (id: string) =>
    t.db.kysely
      .selectFrom('messages')
      .select(['status', 'final_at', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const eventsOf = (id: string) =>
    t.db.kysely.selectFrom('message_events').selectAll().where('message_id', '=', id).execute();

  it.each(['queued', 'scheduled'])(
    'cancels a %s message and records who did it in its history',
    async (status) => {
      const m = await f.insertMessage({
        status,
        scheduled_at: status === 'scheduled' ? '2026-11-23T08:00:00.000Z' : null,
      });
      t.clock.advance(5_000);
      const res = await cancel(m.id);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({
        id: m.id,
        status: 'canceled',
        statusLabel: 'Canceled',
        canCancel: false,
        finalAt: '2026-11-22T09:00:05.000Z',
      });
      expect(await rowOf(m.id)).toEqual({
        status: 'canceled',
        final_at: '2026-11-22T09:00:05.000Z',
        updated_at: '2026-11-22T09:00:05.000Z',
      });
      const events = await eventsOf(m.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        from_status: status,
        to_status: 'canceled',
        source: 'user',
        occurred_at: '2026-11-22T09:00:05.000Z',
      });
      expect(Boolean(events[0]?.applied)).toBe(true);
      expect(JSON.parse(events[0]!.details)).toEqual({
        actor: { type: 'user', id: admin.session.userId, name: 'Ada Admin' },
      });
      // the detail shows it in the history
      const detail = (await (
        await t.request(`/api/messages/${m.id}`, { headers: admin.headers })
      ).json()) as {
        history: Json[];
      };
      expect(detail.history.map((h) => [h.fromStatus, h.toStatus, h.source])).toEqual([
        [status, 'canceled', 'user'],
      ]);
    },
  );

  it.each(['sending', 'unknown', 'accepted', 'delivered', 'failed', 'canceled', 'blocked'])(
    'refuses to cancel a %s message with 409 and its status, and changes nothing',
    async (status) => {
      const m = await f.insertMessage({ status });
      const res = await cancel(m.id);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({
        code: 'message.not_cancelable',
        id: m.id,
        messageStatus: status,
      });
      expect((await rowOf(m.id)).status).toBe(status);
      expect(await eventsOf(m.id)).toEqual([]);
    },
  );

  it('answers 404 for an unknown message', async () => {
    const res = await cancel('nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).code).toBe('message.not_found');
  });

  it('a worker that claims the message while the cancel is in flight wins: 409, the message stays sending', async () => {
    const m = await f.insertMessage({ status: 'queued' });
    // The "worker" holds the row changed to sending in an open transaction while the cancel runs.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let claimed!: () => void;
    const isClaimed = new Promise<void>((r) => {
      claimed = r;
    });
    const worker = t.db.kysely.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ status: 'sending' }).where('id', '=', m.id).execute();
      claimed();
      await held;
    });
    await isClaimed;
    const pending = cancel(m.id);
    if (dialect === 'postgres') {
      // wait until the cancel's conditional UPDATE is blocked on the worker's row lock
      for (let i = 0; i < 100; i++) {
        const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db.kysely);
        if ((r.rows[0]?.n ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    release();
    await worker;
    const res = await pending;
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'message.not_cancelable', messageStatus: 'sending' });
    expect((await rowOf(m.id)).status).toBe('sending');
    expect(await eventsOf(m.id)).toEqual([]);
  });

  it('the conditional update changes nothing when the status is no longer the one read', async () => {
    const m = await f.insertMessage({ status: 'queued' });
    await t.db.kysely.updateTable('messages').set({ status: 'sending' }).where('id', '=', m.id).execute();
    expect(await markMessageCanceled(t.db.kysely, { all: true }, m.id, 'queued', NOW)).toBe(false);
    expect((await rowOf(m.id)).status).toBe('sending');
    // and it respects the org scope
    await t.db.kysely.updateTable('messages').set({ status: 'queued' }).where('id', '=', m.id).execute();
    expect(
      await markMessageCanceled(
        t.db.kysely,
        { all: false, ids: new Set(['elsewhere']) },
        m.id,
        'queued',
        NOW,
      ),
    ).toBe(false);
    expect(await markMessageCanceled(t.db.kysely, { all: true }, m.id, 'queued', NOW)).toBe(true);
  });
});
