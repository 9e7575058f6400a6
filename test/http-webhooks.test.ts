import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { insertOrgUnit } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { OPEN_WEBHOOK_ENV, type Receiver, startReceiver } from './helpers/webhook-receiver.js';

type Json = Record<string, unknown>;

const OPEN_ENV = OPEN_WEBHOOK_ENV;

const headersOf = (r: { headers: Record<string, string | string[] | undefined> }) =>
  Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

describe.each(TEST_DIALECTS)('webhooks API on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let rx: Receiver;
  beforeEach(async () => {
    t = await createTestApp(dialect, OPEN_ENV);
    admin = await t.setupAdmin();
    rx = await startReceiver();
  });
  afterEach(async () => {
    await rx.close();
    await t.close();
  });

  const create = (body: Json, headers: Record<string, string> = admin.headers) =>
    t.request('/api/webhooks', { method: 'POST', headers, json: body });
  const createOk = async (over: Json = {}) => {
    const res = await create({
      orgUnitId: admin.orgUnitId,
      url: rx.url,
      eventTypes: ['message.status_changed', 'batch.completed'],
      ...over,
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Json & { id: string; secret: string };
  };

  it('creates an endpoint and shows its secret once; reads and lists never return it, and it is not stored in clear', async () => {
    const created = await createOk({ description: 'CRM' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({
      orgUnitId: admin.orgUnitId,
      url: rx.url,
      eventTypes: ['message.status_changed', 'batch.completed'],
      enabled: true,
      description: 'CRM',
    });
    const one = await (await t.request(`/api/webhooks/${created.id}`, { headers: admin.headers })).text();
    const list = await (await t.request('/api/webhooks', { headers: admin.headers })).text();
    for (const body of [one, list]) {
      expect(body).toContain(created.id);
      expect(body).not.toContain('"secret"');
      expect(body).not.toContain('whsec_');
      expect(body).not.toContain(created.secret.slice(6, 30));
    }
    const row = await t.db.kysely
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_enc.startsWith('v1:')).toBe(true);
    expect(JSON.stringify(row)).not.toContain(created.secret.slice(6, 30));
  });

  it('refuses bad input and stores nothing', async () => {
    for (const body of [
      { orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: [] },
      { orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: ['webhook.test'] },
      { orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: ['message.status'] },
      { orgUnitId: admin.orgUnitId, url: 'not a url', eventTypes: ['batch.completed'] },
      { orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: ['batch.completed'], secret: 'whsec_mine' },
    ]) {
      const res = await create(body);
      expect([422]).toContain(res.status);
    }
    expect((await create({ orgUnitId: 'nope', url: rx.url, eventTypes: ['batch.completed'] })).status).toBe(
      404,
    );
    const n = await t.db.kysely
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('changes URL, event types and enabled; disabling records a reason, enabling clears it; delete removes it', async () => {
    const { id } = await createOk();
    const patch = (json: Json) =>
      t.request(`/api/webhooks/${id}`, { method: 'PATCH', headers: admin.headers, json });
    const off = (await (
      await patch({ enabled: false, eventTypes: ['batch.completed', 'batch.completed'] })
    ).json()) as Json;
    expect(off).toMatchObject({
      enabled: false,
      eventTypes: ['batch.completed'],
      disabledReason: 'Disabled through the API.',
    });
    const on = (await (
      await patch({ enabled: true, url: `${rx.url}?v=2`, description: null })
    ).json()) as Json;
    expect(on).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, url: `${rx.url}?v=2` });
    expect(
      (await t.request(`/api/webhooks/${id}`, { method: 'DELETE', headers: admin.headers })).status,
    ).toBe(204);
    expect((await t.request(`/api/webhooks/${id}`, { headers: admin.headers })).status).toBe(404);
  });

  it('sends a signed webhook.test event that the receiver verifies with the standardwebhooks package', async () => {
    t.clock.set(new Date()); // verify() checks the timestamp against the real time
    const { id, secret } = await createOk();
    const res = await t.request(`/api/webhooks/${id}/test`, { method: 'POST', headers: admin.headers });
    expect(res.status).toBe(200);
    const delivery = (await res.json()) as Json & { attemptLog: Json[] };
    expect(delivery).toMatchObject({
      state: 'delivered',
      attempts: 1,
      lastResponseStatus: 204,
      eventType: 'webhook.test',
    });
    expect(delivery.attemptLog).toHaveLength(1);
    expect(delivery.attemptLog[0]).toMatchObject({ outcome: 'delivered', responseStatus: 204, error: null });

    expect(rx.requests).toHaveLength(1);
    const req = rx.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['webhook-id']).toBe(delivery.id);
    const verified = new Webhook(secret).verify(req.body, headersOf(req)) as Json;
    expect(verified).toMatchObject({ type: 'webhook.test', data: { webhookId: id } });
    // A wrong secret or a changed body does not verify.
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(req.body, headersOf(req)),
    ).toThrow();
    expect(() => new Webhook(secret).verify(req.body.replace('test', 'tost'), headersOf(req))).toThrow();
  });

  it('a failed test event is attempted once and its error is visible in the deliveries', async () => {
    rx.setReply(() => ({ status: 503 }));
    const { id } = await createOk();
    const d = (await (
      await t.request(`/api/webhooks/${id}/test`, { method: 'POST', headers: admin.headers })
    ).json()) as Json;
    expect(d).toMatchObject({
      state: 'gave_up',
      attempts: 1,
      lastResponseStatus: 503,
      lastError: 'HTTP 503',
      nextAttemptAt: null,
    });
    const list = (await (
      await t.request(`/api/webhooks/${id}/deliveries`, { headers: admin.headers })
    ).json()) as {
      items: (Json & { attemptLog: Json[] })[];
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]?.attemptLog[0]).toMatchObject({ responseStatus: 503, outcome: 'gave_up' });
    expect(typeof list.items[0]?.attemptLog[0]?.durationMs).toBe('number');
    expect(rx.requests).toHaveLength(1);

    // Retry by hand: back to pending with a fresh budget, the attempt log kept.
    const again = (await (
      await t.request(`/api/webhooks/${id}/deliveries/${String(d.id)}/retry`, {
        method: 'POST',
        headers: admin.headers,
      })
    ).json()) as Json & { attemptLog: unknown[] };
    expect(again).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: '2026-11-22T09:00:00.000Z' });
    expect(again.attemptLog).toHaveLength(1);
    const missing = await t.request(`/api/webhooks/${id}/deliveries/nope/retry`, {
      method: 'POST',
      headers: admin.headers,
    });
    expect(((await missing.json()) as Json).code).toBe('webhook.delivery_not_found');
  });

  it('rotating shows a new secret once; for a grace period deliveries carry a signature for each', async () => {
    t.clock.set(new Date());
    const { id, secret: old } = await createOk();
    const rotated = (await (
      await t.request(`/api/webhooks/${id}/rotate-secret`, { method: 'POST', headers: admin.headers })
    ).json()) as Json & { secret: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(old);
    expect(rotated.secretRotatedAt).toBeTruthy();
    expect(await (await t.request(`/api/webhooks/${id}`, { headers: admin.headers })).text()).not.toContain(
      rotated.secret.slice(6, 30),
    );
    await t.request(`/api/webhooks/${id}/test`, { method: 'POST', headers: admin.headers });
    const req = rx.requests.at(-1)!;
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.secret).verify(req.body, headersOf(req))).not.toThrow();
    expect(() => new Webhook(old).verify(req.body, headersOf(req))).not.toThrow();
  });

  it('needs webhooks.manage, and only shows endpoints of the caller’s org units', async () => {
    const { id } = await createOk();
    const sibling = await insertOrgUnit(t.db.kysely, { name: 'Branch B', now: '2026-11-22T09:00:00.000Z' });
    const addUser = async (email: string, roles: string[], orgUnitIds: string[]) => {
      const r = await t.request('/api/users', {
        method: 'POST',
        headers: admin.headers,
        json: { email, name: email, password: 'twelve chars min', roles, orgUnitIds },
      });
      expect(r.status).toBe(201);
      const s = await t.loginAs(email, 'twelve chars min');
      return { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
    };
    const user = await addUser('user@example.com', ['sms_user'], [admin.orgUnitId]);
    expect((await t.request('/api/webhooks', { headers: user })).status).toBe(403);
    expect(
      (await create({ orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: ['batch.completed'] }, user))
        .status,
    ).toBe(403);

    const other = await addUser('mgr@example.com', ['sms_manager'], [sibling]);
    const seen = (await (await t.request('/api/webhooks', { headers: other })).json()) as { items: Json[] };
    expect(seen.items).toEqual([]);
    for (const [method, path] of [
      ['GET', `/api/webhooks/${id}`],
      ['DELETE', `/api/webhooks/${id}`],
      ['POST', `/api/webhooks/${id}/test`],
      ['POST', `/api/webhooks/${id}/rotate-secret`],
      ['GET', `/api/webhooks/${id}/deliveries`],
    ] as const) {
      const r = await t.request(path, { method, headers: other });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect(rx.requests).toHaveLength(0);
    expect(
      (await create({ orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: ['batch.completed'] }, other))
        .status,
    ).toBe(404);
    expect(
      (await create({ orgUnitId: sibling, url: rx.url, eventTypes: ['batch.completed'] }, other)).status,
    ).toBe(201);
  });

  it('an API key with webhooks.manage manages endpoints', async () => {
    const key = (await (
      await t.request('/api/api-keys', {
        method: 'POST',
        headers: admin.headers,
        json: { name: 'crm', permissions: ['webhooks.manage'], orgUnitIds: [admin.orgUnitId] },
      })
    ).json()) as { key: string };
    const res = await create(
      { orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: ['message.status_changed'] },
      { authorization: `Bearer ${key.key}` },
    );
    expect(res.status).toBe(201);
  });
});

