import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/core/secrets.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { SYSTEM_PRINCIPAL } from '../src/modules/auth/auth.system.js';
import { backoffMs } from '../src/modules/webhooks/webhooks.retry.js';
import type { LookupFn } from '../src/modules/webhooks/webhooks.ssrf.js';
import { createWebhook } from '../src/modules/webhooks/webhooks.usecases.js';
import { type WebhookFixture, webhookFixture } from './helpers/webhook-fixture.js';
import { OPEN_WEBHOOK_ENV } from './helpers/webhook-receiver.js';

type Json = Record<string, unknown>;
const MINUTE = 60_000;

describe.each(TEST_DIALECTS)('webhook delivery on %s', (dialect) => {
  let x: WebhookFixture;
  beforeEach(async () => {
    x = await webhookFixture(dialect);
  });
  afterEach(async () => x.close());

  it('POSTs an applied status change, signed, with what the CRM needs to match it', async () => {
    x.t.clock.set(new Date()); // the receiver verifies the timestamp against the real time
    const { secret } = await x.addEndpoint();
    const w = x.worker();
    const { message, event } = await x.statusChange('delivered', {
      reference_type: 'invoice',
      reference_id: 'INV-1001',
      to_e164: '+4915123456789',
    });
    await x.statusChange('sent', {}, { applied: false }); // ignored late report: not sent to the CRM
    await w.tick();

    expect(x.rx.requests).toHaveLength(1);
    const req = x.rx.requests[0]!;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const body = new Webhook(secret).verify(req.body, headers) as Json;
    expect(body).toEqual({
      type: 'message.status_changed',
      timestamp: event.occurred_at,
      data: {
        eventId: event.id,
        messageId: message.id,
        status: 'delivered',
        previousStatus: 'sent',
        final: true,
        reason: null,
        orgUnitId: x.admin.orgUnitId,
        batchId: null,
        contactId: null,
        to: '+4915123456789',
        reference: { type: 'invoice', id: 'INV-1001' },
        occurredAt: event.occurred_at,
      },
    });
    const [d] = await x.deliveries();
    expect(d).toMatchObject({
      state: 'delivered',
      attempts: 1,
      last_response_status: 204,
      next_attempt_at: null,
    });
    expect(req.headers['webhook-id']).toBe(d?.id);
  });

  it('survives a receiver that is down for an hour: retried with growing backoff, then each delivered once', async () => {
    await x.addEndpoint();
    const w = x.worker();
    const changes = [
      await x.statusChange(),
      await x.statusChange('undelivered'),
      await x.statusChange('failed'),
    ];
    await x.rx.down();
    await w.tick();
    for (let m = 1; m <= 60; m++) {
      x.t.clock.advance(MINUTE);
      await w.tick();
    }
    const during = await x.deliveries();
    expect(during).toHaveLength(3);
    for (const d of during) {
      expect(d.state).toBe('pending');
      const attempts = await x.attemptsOf(d.id);
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts.length).toBeLessThanOrEqual(7); // 1, 2, 4, 8, 16, 32 minutes apart, not every minute
      expect(attempts.every((a) => a.outcome === 'retry' && a.response_status === null)).toBe(true);
      expect(attempts[0]?.error).toMatch(/connection failed/);
      for (let i = 1; i < attempts.length; i++) {
        const gap = Date.parse(attempts[i]!.attempted_at) - Date.parse(attempts[i - 1]!.attempted_at);
        expect(gap).toBeGreaterThanOrEqual(backoffMs(i, 0));
      }
    }

    await x.rx.up();
    for (let m = 1; m <= 120; m++) {
      x.t.clock.advance(MINUTE);
      await w.tick();
      if ((await x.deliveries()).every((d) => d.state === 'delivered')) break;
    }
    const after = await x.deliveries();
    expect(after.map((d) => d.state)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(x.rx.requests).toHaveLength(3);
    expect(new Set(x.rx.requests.map((r) => r.headers['webhook-id']))).toEqual(
      new Set(after.map((d) => d.id)),
    );
    const sentEvents = x.rx.requests.map(
      (r) => (JSON.parse(r.body) as { data: { eventId: string } }).data.eventId,
    );
    expect(new Set(sentEvents)).toEqual(new Set(changes.map((c) => c.event.id)));
    // Nothing more goes out afterwards.
    x.t.clock.advance(24 * 60 * MINUTE);
    await w.tick();
    expect(x.rx.requests).toHaveLength(3);
  });

  it('retries a 5xx and succeeds with the same id and the same body', async () => {
    let n = 0;
    x.rx.setReply(() => ({ status: n++ === 0 ? 500 : 200 }));
    await x.addEndpoint();
    const w = x.worker();
    await x.statusChange();
    await w.tick();
    const [pending] = await x.deliveries();
    expect(pending).toMatchObject({
      state: 'pending',
      attempts: 1,
      last_response_status: 500,
      last_error: 'HTTP 500',
    });
    expect(pending?.next_attempt_at).toBe('2026-11-22T09:01:00.000Z');
    x.t.clock.advance(30_000);
    await w.tick();
    expect(x.rx.requests).toHaveLength(1); // not due yet
    x.t.clock.advance(30_000);
    await w.tick();
    expect(x.rx.requests).toHaveLength(2);
    const [a, b] = x.rx.requests;
    expect(b?.headers['webhook-id']).toBe(a?.headers['webhook-id']);
    expect(b?.body).toBe(a?.body);
    const [done] = await x.deliveries();
    expect(done).toMatchObject({
      state: 'delivered',
      attempts: 2,
      last_response_status: 200,
      last_error: null,
    });
    expect((await x.attemptsOf(done!.id)).map((r) => [r.response_status, r.outcome])).toEqual([
      [500, 'retry'],
      [200, 'delivered'],
    ]);
  });

  it('honours Retry-After on 429 (seconds) and on 503 (HTTP date)', async () => {
    const replies = [
      { status: 429, headers: { 'retry-after': '300' } },
      { status: 503, headers: { 'retry-after': 'Sun, 22 Nov 2026 10:00:00 GMT' } },
      { status: 204 },
    ];
    x.rx.setReply(() => replies.shift() ?? { status: 204 });
    await x.addEndpoint();
    const w = x.worker();
    await x.statusChange();
    await w.tick();
    expect((await x.deliveries())[0]?.next_attempt_at).toBe('2026-11-22T09:05:00.000Z');
    x.t.clock.advance(299_000);
    await w.tick();
    expect(x.rx.requests).toHaveLength(1);
    x.t.clock.advance(1_000);
    await w.tick();
    expect(x.rx.requests).toHaveLength(2);
    expect((await x.deliveries())[0]?.next_attempt_at).toBe('2026-11-22T10:00:00.000Z');
    x.t.clock.set('2026-11-22T09:59:59.000Z');
    await w.tick();
    expect(x.rx.requests).toHaveLength(2);
    x.t.clock.set('2026-11-22T10:00:00.000Z');
    await w.tick();
    expect(x.rx.requests).toHaveLength(3);
    expect((await x.deliveries())[0]?.state).toBe('delivered');
  });

  it('410 Gone disables the endpoint, records why, and ends its pending deliveries', async () => {
    x.rx.setReply(() => ({ status: 410 }));
    const { id } = await x.addEndpoint();
    const w = x.worker();
    await x.statusChange();
    await x.statusChange();
    await w.tick();
    expect(x.rx.requests).toHaveLength(1);
    const ds = await x.deliveries();
    expect(ds.map((d) => d.state)).toEqual(['failed', 'failed']);
    expect(ds[0]?.last_response_status).toBe(410);
    expect(ds[1]?.last_error).toBe('endpoint disabled after HTTP 410 Gone');
    const ep = (await (
      await x.t.request(`/api/webhooks/${id}`, { headers: x.admin.headers })
    ).json()) as Json;
    expect(ep).toMatchObject({ enabled: false, disabledReason: 'The receiver answered 410 Gone.' });
    expect(ep.disabledAt).toBeTruthy();
    // New events create nothing for it, and nothing more is sent.
    await x.statusChange();
    x.t.clock.advance(60 * MINUTE);
    await w.tick();
    expect(await x.deliveries()).toHaveLength(2);
    expect(x.rx.requests).toHaveLength(1);
  });

  it('does not follow a redirect: a 3xx fails the delivery and the Location is never requested', async () => {
    x.rx.setReply((r) =>
      r.path === '/hook'
        ? { status: 307, headers: { location: `http://127.0.0.1:${x.rx.port}/elsewhere` } }
        : { status: 204 },
    );
    await x.addEndpoint();
    const w = x.worker();
    await x.statusChange();
    await w.tick();
    x.t.clock.advance(60 * MINUTE);
    await w.tick();
    expect(x.rx.requests.map((r) => r.path)).toEqual(['/hook']);
    const [d] = await x.deliveries();
    expect(d).toMatchObject({ state: 'failed', attempts: 1, last_response_status: 307 });
    expect(d?.last_error).toMatch(/redirects are not followed/);
  });

  it('a request that outlives the timeout is a failed attempt and is retried', async () => {
    await x.t.close();
    await x.rx.close();
    x = await webhookFixture(dialect, { ...OPEN_WEBHOOK_ENV, HERALD_WEBHOOKS_TIMEOUT_SECONDS: '1' });
    x.rx.setReply(() => ({ status: 204, delayMs: 1_500 }));
    await x.addEndpoint();
    const w = x.worker();
    await x.statusChange();
    await w.tick();
    const [d] = await x.deliveries();
    expect(d).toMatchObject({ state: 'pending', attempts: 1, last_error: 'timeout after 1000 ms' });
    expect(d?.last_duration_ms).toBeGreaterThanOrEqual(900);
  });

  it('connects to the address it checked: the host is resolved once per attempt and never again', async () => {
    const calls: string[] = [];
    const lookup: LookupFn = async (host) => {
      calls.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    await createWebhook({
      db: x.t.db.kysely,
      clock: x.t.clock,
      principal: SYSTEM_PRINCIPAL,
      policy: { allowPrivate: true, allowHttp: true, lookup },
      box: createSecretBox({ key: x.t.config.encryptionKey, dataDir: x.t.config.dataDir }),
      input: {
        orgUnitId: x.admin.orgUnitId,
        url: `http://receiver.test:${x.rx.port}/hook`,
        eventTypes: ['message.status_changed'],
      },
    });
    calls.length = 0; // the check at save resolved it once
    const w = x.worker({ lookup });
    await x.statusChange();
    await w.tick();
    expect(x.rx.requests).toHaveLength(1);
    expect(x.rx.requests[0]?.headers.host).toBe(`receiver.test:${x.rx.port}`);
    expect(calls).toEqual(['receiver.test']);
  });
});

describe.each(TEST_DIALECTS)('webhook SSRF checks at send time on %s', (dialect) => {
  let x: WebhookFixture;
  beforeEach(async () => {
    // No HERALD_WEBHOOKS_ALLOW_PRIVATE: internal targets are refused.
    x = await webhookFixture(dialect, {
      HERALD_WEBHOOKS_ALLOW_HTTP: 'true',
      HERALD_ENCRYPTION_KEY: OPEN_WEBHOOK_ENV.HERALD_ENCRYPTION_KEY,
    });
  });
  afterEach(async () => x.close());

  it('refuses to send when the DNS answer changed to an internal address after the URL was saved', async () => {
    let answer = '93.184.216.34'; // public when saved …
    const lookup: LookupFn = async () => [{ address: answer, family: 4 }];
    const box = createSecretBox({ key: x.t.config.encryptionKey, dataDir: x.t.config.dataDir });
    await createWebhook({
      db: x.t.db.kysely,
      clock: x.t.clock,
      principal: SYSTEM_PRINCIPAL,
      policy: { allowPrivate: false, allowHttp: true, lookup },
      box,
      input: {
        orgUnitId: x.admin.orgUnitId,
        url: `http://hooks.example.test:${x.rx.port}/hook`,
        eventTypes: ['message.status_changed'],
      },
    });
    answer = '127.0.0.1'; // … rebound to loopback (where the receiver listens) before the send
    const w = x.worker({ lookup });
    await x.statusChange();
    await w.tick();
    expect(x.rx.requests).toHaveLength(0);
    const [d] = await x.deliveries();
    expect(d).toMatchObject({ state: 'pending', attempts: 1, last_response_status: null });
    expect(d?.last_error).toMatch(/not sent: hooks\.example\.test resolves to 127\.0\.0\.1 \(loopback\)/);
  });

  it('refuses to send to an endpoint whose stored URL is internal (saved while the switch was on)', async () => {
    // Written directly, as if saved under an earlier configuration.
    const box = createSecretBox({ key: x.t.config.encryptionKey, dataDir: x.t.config.dataDir });
    await x.t.db.kysely
      .insertInto('webhook_endpoints')
      .values({
        id: 'ep-old',
        org_unit_id: x.admin.orgUnitId,
        url: x.rx.url,
        description: null,
        event_types: '["message.status_changed"]',
        enabled: true,
        enabled_at: x.t.clock.now().toISOString(),
        disabled_reason: null,
        disabled_at: null,
        secret_enc: box.seal('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 'ep-old'),
        previous_secret_enc: null,
        previous_secret_until: null,
        secret_rotated_at: null,
        created_by: null,
        created_at: x.t.clock.now().toISOString(),
        updated_at: x.t.clock.now().toISOString(),
      })
      .execute();
    const w = x.worker();
    await x.statusChange();
    await w.tick();
    expect(x.rx.requests).toHaveLength(0);
    expect((await x.deliveries())[0]?.last_error).toMatch(/127\.0\.0\.1 \(loopback\)/);
  });
});
