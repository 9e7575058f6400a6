import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { HeraldEvent } from '../src/modules/events/events.bus.js';
import { insertOrgUnit } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
const NOW = '2026-11-22T09:00:00.000Z';

describe.each(TEST_DIALECTS)('resend on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let seen: HeraldEvent[];
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
    seen = [];
    t.bus.subscribe((e) => seen.push(e));
  });
  afterEach(async () => t.close());

  /** Sends one message through the SMS Center, then gives it the status a worker or report would. */
  const sent = async (status: string, over: Json = {}) => {
    const res = await t.request('/api/messages', {
      method: 'POST',
      headers: admin.headers,
      json: {
        orgUnitId: admin.orgUnitId,
        to: '+4915123456789',
        text: 'Invoice INV-0042 is due',
        reference: { type: 'invoice', id: 'INV-0042' },
        ...over,
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await t.db.kysely
      .updateTable('messages')
      .set({ status, gateway_message_id: status === 'queued' ? null : 'sim-1' })
      .where('id', '=', id)
      .execute();
    return id;
  };
  const resend = (id: string, headers: Record<string, string> = admin.headers) =>
    t.request(`/api/messages/${id}/resend`, { method: 'POST', headers });
  const detail = async (id: string) =>
    (await (await t.request(`/api/messages/${id}`, { headers: admin.headers })).json()) as Json;
  const messageCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates a new message with the same text, recipient, unit, category and reference; both show the link', async () => {
    const original = await sent('failed');
    const before = await detail(original);
    t.clock.advance(60_000);
    const res = await resend(original);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expect(created).toMatchObject({
      status: 'queued',
      to: '+4915123456789',
      body: 'Invoice INV-0042 is due',
      orgUnitId: admin.orgUnitId,
      category: 'transactional',
      reference: { type: 'invoice', id: 'INV-0042' },
      resentOf: original,
      resentBy: null,
      createdAt: '2026-11-22T09:01:00.000Z',
    });
    expect(created.id).not.toBe(original);
    expect(created.batchId).not.toBe(before.batchId);

    const orig = await detail(original);
    expect(orig).toMatchObject({ resentBy: created.id, resentOf: null, status: 'failed', canResend: false });
    const fresh = await detail(created.id as string);
    expect(fresh).toMatchObject({ resentOf: original, canResend: false, canCancel: true });
    expect(fresh.history).toEqual([
      expect.objectContaining({
        fromStatus: null,
        toStatus: 'queued',
        source: 'user',
        applied: true,
        details: {
          actor: { type: 'user', id: admin.session.userId, name: 'Ada Admin' },
          resentOf: original,
        },
      }),
    ]);
    // A send action of its own in the SMS Log.
    const batch = (await (
      await t.request(`/api/batches/${created.batchId as string}`, { headers: admin.headers })
    ).json()) as Json;
    expect(batch).toMatchObject({ requestedCount: 1, messageCount: 1, senderName: 'Ada Admin' });
    // The resent filter finds both.
    const list = (await (
      await t.request('/api/messages?resent=true', { headers: admin.headers })
    ).json()) as { items: Json[] };
    expect(list.items.map((m) => m.id).sort()).toEqual([original, created.id].sort());
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([
      expect.objectContaining({ type: 'message.status', messageId: created.id, from: null, to: 'queued' }),
    ]);
  });

  it.each(['accepted', 'status_timeout'])('resends an %s message', async (status) => {
    const original = await sent(status);
    expect((await resend(original)).status).toBe(201);
  });

  it.each([
    'queued',
    'sending',
    'unknown',
    'sent',
    'delivered',
    'undelivered',
    'rejected',
    'expired',
    'canceled',
  ])('refuses a %s message with 409 message.not_resendable and writes nothing', async (status) => {
    const original = await sent(status);
    const count = await messageCount();
    const res = await resend(original);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'message.not_resendable', messageStatus: status });
    expect(await messageCount()).toBe(count);
    expect((await detail(original)).resentBy).toBeNull();
  });

  it('a message is resent once: a second resend is 409 message.already_resent naming the resend', async () => {
    const original = await sent('failed');
    const first = (await (await resend(original)).json()) as Json;
    const count = await messageCount();
    const again = await resend(original);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'message.already_resent', resentBy: first.id });
    expect(await messageCount()).toBe(count);
    // The resend itself may be resent when it fails in turn.
    await t.db.kysely
      .updateTable('messages')
      .set({ status: 'failed' })
      .where('id', '=', first.id as string)
      .execute();
    const second = await resend(first.id as string);
    expect(second.status).toBe(201);
    expect(await second.json()).toMatchObject({ resentOf: first.id });
  });

  it('two resends at the same time make one new message', async () => {
    const original = await sent('failed');
    const count = await messageCount();
    const results = await Promise.all([resend(original), resend(original), resend(original)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(await messageCount()).toBe(count + 1);
  });

  it('checks consent again: a number that opted out since gets a blocked message with the reason', async () => {
    const consent = (state: string) =>
      t.request('/api/consent', {
        method: 'POST',
        headers: admin.headers,
        json: { phone: '+4915123456789', state },
      });
    expect((await consent('opted_in')).status).toBe(201);
    const original = await sent('failed', { category: 'marketing' });
    expect((await detail(original)).statusReason).toBeNull(); // it went out with consent
    // Now the recipient withdraws it.
    expect((await consent('opted_out')).status).toBe(201);
    const res = await resend(original);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expect(created).toMatchObject({
      status: 'blocked',
      statusReason: 'opted_out',
      statusReasonLabel: 'The recipient opted out',
      category: 'marketing',
      resentOf: original,
    });
    expect((await detail(original)).resentBy).toBe(created.id);
    await new Promise((r) => setTimeout(r, 0));
    // Blocked is final: the one-message send action is complete at once.
    expect(seen.map((e) => e.type)).toEqual(['message.status', 'batch.completed']);
  });

  it('checks the org unit again: sending disabled since → blocked sending_disabled', async () => {
    const original = await sent('status_timeout');
    const patch = await t.request(`/api/org-units/${admin.orgUnitId}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { sendingEnabled: false },
    });
    expect(patch.status).toBe(200);
    const created = (await (await resend(original)).json()) as Json;
    expect(created).toMatchObject({ status: 'blocked', statusReason: 'sending_disabled' });
  });

  it('is scoped: another unit’s message is 404; without messages.resend it is 403', async () => {
    const original = await sent('failed');
    const other = await insertOrgUnit(t.db.kysely, { name: 'Branch North', now: NOW });
    const mk = async (email: string, roles: string[], orgUnitIds: string[]) => {
      const res = await t.request('/api/users', {
        method: 'POST',
        headers: admin.headers,
        json: { email, name: email, password: 'twelve chars min', roles, orgUnitIds },
      });
      expect(res.status).toBe(201);
      const s = await t.loginAs(email, 'twelve chars min');
      return { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
    };
    const north = await mk('north@example.com', ['sms_user'], [other]);
    const res = await resend(original, north);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'message.not_found' });
    const auditor = await mk('audit@example.com', ['auditor'], [admin.orgUnitId]);
    const denied = await resend(original, auditor);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 'auth.forbidden' });
    const user = await mk('user@example.com', ['sms_user'], [admin.orgUnitId]);
    expect((await resend(original, user)).status).toBe(201);
  });

  it('unknown message: 404', async () => {
    const res = await resend('0193aaaa-0000-7000-8000-000000000000');
    expect(res.status).toBe(404);
  });
});