describe.each(TEST_DIALECTS)('webhook URLs without the administrator switches on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  beforeEach(async () => {
    t = await createTestApp(dialect, { HERALD_ENCRYPTION_KEY: OPEN_ENV.HERALD_ENCRYPTION_KEY });
    admin = await t.setupAdmin();
  });
  afterEach(async () => t.close());

  const save = (url: string) =>
    t.request('/api/webhooks', {
      method: 'POST',
      headers: admin.headers,
      json: { orgUnitId: admin.orgUnitId, url, eventTypes: ['message.status_changed'] },
    });

  it('refuses loopback, private, link-local, CGNAT, mapped and localhost targets at save, storing nothing', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://10.0.0.8/',
      'https://192.168.1.20/',
      'https://172.16.5.4/',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[fd00::5]/',
      'https://0.0.0.0/',
      'https://2130706433/',
    ]) {
      const res = await save(url);
      expect(res.status, url).toBe(422);
      const body = (await res.json()) as Json;
      expect(body.code).toBe('webhook.url_not_allowed');
      expect(String(body.reason)).toMatch(/HERALD_WEBHOOKS_ALLOW_PRIVATE/);
    }
    const n = await t.db.kysely
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('refuses plain http unless HERALD_WEBHOOKS_ALLOW_HTTP is on, also when changing the URL', async () => {
    const res = await save('http://93.184.216.34/hook');
    expect(res.status).toBe(422);
    expect(String(((await res.json()) as Json).reason)).toMatch(/only https/);
    const ok = await save('https://93.184.216.34/hook');
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()) as { id: string };
    const patched = await t.request(`/api/webhooks/${id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { url: 'https://10.1.1.1/hook' },
    });
    expect(patched.status).toBe(422);
    const row = await t.db.kysely.selectFrom('webhook_endpoints').select('url').executeTakeFirstOrThrow();
    expect(row.url).toBe('https://93.184.216.34/hook');
  });
});
