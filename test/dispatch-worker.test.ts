import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { dispatchDb } from '../src/dispatch/dispatch.tables.js';
import {
  addFallback,
  clockSleep,
  collectEvents,
  historyOf,
  messageRows,
  queueMessages,
  routeOf,
  testGateway,
  testWorker,
} from './helpers/dispatch-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe.each(TEST_DIALECTS)('dispatch worker on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let unit: string;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
    unit = admin.orgUnitId;
  });
  afterEach(async () => t.close());

  const now = () => t.clock.now().toISOString();
  const worker = (gateway: ReturnType<typeof testGateway>, env: Record<string, string> = {}) =>
    testWorker(
      { db: t.db, clock: t.clock, bus: t.bus, providers: gateway.opener, sleep: clockSleep(t.clock) },
      env,
    );
  const post = (path: string, json: unknown) =>
    t.request(path, { method: 'POST', headers: admin.headers, json });

  it('sends a message queued through the API: accepted, normalised gateway id, history and live events', async () => {
    const res = await post('/api/messages', {
      orgUnitId: unit,
      to: '+4915123456789',
      text: 'Your order shipped',
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const seen = collectEvents(t.bus);
    const gateway = testGateway({ clock: t.clock });
    const w = worker(gateway);

    expect(await w.runOnce()).toEqual({ claimed: 1 });
    await w.stop();

    expect(gateway.calls.map((c) => [c.messageId, c.message.to, c.message.from, c.message.text])).toEqual([
      [id, '+4915123456789', 'Herald', 'Your order shipped'],
    ]);
    expect(gateway.calls[0]!.message.parts).toHaveLength(1);
    expect(gateway.calls[0]!.message.callbackUrl).toMatch(/\/api\/callbacks\/[\w-]{20,}$/);
    const row = (await messageRows(t.db)).get(id)!;
    expect(row).toMatchObject({
      status: 'accepted',
      attempts: 1,
      gateway_message_id: 'gw1x',
      submitted_at: now(),
      lease_until: null,
      leased_by: null,
    });
    expect((await historyOf(t.db, id)).map((e) => [e.from_status, e.to_status, e.source])).toEqual([
      ['queued', 'sending', 'worker'],
      ['sending', 'accepted', 'worker'],
    ]);
    await new Promise((r) => setTimeout(r, 0));
    expect(
      seen.filter((e) => e.type === 'message.status').map((e) => e.type === 'message.status' && e.to),
    ).toEqual(['sending', 'accepted']);
  });

  it('claims only due messages; a scheduled one is promoted (with its history) when its time comes', async () => {
    const res = await post('/api/messages', {
      orgUnitId: unit,
      to: '+4915123456789',
      text: 'Later',
      scheduledAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString(),
    });
    const { id } = (await res.json()) as { id: string };
    const [later] = await queueMessages(t.db, unit, 1, {
      now: now(),
      over: { due_at: new Date(t.clock.now().getTime() + 60_000).toISOString() },
    });
    const gateway = testGateway();
    const w = worker(gateway);
    expect(await w.runOnce()).toEqual({ claimed: 0 });
    expect((await messageRows(t.db)).get(id)!.status).toBe('scheduled');

    t.clock.advance(60_000);
    expect(await w.runOnce()).toEqual({ claimed: 1 });
    expect(gateway.calls.map((c) => c.messageId)).toEqual([later]);

    t.clock.advance(3_600_000);
    expect(await w.runOnce()).toEqual({ claimed: 1 });
    await w.stop();
    expect((await messageRows(t.db)).get(id)!.status).toBe('accepted');
    expect((await historyOf(t.db, id)).map((e) => [e.from_status, e.to_status, e.reason])).toEqual([
      ['scheduled', 'queued', 'schedule_due'],
      ['queued', 'sending', null],
      ['sending', 'accepted', null],
    ]);
  });

  it('expires a message whose validity ended before it was claimed, without sending it', async () => {
    const [id] = await queueMessages(t.db, unit, 1, { now: now() });
    t.clock.advance(48 * 3_600_000);
    const gateway = testGateway();
    const w = worker(gateway);
    await w.runOnce();
    await w.stop();
    expect(gateway.calls).toHaveLength(0);
    expect((await messageRows(t.db)).get(id!)!.status).toBe('expired');
    expect((await historyOf(t.db, id!)).map((e) => [e.from_status, e.to_status, e.reason])).toEqual([
      ['queued', 'expired', 'validity_expired'],
    ]);
  });

  it('expires a message whose validity ends while it waits for its rate slot, right before the submit', async () => {
    const route = await routeOf(t.db, unit);
    const [id] = await queueMessages(t.db, unit, 1, {
      now: now(),
      over: { expires_at: new Date(t.clock.now().getTime() + 500).toISOString() },
    });
    // Another worker holds the account's slots for the next 800 ms.
    await dispatchDb(t.db.kysely)
      .insertInto('rate_buckets')
      .values({ provider_account_id: route.providerAccountId, next_at_ms: t.clock.now().getTime() + 800 })
      .execute();
    const gateway = testGateway();
    const w = worker(gateway);
    await w.runOnce();
    await w.stop();
    expect(gateway.calls).toHaveLength(0);
    expect((await messageRows(t.db)).get(id!)).toMatchObject({
      status: 'expired',
      status_reason: 'validity_expired',
      submit_started_at: null,
    });
  });

  describe('outcomes', () => {
    it('retryable: back to queued with backoff honouring Retry-After, then failed after the budget', async () => {
      const [id] = await queueMessages(t.db, unit, 1, { now: now() });
      const gateway = testGateway({
        clock: t.clock,
        script: () => ({ ok: false, class: 'retryable', code: 'HTTP_503', text: 'Busy', retryAfterMs: 7000 }),
      });
      const w = worker(gateway, { HERALD_RETRY_BUDGET: '2' });
      await w.runOnce();
      const start = gateway.calls[0]!.at;
      let row = (await messageRows(t.db)).get(id!)!;
      expect(row).toMatchObject({
        status: 'queued',
        attempts: 1,
        error_code: 'HTTP_503',
        error_text: 'Busy',
        submit_started_at: null,
        leased_by: null,
      });
      expect(Date.parse(row.due_at!)).toBe(start + 7000);

      await w.runOnce(); // not due yet
      expect(gateway.calls).toHaveLength(1);
      t.clock.set(row.due_at!);
      await w.runOnce();
      await w.stop();
      row = (await messageRows(t.db)).get(id!)!;
      expect(gateway.calls).toHaveLength(2);
      expect(row).toMatchObject({ status: 'failed', status_reason: 'retry_budget_exhausted', attempts: 2 });
    });

    it('retryable without Retry-After: exponential backoff with jitter (2 s, then 4 s, each ½–1×)', async () => {
      const [id] = await queueMessages(t.db, unit, 1, { now: now() });
      const gateway = testGateway({
        clock: t.clock,
        script: () => ({ ok: false, class: 'retryable', code: 'ECONNRESET', text: 'Connection reset' }),
      });
      const w = worker(gateway);
      const delays: number[] = [];
      for (let i = 0; i < 2; i++) {
        await w.runOnce();
        const due = (await messageRows(t.db)).get(id!)!.due_at!;
        delays.push(Date.parse(due) - gateway.calls[i]!.at);
        t.clock.set(due);
      }
      await w.stop();
      // random() is ½ in these tests: half the delay fixed plus a quarter.
      expect(delays).toEqual([1500, 3000]);
    });

    it('throttled: waits the gateway pause, does not spend the budget, and pauses the account for other messages', async () => {
      const [first, second] = await queueMessages(t.db, unit, 2, { now: now() });
      let throttle = 3;
      const gateway = testGateway({
        clock: t.clock,
        script: (call, n) =>
          call.messageId === first && throttle-- > 0
            ? {
                ok: false,
                class: 'throttled',
                code: 'HTTP_429',
                text: 'Too many requests',
                retryAfterMs: 5000,
              }
            : { ok: true, gatewayId: `g${n}`, status: 'accepted' },
      });
      const w = worker(gateway, { HERALD_RETRY_BUDGET: '1', HERALD_WORKER_BATCH_SIZE: '1' });
      await w.runOnce();
      expect(gateway.calls.map((c) => c.messageId)).toEqual([first]);
      // The account is paused for 5 s: the other message is not even claimed meanwhile.
      t.clock.advance(2000);
      expect(await w.runOnce()).toEqual({ claimed: 0 });
      for (let i = 0; i < 8; i++) {
        t.clock.advance(5000);
        await w.runOnce();
      }
      await w.stop();
      const rows = await messageRows(t.db);
      expect(rows.get(first!)).toMatchObject({ status: 'accepted', attempts: 4, throttled_count: 3 });
      expect(rows.get(second!)).toMatchObject({ status: 'accepted', attempts: 1 });
      const firstCalls = gateway.calls.filter((c) => c.messageId === first).map((c) => c.at);
      for (let i = 1; i < firstCalls.length; i++)
        expect(firstCalls[i]! - firstCalls[i - 1]!).toBeGreaterThanOrEqual(5000);
    });

    it('permanent: rejected with the gateway code and text, never retried', async () => {
      const [id] = await queueMessages(t.db, unit, 1, { now: now() });
      const gateway = testGateway({
        script: () => ({ ok: false, class: 'permanent', code: '21211', text: 'Invalid To number' }),
      });
      const w = worker(gateway);
      await w.runOnce();
      t.clock.advance(3_600_000);
      await w.runOnce();
      await w.stop();
      expect(gateway.calls).toHaveLength(1);
      expect((await messageRows(t.db)).get(id!)).toMatchObject({
        status: 'rejected',
        error_code: '21211',
        error_text: 'Invalid To number',
      });
      const last = (await historyOf(t.db, id!)).at(-1)!;
      expect(last.details).toMatchObject({ errorCode: '21211', class: 'permanent' });
    });

    it('unknown (the gateway may have it): unknown, never sent again', async () => {
      const [id] = await queueMessages(t.db, unit, 1, { now: now() });
      const gateway = testGateway({
        script: () => ({
          ok: false,
          class: 'unknown',
          code: 'READ_TIMEOUT',
          text: 'No response after sending',
        }),
      });
      const w = worker(gateway);
      await w.runOnce();
      for (let i = 0; i < 3; i++) {
        t.clock.advance(3_600_000);
        await w.runOnce();
      }
      await w.stop();
      expect(gateway.calls).toHaveLength(1);
      expect((await messageRows(t.db)).get(id!)).toMatchObject({
        status: 'unknown',
        error_code: 'READ_TIMEOUT',
        submitted_at: expect.any(String),
      });
    });

    it('opted out at the gateway: rejected, consent withdrawn (source provider), later messages blocked', async () => {
      const [first, second] = await queueMessages(t.db, unit, 2, {
        now: now(),
        over: { to_e164: '+4915199999999', to_input: '+4915199999999' },
      });
      const gateway = testGateway({
        script: () => ({ ok: false, class: 'opted_out', code: '21610', text: 'Recipient unsubscribed' }),
      });
      const w = worker(gateway, { HERALD_WORKER_BATCH_SIZE: '1' });
      await w.runOnce();
      await w.runOnce();
      await w.stop();
      expect(gateway.calls.map((c) => c.messageId)).toEqual([first]);
      const rows = await messageRows(t.db);
      expect(rows.get(first!)).toMatchObject({
        status: 'rejected',
        status_reason: 'opted_out',
        error_code: '21610',
      });
      expect(rows.get(second!)).toMatchObject({ status: 'blocked', status_reason: 'opted_out' });
      const consent = await t.db.kysely
        .selectFrom('consent_events')
        .selectAll()
        .where('e164', '=', '+4915199999999')
        .execute();
      expect(consent).toHaveLength(1);
      expect(consent[0]).toMatchObject({
        state: 'opted_out',
        source: 'provider',
        actor_type: 'provider_account',
      });
      expect(JSON.parse(consent[0]!.evidence)).toMatchObject({ messageId: first, errorCode: '21610' });
    });
  });

  describe('policy at send time', () => {
    it('blocks, never sends, when consent was withdrawn, sending disabled, or the sender removed or changed', async () => {
      const [withdrawn, marketing] = await queueMessages(t.db, unit, 2, { now: now() });
      await t.db.kysely
        .updateTable('messages')
        .set({ category: 'marketing' })
        .where('id', '=', marketing!)
        .execute();
      const numbers = await t.db.kysely
        .selectFrom('messages')
        .select(['id', 'to_e164'])
        .where('id', 'in', [withdrawn!, marketing!])
        .execute();
      const numberOf = (id: string) => numbers.find((n) => n.id === id)!.to_e164!;
      const optOut = await post('/api/consent', { phone: numberOf(withdrawn!), state: 'opted_out' });
      expect(optOut.status, await optOut.text()).toBeLessThan(300);

      const gateway = testGateway();
      const w = worker(gateway);
      await w.runOnce();
      let rows = await messageRows(t.db);
      expect(rows.get(withdrawn!)).toMatchObject({ status: 'blocked', status_reason: 'opted_out' });
      // Marketing needs an explicit opt-in (the unit's default policy); the number has none.
      expect(rows.get(marketing!)).toMatchObject({ status: 'blocked', status_reason: 'no_consent' });

      const [disabled] = await queueMessages(t.db, unit, 1, { now: now() });
      await t.db.kysely
        .updateTable('org_units')
        .set({ sending_enabled: false })
        .where('id', '=', unit)
        .execute();
      await w.runOnce();
      expect((await messageRows(t.db)).get(disabled!)).toMatchObject({
        status: 'blocked',
        status_reason: 'sending_disabled',
      });
      await t.db.kysely
        .updateTable('org_units')
        .set({ sending_enabled: true })
        .where('id', '=', unit)
        .execute();

      const [changedSender, changedRoute] = await queueMessages(t.db, unit, 2, { now: now() });
      const route = await routeOf(t.db, unit);
      await t.db.kysely
        .updateTable('messages')
        .set({ sender_id: 'OldBrand' })
        .where('id', '=', changedSender!)
        .execute();
      await t.db.kysely
        .updateTable('messages')
        .set({ sender_config_id: 'a-config-no-longer-used' })
        .where('id', '=', changedRoute!)
        .execute();
      await w.runOnce();
      rows = await messageRows(t.db);
      expect(rows.get(changedSender!)).toMatchObject({
        status: 'blocked',
        status_reason: 'sender_not_configured',
      });
      expect(rows.get(changedRoute!)).toMatchObject({
        status: 'blocked',
        status_reason: 'sender_not_configured',
      });

      const [removed] = await queueMessages(t.db, unit, 1, { now: now() });
      const detach = await t.request(`/api/org-units/${unit}/sender`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { senderConfigId: null },
      });
      expect(detach.status, await detach.text()).toBe(200);
      await w.runOnce();
      await w.stop();
      expect((await messageRows(t.db)).get(removed!)).toMatchObject({
        status: 'blocked',
        status_reason: 'sender_not_configured',
      });
      expect(gateway.calls).toHaveLength(0);
      expect(route.senderId).toBe('Herald');
      const history = await historyOf(t.db, removed!);
      expect(history.at(-1)).toMatchObject({
        from_status: 'sending',
        to_status: 'blocked',
        source: 'worker',
      });
    });
  });

  describe('failover', () => {
    it('a connectivity failure on the primary goes to the fallback at once; the fallback is recorded', async () => {
      const fallback = await addFallback(t.db, unit);
      const route = await routeOf(t.db, unit);
      const [id] = await queueMessages(t.db, unit, 1, { now: now() });
      const gateway = testGateway({
        script: (call, n) =>
          call.accountId === route.providerAccountId
            ? { ok: false, class: 'retryable', code: 'ECONNREFUSED', text: 'Connection refused' }
            : { ok: true, gatewayId: `fb-${n}`, status: 'sent' },
      });
      const w = worker(gateway);
      await w.runOnce();
      await w.stop();
      expect(gateway.calls.map((c) => c.accountId)).toEqual([route.providerAccountId, fallback]);
      expect((await messageRows(t.db)).get(id!)).toMatchObject({
        status: 'sent',
        provider_account_id: fallback,
        gateway_message_id: 'fb-2',
        attempts: 1,
      });
      const last = (await historyOf(t.db, id!)).at(-1)!;
      expect(last.details).toMatchObject({
        providerAccountId: fallback,
        failover: [{ accountId: route.providerAccountId, class: 'retryable', code: 'ECONNREFUSED' }],
      });
    });

    it('a permanent refusal by the primary does not fail over', async () => {
      await addFallback(t.db, unit);
      const [id] = await queueMessages(t.db, unit, 1, { now: now() });
      const gateway = testGateway({
        script: () => ({ ok: false, class: 'permanent', code: 'BAD_NUMBER', text: 'Invalid number' }),
      });
      const w = worker(gateway);
      await w.runOnce();
      await w.stop();
      expect(gateway.calls).toHaveLength(1);
      expect((await messageRows(t.db)).get(id!)!.status).toBe('rejected');
    });

    it('while the primary is paused after throttling, messages go straight to the fallback', async () => {
      const fallback = await addFallback(t.db, unit);
      const route = await routeOf(t.db, unit);
      const ids = await queueMessages(t.db, unit, 3, { now: now() });
      const gateway = testGateway({
        script: (call, n) =>
          call.accountId === route.providerAccountId
            ? { ok: false, class: 'throttled', code: 'HTTP_429', text: 'Slow down', retryAfterMs: 30_000 }
            : { ok: true, gatewayId: `fb-${n}`, status: 'accepted' },
      });
      const w = worker(gateway, { HERALD_WORKER_BATCH_SIZE: '1' });
      for (let i = 0; i < 3; i++) await w.runOnce();
      await w.stop();
      expect(gateway.calls.map((c) => c.accountId)).toEqual([
        route.providerAccountId,
        fallback,
        fallback,
        fallback,
      ]);
      const rows = await messageRows(t.db);
      for (const id of ids)
        expect(rows.get(id)).toMatchObject({ status: 'accepted', provider_account_id: fallback });
    });
  });

  describe('status check timeout', () => {
    it('accepted, sent and unknown messages with no final status after 48 h become status_timeout', async () => {
      const base = t.clock.now().getTime();
      const ids = await queueMessages(t.db, unit, 4, { now: now() });
      const statuses = ['accepted', 'sent', 'unknown', 'accepted'] as const;
      for (const [i, id] of ids.entries()) {
        await t.db.kysely
          .updateTable('messages')
          .set({
            status: statuses[i]!,
            // The last one was submitted an hour later: not timed out yet.
            submitted_at: new Date(base + (i === 3 ? 3_600_000 : 0)).toISOString(),
          })
          .where('id', '=', id)
          .execute();
      }
      const w = worker(testGateway());
      t.clock.advance(48 * 3_600_000 - 1);
      expect(await w.checkStatusTimeouts()).toBe(0);
      t.clock.advance(1);
      await w.checkStatusTimeouts();
      await w.stop();
      const rows = await messageRows(t.db);
      expect(ids.map((id) => rows.get(id)!.status)).toEqual([
        'status_timeout',
        'status_timeout',
        'status_timeout',
        'accepted',
      ]);
      expect((await historyOf(t.db, ids[0]!)).at(-1)).toMatchObject({
        from_status: 'accepted',
        to_status: 'status_timeout',
        reason: 'no_final_status',
      });
    });

    it('asks a gateway that has a status query first, and applies its final answer', async () => {
      const ids = await queueMessages(t.db, unit, 2, { now: now() });
      for (const [i, id] of ids.entries()) {
        await t.db.kysely
          .updateTable('messages')
          .set({ status: 'accepted', submitted_at: now(), gateway_message_id: `g${i}` })
          .where('id', '=', id)
          .execute();
      }
      const asked: (string | null)[] = [];
      const gateway = testGateway({
        statusQuery: async (q) => {
          asked.push(q.gatewayId);
          return q.gatewayId === 'g0' ? 'delivered' : null;
        },
      });
      const w = worker(gateway, { HERALD_STATUS_TIMEOUT_HOURS: '1' });
      t.clock.advance(3_600_000);
      await w.checkStatusTimeouts();
      await w.stop();
      expect(asked.sort()).toEqual(['g0', 'g1']);
      const rows = await messageRows(t.db);
      expect(rows.get(ids[0]!)!.status).toBe('delivered');
      expect(rows.get(ids[1]!)!.status).toBe('status_timeout');
      expect((await historyOf(t.db, ids[0]!)).at(-1)).toMatchObject({
        to_status: 'delivered',
        source: 'status_query',
      });
    });
  });
});
