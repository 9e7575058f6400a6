import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATUSES } from '../src/core/status/index.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { SYSTEM_PRINCIPAL } from '../src/modules/auth/auth.system.js';
import { browseBatches, STATUS_GROUPS } from '../src/modules/batches/batches.usecases.js';
import { insertOrgUnit, messageFactory } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
type Batch = Json & { id: string };
type Page = { items: Batch[]; nextCursor: string | null };

const NOW = '2026-11-22T09:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString();

describe('SMS Log count groups', () => {
  it('put every status in exactly one group, delivered also counting as sent', () => {
    const { delivered, ...partition } = STATUS_GROUPS;
    const all = Object.values(partition).flat();
    expect([...all].sort()).toEqual([...STATUSES].sort());
    expect(new Set(all).size).toBe(all.length);
    expect(STATUS_GROUPS.sent).toContain(delivered[0]);
  });
});

describe.each(TEST_DIALECTS)('SMS Log (batches) on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let f: ReturnType<typeof messageFactory>;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
    f = messageFactory(t.db.kysely, { orgUnitId: admin.orgUnitId, now: NOW });
  });
  afterEach(async () => t.close());

  const get = (path: string, headers: Record<string, string> = admin.headers) => t.request(path, { headers });
  const list = async (query = '') => {
    const res = await get(`/api/batches${query ? `?${query}` : ''}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Page;
  };
  const cancel = (id: string) =>
    t.request(`/api/batches/${id}/cancel`, { method: 'POST', headers: admin.headers });

  /** A batch with one message per listed status, numbers +49151000000<i>, in that order. */
  const batchWith = async (statuses: string[], over: Parameters<typeof f.insertBatch>[0] = {}) => {
    const batch = await f.insertBatch({ requested_count: statuses.length + 1, ...over });
    const messages = [];
    for (const [i, status] of statuses.entries()) {
      messages.push(
        await f.insertMessage({
          batch_id: batch.id,
          org_unit_id: batch.org_unit_id,
          status,
          to_input: `0151 000000${10 + i}`,
          to_e164: `+49151000000${10 + i}`,
          created_at: batch.created_at,
        }),
      );
    }
    return { batch, messages };
  };

  it('counts the messages of each batch by status group', async () => {
    const { batch } = await batchWith([
      'delivered',
      'delivered',
      'accepted',
      'sent',
      'undelivered',
      'rejected',
      'failed',
      'status_timeout',
      'expired',
      'blocked',
      'scheduled',
      'queued',
      'sending',
      'unknown',
      'canceled',
    ]);
    const { batch: empty } = await batchWith([], { created_at: daysAgo(1), requested_count: 0 });
    const page = await list();
    expect(page.items.map((b) => b.id)).toEqual([batch.id, empty.id]);
    expect(page.items[0]).toEqual({
      id: batch.id,
      orgUnitId: admin.orgUnitId,
      senderName: 'Ada Admin',
      senderType: 'user',
      sentOn: NOW,
      scheduledAt: null,
      canceledAt: null,
      message: 'Your order has shipped',
      category: 'transactional',
      templateId: null,
      requestedCount: 16,
      messageCount: 15,
      sentCount: 4,
      deliveredCount: 2,
      failedCount: 5,
      blockedCount: 1,
      pendingCount: 4,
      canceledCount: 1,
      canCancel: true,
    });
    expect(page.items[1]).toMatchObject({ messageCount: 0, sentCount: 0, pendingCount: 0, canCancel: false });
  });

  it('counts a page with one grouped query, not one per batch', async () => {
    for (let i = 0; i < 6; i++) await batchWith(['delivered', 'failed'], { created_at: daysAgo(i) });
    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const page = await browseBatches({
      db: t.db.kysely.withPlugin(counting),
      principal: SYSTEM_PRINCIPAL,
      query: { limit: 50 },
    });
    expect(page.items).toHaveLength(6);
    expect(page.items.every((b) => b.sentCount === 1 && b.failedCount === 1)).toBe(true);
    expect(queries).toBe(2);
  });

  it('filters by org unit, sent-on range, message text and sender name; newest first', async () => {
    const other = await insertOrgUnit(t.db.kysely, { name: 'Other', now: NOW });
    const a = await f.insertBatch({
      created_at: daysAgo(1),
      message: 'Invoice INV-7 is due',
      sender_name: 'Ada Admin',
    });
    const b = await f.insertBatch({
      created_at: daysAgo(3),
      message: 'Storm warning',
      sender_name: 'CRM key',
    });
    const c = await f.insertBatch({
      created_at: daysAgo(5),
      org_unit_id: other,
      message: 'invoice reminder',
      sender_name: 'Bob',
    });
    const ids = async (q: string) => (await list(q)).items.map((x) => x.id);
    expect(await ids('')).toEqual([a.id, b.id, c.id]);
    expect(await ids(`orgUnitId=${other}`)).toEqual([c.id]);
    expect(await ids(`orgUnitId=${admin.orgUnitId},${other}`)).toEqual([a.id, b.id, c.id]);
    expect(await ids(`from=${daysAgo(4)}&to=${daysAgo(2)}`)).toEqual([b.id]);
    expect(await ids('q=INVOICE')).toEqual([a.id, c.id]);
    expect(await ids('senderName=crm')).toEqual([b.id]);
    expect(await ids('senderName=crm&q=invoice')).toEqual([]);
    expect((await get('/api/batches?from=2026-11-10&to=2026-11-01')).status).toBe(422);
  });

  it('pages through the log with a keyset cursor, without duplicates or gaps', async () => {
    const made = [];
    for (let i = 0; i < 11; i++) made.push(await f.insertBatch({ created_at: daysAgo(i % 4) }));
    const expected = made
      .map((b) => ({ id: b.id, at: b.created_at as string }))
      .sort((x, y) => (x.at === y.at ? (x.id < y.id ? 1 : -1) : x.at < y.at ? 1 : -1))
      .map((b) => b.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(`limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.items.map((b) => b.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("hides other units' batches from a user of one unit: not listed, 404 on detail and cancel", async () => {
    const other = await insertOrgUnit(t.db.kysely, { name: 'Other', now: NOW });
    const own = await f.insertBatch();
    const { batch: foreign } = await batchWith(['queued'], { org_unit_id: other });
    await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'aud@example.com',
        name: 'Aud',
        password: 'twelve chars min',
        roles: ['sms_user'],
        orgUnitIds: [admin.orgUnitId],
      },
    });
    const s = await t.loginAs('aud@example.com', 'twelve chars min');
    const h = { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
    const page = (await (await get('/api/batches', h)).json()) as Page;
    expect(page.items.map((b) => b.id)).toEqual([own.id]);
    expect((await get(`/api/batches/${foreign.id}`, h)).status).toBe(404);
    const res = await t.request(`/api/batches/${foreign.id}/cancel`, { method: 'POST', headers: h });
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).code).toBe('batch.not_found');
    const row = await t.db.kysely
      .selectFrom('messages')
      .select('status')
      .where('batch_id', '=', foreign.id)
      .execute();
    expect(row).toEqual([{ status: 'queued' }]);
  });

  it('reading needs log.read or messages.read', async () => {
    const key = async (permissions: string[]) => {
      const res = await t.request('/api/api-keys', {
        method: 'POST',
        headers: admin.headers,
        json: { name: permissions.join(','), permissions, orgUnitIds: [admin.orgUnitId] },
      });
      return { authorization: `Bearer ${((await res.json()) as { key: string }).key}` };
    };
    const { batch } = await batchWith(['queued']);
    expect((await get('/api/batches', await key(['log.read']))).status).toBe(200);
    expect((await get(`/api/batches/${batch.id}`, await key(['messages.read']))).status).toBe(200);
    expect((await get('/api/batches', await key(['templates.read']))).status).toBe(403);
    const reader = await key(['log.read', 'messages.read']);
    expect(
      (await t.request(`/api/batches/${batch.id}/cancel`, { method: 'POST', headers: reader })).status,
    ).toBe(403);
  });

  it('the detail lists the requested numbers in order and the numbers actually sent', async () => {
    const { batch } = await batchWith(['delivered', 'blocked', 'accepted', 'failed', 'sent', 'queued']);
    const res = await get(`/api/batches/${batch.id}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as Json;
    expect(d.requestedNumbers).toEqual([
      '0151 00000010',
      '0151 00000011',
      '0151 00000012',
      '0151 00000013',
      '0151 00000014',
      '0151 00000015',
    ]);
    expect(d.sentNumbers).toEqual(['+4915100000010', '+4915100000012', '+4915100000014']);
    expect(d).toMatchObject({ sentCount: 3, deliveredCount: 1, messageCount: 6 });
    expect((await get('/api/batches/unknown')).status).toBe(404);
  });

  it('cancel stops every still scheduled or queued message, records each, and sets canceled_at', async () => {
    const { batch, messages } = await batchWith(['queued', 'scheduled', 'queued', 'sending', 'delivered']);
    t.clock.advance(1_000);
    const res = await cancel(batch.id);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { canceled: number; batch: Json };
    expect(body.canceled).toBe(3);
    expect(body.batch).toMatchObject({
      id: batch.id,
      canceledCount: 3,
      pendingCount: 1,
      sentCount: 1,
      canCancel: false,
      canceledAt: '2026-11-22T09:00:01.000Z',
    });
    const rows = await t.db.kysely
      .selectFrom('messages')
      .select(['id', 'status'])
      .where('batch_id', '=', batch.id)
      .execute();
    const statusOf = new Map(rows.map((r) => [r.id, r.status]));
    expect(messages.map((m) => statusOf.get(m.id))).toEqual([
      'canceled',
      'canceled',
      'canceled',
      'sending',
      'delivered',
    ]);
    const events = await t.db.kysely
      .selectFrom('message_events')
      .select(['message_id', 'from_status', 'to_status', 'source', 'details'])
      .execute();
    expect(
      events
        .map((e) => [messages.findIndex((m) => m.id === e.message_id), e.from_status, e.to_status])
        .sort(),
    ).toEqual([
      [0, 'queued', 'canceled'],
      [1, 'scheduled', 'canceled'],
      [2, 'queued', 'canceled'],
    ]);
    expect(events.every((e) => e.source === 'user')).toBe(true);
    expect(JSON.parse(events[0]!.details)).toEqual({
      actor: { type: 'user', id: admin.session.userId, name: 'Ada Admin' },
      batchId: batch.id,
    });

    // nothing left to cancel: 409, and nothing changes
    t.clock.advance(1_000);
    const again = await cancel(batch.id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as Json).code).toBe('batch.not_cancelable');
    const after = await t.db.kysely
      .selectFrom('batches')
      .select('canceled_at')
      .where('id', '=', batch.id)
      .executeTakeFirstOrThrow();
    expect(after.canceled_at).toBe('2026-11-22T09:00:01.000Z');
    expect(await t.db.kysely.selectFrom('message_events').select('id').execute()).toHaveLength(3);
  });

  it('cancel of a batch with nothing pending is a 409 and leaves canceled_at empty', async () => {
    const { batch } = await batchWith(['delivered', 'sending']);
    const res = await cancel(batch.id);
    expect(res.status).toBe(409);
    const row = await t.db.kysely
      .selectFrom('batches')
      .select('canceled_at')
      .where('id', '=', batch.id)
      .executeTakeFirstOrThrow();
    expect(row.canceled_at).toBeNull();
  });

  it('cancel leaves the messages of other batches alone', async () => {
    const { batch } = await batchWith(['queued']);
    const { messages: others } = await batchWith(['queued', 'scheduled']);
    expect((await cancel(batch.id)).status).toBe(200);
    const rows = await t.db.kysely
      .selectFrom('messages')
      .select('status')
      .where(
        'id',
        'in',
        others.map((m) => m.id),
      )
      .execute();
    expect(rows.map((r) => r.status).sort()).toEqual(['queued', 'scheduled']);
  });
});
