import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/core/secrets.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { gatewaySecretBox, openSettings, SECRET_MASK } from '../src/modules/gateways/gateways.secrets.js';
import { openProvider } from '../src/modules/gateways/gateways.usecases.js';
import { clockSleep, messageRows, queueMessages, testWorker } from './helpers/dispatch-fixtures.js';
import { type FakeHttpGateway, startFakeHttpGateway } from './helpers/fake-http-gateway.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

const KEY = Buffer.alloc(32, 9).toString('base64');
const ENV = {
  HERALD_ENCRYPTION_KEY: KEY,
  // The fake gateway listens on 127.0.0.1: the administrator's override for self-hosted gateways.
  HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
  HERALD_PUBLIC_URL: 'https://sms.example.com',
};
const API_KEY = 'k-very-secret-api-key-1';
const NEW_KEY = 'k-rotated-secret-key-2';

describe.each(TEST_DIALECTS)('gateway accounts on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let gw: FakeHttpGateway;
  beforeEach(async () => {
    t = await createTestApp(dialect, ENV);
    admin = await t.setupAdmin();
    gw = await startFakeHttpGateway({ apiKey: API_KEY });
  });
  afterEach(async () => {
    await gw.close();
    await t.close();
  });

  const call = (
    method: string,
    path: string,
    json?: unknown,
    headers: Record<string, string> = admin.headers,
  ) => t.request(path, { method, headers, ...(json !== undefined ? { json } : {}) });
  const httpSettings = (path = '/send/json', over: Json = {}) => ({
    url: `${gw.url}${path}`,
    method: 'POST_FORM',
    receiverParam: 'to',
    messageParam: 'text',
    secretParamName: 'api_key',
    secretParamValue: API_KEY,
    successJsonPath: '$.status',
    successValues: ['OK'],
    idJsonPath: '$.id',
    errorCodeJsonPath: '$.code',
    ...over,
  });
  const addHttpGateway = async (path = '/send/json', name = 'Bulk HTTP') => {
    const res = await call('POST', '/api/gateways', { name, kind: 'http', settings: httpSettings(path) });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Json & { id: string; settings: Json };
  };
  const rawRow = (id: string) =>
    t.db.kysely.selectFrom('provider_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditRows = (type: string) =>
    t.db.kysely.selectFrom('security_events').selectAll().where('type', '=', type).orderBy('id').execute();
  const addUser = async (email: string, roles: string[]) => {
    const r = await call('POST', '/api/users', {
      email,
      name: email,
      password: 'twelve chars min',
      roles,
      orgUnitIds: [admin.orgUnitId],
    });
    expect(r.status).toBe(201);
    const s = await t.loginAs(email, 'twelve chars min');
    return { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
  };

  describe('credentials', () => {
    it('are sealed in the database, masked on every read, and the adapter gets the real value', async () => {
      const created = await addHttpGateway();
      expect(created.settings.secretParamValue).toBe(SECRET_MASK);
      expect(created.settings.url).toBe(`${gw.url}/send/json`);
      expect(JSON.stringify(created)).not.toContain(API_KEY);

      const row = await rawRow(created.id);
      expect(row.settings).not.toContain(API_KEY);
      const stored = JSON.parse(row.settings) as Json;
      expect(stored.secretParamValue).toEqual({ $sealed: expect.stringMatching(/^v1:/) });
      expect(stored.url).toBe(`${gw.url}/send/json`);

      for (const path of ['/api/gateways', `/api/gateways/${created.id}`]) {
        const body = await (await call('GET', path)).text();
        expect(body).not.toContain(API_KEY);
        expect(body).toContain(SECRET_MASK);
      }

      // The adapter, opened with the server's box, sends the real key (the gateway refuses without it).
      const provider = openProvider(row, {}, gatewaySecretBox(t.config));
      try {
        const outcome = await provider.send({
          id: 'm-1',
          to: '+4915123456789',
          from: 'Herald',
          text: 'Hi',
          encoding: 'GSM-7',
          parts: [{ text: 'Hi', units: 2 }],
          callbackUrl: 'https://sms.example.com/api/callbacks/x',
        });
        expect(outcome).toMatchObject({ ok: true, gatewayId: expect.stringMatching(/^GW/) });
      } finally {
        await provider.close();
      }
      expect(gw.received.at(-1)!.params.api_key).toBe(API_KEY);
    });

    it('an update that omits the secret or sends the mask back keeps it; a new value replaces it', async () => {
      const created = await addHttpGateway();
      const box = gatewaySecretBox(t.config);
      const secretOf = async () =>
        openSettings('http', created.id, JSON.parse((await rawRow(created.id)).settings) as Json, box)
          .secretParamValue;

      expect(
        (await call('PATCH', `/api/gateways/${created.id}`, { settings: { messageParam: 'msg' } })).status,
      ).toBe(200);
      expect(await secretOf()).toBe(API_KEY);
      const echoed = await call('PATCH', `/api/gateways/${created.id}`, {
        settings: { ...created.settings, secretParamValue: SECRET_MASK, messageParam: 'body' },
      });
      expect(echoed.status).toBe(200);
      expect(await secretOf()).toBe(API_KEY);
      const rotated = await call('PATCH', `/api/gateways/${created.id}`, {
        settings: { secretParamValue: NEW_KEY },
      });
      expect(rotated.status).toBe(200);
      expect(await rotated.text()).not.toContain(NEW_KEY);
      expect(await secretOf()).toBe(NEW_KEY);
      expect((await rawRow(created.id)).settings).not.toContain(NEW_KEY);

      // The audit log names the changed fields, never a value.
      const updates = await auditRows('gateway_updated');
      expect(updates.map((u) => (JSON.parse(u.details) as { changed: string[] }).changed)).toEqual([
        ['settings.messageParam'],
        ['settings.messageParam'],
        ['settings.secretParamValue'],
      ]);
      const everything = JSON.stringify(
        await t.db.kysely.selectFrom('security_events').selectAll().execute(),
      );
      expect(everything).not.toContain(API_KEY);
      expect(everything).not.toContain(NEW_KEY);
      expect((await auditRows('gateway_created'))[0]!.target).toBe(`gateway:${created.id}`);
    });

    it('a sealed value is bound to its account and field, and needs the right key', async () => {
      const a = await addHttpGateway('/send/json', 'A');
      const b = await addHttpGateway('/send/json', 'B');
      const box = gatewaySecretBox(t.config);
      const sealedA = (JSON.parse((await rawRow(a.id)).settings) as Json).secretParamValue;
      // Copied to another account: does not open.
      expect(() => openSettings('http', b.id, { secretParamValue: sealedA }, box)).toThrow(
        expect.objectContaining({ code: 'gateway.secret_unreadable' }),
      );
      // Another key (HERALD_ENCRYPTION_KEY changed): does not open, and says which field, not the value.
      const otherBox = createSecretBox({
        key: Buffer.alloc(32, 1).toString('base64'),
        dataDir: '/nonexistent',
      });
      let error: unknown;
      try {
        openProvider(await rawRow(a.id), {}, otherBox);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({
        code: 'gateway.secret_unreadable',
        details: { field: 'settings.secretParamValue' },
      });
      expect(String((error as Error).message)).not.toContain(API_KEY);
      // A value that no longer opens (the key was lost) is repaired by entering the secret again.
      const stored = JSON.parse((await rawRow(b.id)).settings) as Json;
      await t.db.kysely
        .updateTable('provider_accounts')
        .set({ settings: JSON.stringify({ ...stored, secretParamValue: sealedA }) })
        .where('id', '=', b.id)
        .execute();
      const blocked = await call('PATCH', `/api/gateways/${b.id}`, { settings: { messageParam: 'msg' } });
      expect(blocked.status).toBe(500);
      expect(await blocked.json()).toMatchObject({
        code: 'gateway.secret_unreadable',
        field: 'settings.secretParamValue',
      });
      expect(
        (await call('PATCH', `/api/gateways/${b.id}`, { settings: { secretParamValue: NEW_KEY } })).status,
      ).toBe(200);
      expect(
        openSettings('http', b.id, JSON.parse((await rawRow(b.id)).settings) as Json, box).secretParamValue,
      ).toBe(NEW_KEY);
      // Without a box an account with secrets cannot be opened at all (never with the sealed text).
      await expect(async () => openProvider(await rawRow(a.id))).rejects.toMatchObject({
        code: 'gateway.secret_unreadable',
      });
    });

    it('the worker opens the sealed credentials and sends through the account', async () => {
      const created = await addHttpGateway();
      const sender = ((await (await call('GET', '/api/senders')).json()) as { items: { id: string }[] })
        .items[0]!;
      expect(
        (await call('PATCH', `/api/senders/${sender.id}`, { providerAccountId: created.id })).status,
      ).toBe(200);
      const [id] = await queueMessages(t.db, admin.orgUnitId, 1, { now: t.clock.now().toISOString() });
      const w = testWorker({ db: t.db, clock: t.clock, bus: t.bus, sleep: clockSleep(t.clock) }, ENV);
      try {
        expect(await w.runOnce()).toEqual({ claimed: 1 });
      } finally {
        await w.stop();
      }
      expect(gw.received.at(-1)!.params.api_key).toBe(API_KEY);
      expect((await messageRows(t.db)).get(id!)).toMatchObject({
        status: 'accepted',
        gateway_message_id: expect.stringMatching(/^gw/),
        provider_account_id: created.id,
      });
    });
  });

  it('the worker logs neither the credential, nor numbers, texts or the gateway error body, and does not store that body', async () => {
    const created = await addHttpGateway('/send/refuse');
    const sender = ((await (await call('GET', '/api/senders')).json()) as { items: { id: string }[] })
      .items[0]!;
    await call('PATCH', `/api/senders/${sender.id}`, { providerAccountId: created.id });
    const ids = await queueMessages(t.db, admin.orgUnitId, 2, { now: t.clock.now().toISOString() });
    const lines: string[] = [];
    const capture = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
      lines.push(JSON.stringify({ level, msg, ...fields }));
    const logger = {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    };
    const w = testWorker({ db: t.db, clock: t.clock, bus: t.bus, sleep: clockSleep(t.clock), logger }, ENV);
    try {
      expect(await w.runOnce()).toEqual({ claimed: 2 });
    } finally {
      await w.stop();
    }
    expect(gw.received.length).toBeGreaterThanOrEqual(2);
    const rows = await t.db.kysely
      .selectFrom('messages')
      .select(['id', 'to_e164', 'body', 'status', 'error_code', 'error_text'])
      .where('id', 'in', ids)
      .execute();
    expect(lines.some((l) => l.includes('message not accepted'))).toBe(true);
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'rejected', error_code: 'E_BLOCKED' });
      expect(r.error_text).not.toMatch(/blocked|\d{6}/);
      for (const line of lines) {
        expect(line).not.toContain(API_KEY);
        expect(line).not.toContain(r.to_e164!.slice(1));
        expect(line).not.toContain(r.body);
        expect(line).not.toContain('is blocked');
      }
    }
  });

  it('the report and inbound callbacks verify signatures with the sealed secret', async () => {
    const SIGNING = 'sealed-signing-secret-3';
    const res = await call('POST', '/api/gateways', {
      name: 'Signed HTTP',
      kind: 'http',
      settings: httpSettings('/send/json', {
        report: { idField: 'msgid', statusField: 'stat' },
        inbound: { fromField: 'sender', toField: 'receiver', textField: 'body', idField: 'msgid' },
        signatureHeader: 'X-Gw-Signature',
        signatureSecret: SIGNING,
      }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; settings: Json };
    expect(created.settings.signatureSecret).toBe(SECRET_MASK);
    expect((await rawRow(created.id)).settings).not.toContain(SIGNING);
    const token = (await rawRow(created.id)).callback_token;
    const post = (path: string, fields: Record<string, string>, key: string) => {
      const body = new URLSearchParams(fields).toString();
      return t.request(`/api/callbacks/${token}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-gw-signature': createHmac('sha256', key).update(body).digest('hex'),
        },
        body,
      });
    };
    const report = { msgid: 'GW000001', stat: 'DELIVRD' };
    expect((await post('', report, 'a-guessed-secret')).status).toBe(403);
    const ok = await post('', report, SIGNING);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ unmatched: 1 });
    const sms = { sender: '+4915123456789', receiver: 'Herald', body: 'Hello', msgid: 'MO-9' };
    expect((await post('/inbound', sms, 'a-guessed-secret')).status).toBe(403);
    expect((await post('/inbound', sms, SIGNING)).status).toBe(200);
    expect(await t.db.kysely.selectFrom('inbound_messages').select('text').execute()).toEqual([
      { text: 'Hello' },
    ]);
  });

  it('shows the callback and inbound URLs to system managers only', async () => {
    const created = await addHttpGateway();
    const token = (await rawRow(created.id)).callback_token;
    expect(created.callbackUrl).toBe(`https://sms.example.com/api/callbacks/${token}`);
    expect(created.inboundUrl).toBe(`https://sms.example.com/api/callbacks/${token}/inbound`);
    const manager = await addUser('manager@example.com', ['sms_manager']);
    const seen = (await (
      await call('GET', `/api/gateways/${created.id}`, undefined, manager)
    ).json()) as Json;
    expect(seen).not.toHaveProperty('callbackUrl');
    expect(seen).not.toHaveProperty('inboundUrl');
    expect(JSON.stringify(seen)).not.toContain(API_KEY);
  });

  describe('test send', () => {
    it('submits through the adapter and returns the gateway id; audited without number or text', async () => {
      const created = await addHttpGateway();
      const res = await call('POST', `/api/gateways/${created.id}/test-send`, {
        to: '+4915123456789',
        text: 'Herald test',
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({
        ok: true,
        gatewayId: expect.stringMatching(/^GW/),
        status: 'accepted',
        parts: 1,
      });
      const req = gw.received.at(-1)!;
      expect(req.params).toMatchObject({ to: '+4915123456789', text: 'Herald test', api_key: API_KEY });
      // Nothing is queued or logged as a message.
      expect(await t.db.kysely.selectFrom('messages').selectAll().execute()).toEqual([]);
      const [audit] = await auditRows('gateway_test_send');
      expect(audit).toMatchObject({ target: `gateway:${created.id}`, actor_id: admin.session.userId });
      expect(JSON.parse(audit!.details)).toMatchObject({ ok: true, gatewayId: body.gatewayId });
      expect(audit!.details).not.toContain('4915123456789');
      expect(audit!.details).not.toContain('Herald test');
    });

    it('returns the failure class, the gateway code and a short text, never the raw answer', async () => {
      const refused = await addHttpGateway('/send/refuse', 'Refusing');
      const r1 = (await (
        await call('POST', `/api/gateways/${refused.id}/test-send`, { to: '+4915123456789', text: 'x' })
      ).json()) as Json;
      expect(r1).toMatchObject({ ok: false, class: 'permanent', code: 'E_BLOCKED' });
      expect(JSON.stringify(r1)).not.toMatch(/is blocked|4915123456789/);

      const broken = await addHttpGateway('/send/bad', 'Broken');
      const r2 = (await (
        await call('POST', `/api/gateways/${broken.id}/test-send`, { to: '+4915123456789', text: 'x' })
      ).json()) as Json;
      expect(r2).toMatchObject({ ok: false, class: 'permanent', code: 'HTTP_400' });
      expect(JSON.stringify(r2)).not.toMatch(/<b>|bad request/);
      const audits = await auditRows('gateway_test_send');
      expect(audits.map((a) => JSON.parse(a.details) as Json)).toEqual([
        { ok: false, class: 'permanent', code: 'E_BLOCKED', parts: 1 },
        { ok: false, class: 'permanent', code: 'HTTP_400', parts: 1 },
      ]);
    });

    it('is limited to 5 per gateway per minute (429 with Retry-After), counted from the audit log', async () => {
      const created = await addHttpGateway();
      const send = () =>
        call('POST', `/api/gateways/${created.id}/test-send`, { to: '+4915123456789', text: 'again' });
      for (let i = 0; i < 5; i++) {
        expect((await send()).status).toBe(200);
        t.clock.advance(1000);
      }
      const limited = await send();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('55');
      expect(((await limited.json()) as Json).code).toBe('gateway.test_send_limited');
      expect(gw.received).toHaveLength(5);
      t.clock.advance(55_000);
      expect((await send()).status).toBe(200);
    });

    it('needs gateways.manage, a valid E.164 number and a number that did not opt out', async () => {
      const created = await addHttpGateway();
      const path = `/api/gateways/${created.id}/test-send`;
      const user = await addUser('user@example.com', ['sms_user']);
      expect((await call('POST', path, { to: '+4915123456789', text: 'x' }, user)).status).toBe(403);
      const manager = await addUser('manager@example.com', ['sms_manager']);
      expect((await call('POST', path, { to: '+4915123456789', text: 'x' }, manager)).status).toBe(200);

      const bad = await call('POST', path, { to: '015123456789', text: 'x' });
      expect(bad.status).toBe(422);
      expect(((await bad.json()) as Json).code).toBe('validation.failed');
      const opted = await call('POST', '/api/consent', {
        phone: '+4915199999999',
        state: 'opted_out',
        evidence: { note: 'asked by phone' },
      });
      expect(opted.status, await opted.clone().text()).toBeLessThan(300);
      const refused = await call('POST', path, { to: '+4915199999999', text: 'x' });
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as Json).code).toBe('gateway.test_send_refused');
      expect(
        (await call('POST', '/api/gateways/nope/test-send', { to: '+4915123456789', text: 'x' })).status,
      ).toBe(404);
      expect(gw.received).toHaveLength(1);
    });
  });
});
