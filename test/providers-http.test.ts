import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/core/errors.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { parsePath } from '../src/providers/http/http.extract.js';
import { httpFactory } from '../src/providers/http/http.provider.js';
import { type HttpSettings, httpSettingsSchema } from '../src/providers/http/http.settings.js';
import { conformanceMessage, runProviderConformance } from '../src/providers/provider.conformance.js';
import {
  type CallbackRequest,
  type FetchLike,
  normalizeGatewayId,
  type OutboundMessage,
  type Provider,
  type ProviderDeps,
} from '../src/providers/provider.contract.js';
import { createProvider, defaultProviderDeps } from '../src/providers/provider.registry.js';
import {
  FAKE_SIGNATURE_HEADER,
  type FakeHttpGateway,
  startFakeHttpGateway,
} from './helpers/fake-http-gateway.js';
import { messageFactory } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const API_KEY = 'k-123-secret-api-key';
const SIGNING = 'gateway-signing-secret';

const deps = (over: Partial<ProviderDeps> = {}): ProviderDeps => ({
  ...defaultProviderDeps,
  fetch: (url, init) => fetch(url, init),
  clock: { now: () => new Date('2026-01-01T00:00:00Z') },
  ...over,
});

/** The settings a typical JSON gateway needs: everything mapped, reports and inbound signed. */
const settings = (
  gw: FakeHttpGateway,
  path: string,
  over: Partial<Record<string, unknown>> = {},
): HttpSettings =>
  httpSettingsSchema.parse({
    url: `${gw.url}${path}`,
    method: 'POST_FORM',
    receiverParam: 'to',
    messageParam: 'text',
    senderParam: 'from',
    callbackParam: 'dlr_url',
    secretParamName: 'api_key',
    secretParamValue: API_KEY,
    successJsonPath: '$.status',
    successValues: ['OK'],
    idJsonPath: '$.id',
    errorCodeJsonPath: '$.code',
    unicodeParamName: 'coding',
    unicodeParamValue: '8',
    report: { idField: 'msgid', statusField: 'stat', errorField: 'err', timeField: 'done' },
    inbound: { fromField: 'sender', toField: 'receiver', textField: 'body', idField: 'msgid' },
    signatureHeader: 'X-Gw-Signature',
    signatureSecret: SIGNING,
    ...over,
  });

const make = (s: HttpSettings, d: ProviderDeps = deps()): Provider =>
  httpFactory.create({ id: 'acc-http', settings: s, callbackToken: 'tok', maxParts: 10, shiftTables: [] }, d);

runProviderConformance('generic HTTP', async () => {
  const gw = await startFakeHttpGateway({ apiKey: API_KEY, signingSecret: SIGNING, reportFormat: 'form' });
  return {
    provider: (scenario) =>
      make(
        settings(
          gw,
          scenario === 'accept'
            ? '/send/json'
            : scenario === 'permanent'
              ? '/send/refuse'
              : '/send/unavailable',
        ),
      ),
    triggerInbound: async (_p, sms, inboundUrl) => {
      await gw.inbound(inboundUrl, sms);
    },
    close: () => gw.close(),
  };
});

const message = (text: string, over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  ...conformanceMessage('https://herald.example/api/callbacks/tok', text),
  id: 'msg-0001',
  ...over,
});

const request = (over: Partial<CallbackRequest>): CallbackRequest => ({
  headers: {},
  body: '',
  query: {},
  url: 'https://herald.example/api/callbacks/tok',
  ...over,
});
const hmac = (content: string, secret = SIGNING) => createHmac('sha256', secret).update(content).digest();

describe('generic HTTP adapter', () => {
  let gw: FakeHttpGateway;
  beforeAll(async () => {
    gw = await startFakeHttpGateway({ apiKey: API_KEY });
  });
  afterAll(async () => {
    await gw.close();
  });
  const last = () => gw.received.at(-1)!;

  it('declares its secrets and its address setting, fills defaults and refuses incoherent settings', () => {
    expect(httpFactory.secretSettings).toEqual(['secretParamValue', 'signatureSecret']);
    expect(httpFactory.addressSettings).toEqual(['url']);
    const d = httpSettingsSchema.parse({ url: 'https://sms.example/send' });
    expect(d).toMatchObject({
      method: 'POST_FORM',
      messageParam: 'message',
      receiverParam: 'to',
      successStatusCodes: [200, 201, 202],
      timeoutMs: 15000,
      report: { idField: 'id', statusField: 'status', statusMap: {} },
      inbound: { fromField: 'from', toField: 'to', textField: 'text' },
    });
    const bad: [Record<string, unknown>, string][] = [
      [{ url: 'ftp://sms.example/' }, 'url'],
      [{ url: 'https://x.example', secretParamName: 'key' }, 'secretParamValue'],
      [{ url: 'https://x.example', signatureSecret: 'long-enough-secret' }, 'signatureHeader'],
      [{ url: 'https://x.example', successRegex: '(' }, 'successRegex'],
      [{ url: 'https://x.example', idJsonPath: '$..[' }, 'idJsonPath'],
      [{ url: 'https://x.example', successValues: ['OK'] }, 'successJsonPath'],
      [{ url: 'https://x.example', report: { statusMap: { DELIVRD: 'arrived' } } }, 'report'],
      [
        { url: 'https://x.example', signatureHeader: 'bad header', signatureSecret: 'long-enough-secret' },
        'signatureHeader',
      ],
      [{ url: 'https://x.example', colour: 'blue' }, ''],
    ];
    for (const [input, path] of bad) {
      const r = httpSettingsSchema.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      if (!r.success && path) expect(r.error.issues[0]!.path[0]).toBe(path);
    }
    expect(parsePath("$.messages[0]['message-id']")).toEqual(['messages', 0, 'message-id']);
    expect(parsePath('a.b.0')).toEqual(['a', 'b', 0]);
  });

  it('GET puts every parameter in the query, static header parameters and the secret in headers', async () => {
    const p = make(
      settings(gw, '/send/json', {
        method: 'GET',
        receiverFormat: 'digits',
        referenceParam: 'ref',
        secretParamName: 'X-Api-Key',
        secretParamAsHeader: true,
        staticParams: [
          { name: 'route', value: 'premium' },
          { name: 'X-Tenant', value: 'acme', header: true },
        ],
      }),
    );
    const outcome = await p.send(message('Hello & welcome = 100%'));
    expect(outcome).toMatchObject({ ok: true, status: 'accepted' });
    const r = last();
    expect(r.method).toBe('GET');
    expect(r.body).toBe('');
    expect(r.query).toEqual({
      to: '4915123456789',
      text: 'Hello & welcome = 100%',
      from: 'Herald',
      ref: 'msg-0001',
      dlr_url: 'https://herald.example/api/callbacks/tok',
      route: 'premium',
    });
    expect(r.headers['x-tenant']).toBe('acme');
    expect(r.headers['x-api-key']).toBe(API_KEY);
    expect(r.query.api_key).toBeUndefined();
  });

  it('POST_JSON sends one JSON object with the secret as a parameter; POST_FORM a form body', async () => {
    const json = make(settings(gw, '/send/json', { method: 'POST_JSON' }));
    expect(await json.send(message('Your code is 1234'))).toMatchObject({ ok: true });
    expect(last().headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(last().body)).toMatchObject({
      to: '+4915123456789',
      text: 'Your code is 1234',
      api_key: API_KEY,
    });
    const form = make(settings(gw, '/send/json'));
    expect(await form.send(message('Your code is 1234'))).toMatchObject({ ok: true });
    expect(last().headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(new URLSearchParams(last().body).get('to')).toBe('+4915123456789');
  });

  it('sends UCS-2 text as UTF-8 with the Unicode parameter, and GSM text without it', async () => {
    const p = make(settings(gw, '/send/json'));
    const text = 'Привет! Ваш код 1234 😀';
    expect(await p.send(message(text))).toMatchObject({ ok: true });
    expect(last().params.text).toBe(text);
    expect(last().params.coding).toBe('8');
    expect(await p.send(message('Plain GSM text'))).toMatchObject({ ok: true });
    expect(last().params.coding).toBeUndefined();
  });

  it('a 3-part message goes as one request with the whole text (the gateway splits it)', async () => {
    const p = make(settings(gw, '/send/json'));
    const before = gw.received.length;
    const m = message('Herald multipart test. '.repeat(18));
    expect(m.parts).toHaveLength(3);
    const outcome = await p.send(m);
    expect(outcome).toMatchObject({ ok: true });
    if (outcome.ok) expect(outcome.partIds).toBeUndefined();
    expect(gw.received.length - before).toBe(1);
    expect(last().params.text).toBe(m.text);
  });

  it('a 200 carrying an error is a permanent failure with the gateway code and no raw body', async () => {
    const p = make(settings(gw, '/send/json'));
    const outcome = await p.send(message('Hi', { to: '+4915123456780' }));
    expect(outcome).toMatchObject({ ok: false, class: 'permanent', code: 'E_NUMBER' });
    if (!outcome.ok) {
      expect(outcome.text).not.toContain('4915123456780');
      expect(outcome.text).not.toContain('Invalid number');
    }
    const temporary = make(settings(gw, '/send/json', { temporaryErrorCodes: ['E_NUMBER'] }));
    expect(await temporary.send(message('Hi', { to: '+4915123456780' }))).toMatchObject({
      ok: false,
      class: 'retryable',
      code: 'E_NUMBER',
    });
    // A gateway code the account maps to an opt-out: the worker records the number as opted out.
    const optedOut = make(settings(gw, '/send/refuse', { optedOutErrorCodes: ['E_BLOCKED'] }));
    expect(await optedOut.send(message('Hi'))).toEqual({
      ok: false,
      class: 'opted_out',
      code: 'E_BLOCKED',
      text: 'The gateway says the recipient opted out.',
    });
  });

  it('reads a plain-text answer with a success regex and takes the id from a regex group', async () => {
    const p = make(
      settings(gw, '/send/text', {
        successJsonPath: undefined,
        successValues: [],
        idJsonPath: undefined,
        errorCodeJsonPath: undefined,
        successRegex: '^OK\\b',
        idRegex: 'id=(\\w+)',
      }),
    );
    const outcome = await p.send(message('Hi'));
    expect(outcome).toMatchObject({ ok: true, status: 'accepted' });
    if (outcome.ok) expect(outcome.gatewayId).toMatch(/^GW\d{6}$/);
    const failing = make(
      settings(gw, '/send/text', {
        successJsonPath: undefined,
        successValues: [],
        idJsonPath: undefined,
        errorCodeJsonPath: undefined,
        successRegex: '^ACCEPTED',
        errorCodeRegex: '^(\\w+)',
      }),
    );
    expect(await failing.send(message('Hi'))).toMatchObject({ ok: false, class: 'permanent', code: 'OK' });
  });

  it("without an id rule Herald's message id stands for the gateway id (reports carry the reference)", async () => {
    const p = make(settings(gw, '/send/json', { idJsonPath: undefined, referenceParam: 'ref' }));
    expect(await p.send(message('Hi'))).toEqual({ ok: true, gatewayId: 'msg-0001', status: 'accepted' });
    expect(last().params.ref).toBe('msg-0001');
    const missing = make(settings(gw, '/send/json', { idJsonPath: '$.message_id' }));
    const logged: string[] = [];
    const withLog = make(settings(gw, '/send/json', { idJsonPath: '$.message_id' }), {
      ...deps(),
      log: (_l, msg) => logged.push(msg),
    });
    expect(await missing.send(message('Hi'))).toEqual({
      ok: true,
      gatewayId: 'msg-0001',
      status: 'accepted',
    });
    await withLog.send(message('Hi'));
    expect(logged.join()).toMatch(/no message id/);
  });

  it('maps HTTP statuses: 503 retryable and 429 throttled with Retry-After, 302 not followed, 400/401 permanent', async () => {
    const call = (path: string, over = {}) => make(settings(gw, path, over)).send(message('Hi'));
    expect(await call('/send/unavailable')).toMatchObject({
      ok: false,
      class: 'retryable',
      code: 'HTTP_503',
      retryAfterMs: 2000,
    });
    expect(await call('/send/throttle')).toMatchObject({
      ok: false,
      class: 'throttled',
      code: 'HTTP_429',
      retryAfterMs: 3000,
    });
    const before = gw.received.length;
    expect(await call('/send/redirect')).toMatchObject({ ok: false, class: 'permanent', code: 'HTTP_302' });
    expect(gw.received.length - before).toBe(1);
    const bad = await call('/send/bad');
    expect(bad).toMatchObject({ ok: false, class: 'permanent', code: 'HTTP_400' });
    if (!bad.ok) expect(bad.text).not.toMatch(/<b>|4915/);
    expect(await call('/send/json', { secretParamValue: 'wrong-key' })).toMatchObject({
      ok: false,
      class: 'permanent',
      code: 'HTTP_401',
    });
    expect(await call('/send/json', { successStatusCodes: [201] })).toMatchObject({
      ok: false,
      class: 'permanent',
      code: 'HTTP_200',
    });
  });

  it('asks fetch never to follow redirects', async () => {
    const seen: RequestInit[] = [];
    const recording: FetchLike = (url, init) => {
      seen.push(init);
      return fetch(url, init);
    };
    await make(settings(gw, '/send/json'), deps({ fetch: recording })).send(message('Hi'));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.redirect).toBe('manual');
  });

  it('a timeout after sending is unknown; a refused connection is retryable; a refused address permanent', async () => {
    const hang = make(settings(gw, '/send/hang', { timeoutMs: 1000 }));
    expect(await hang.send(message('Hi'))).toMatchObject({ ok: false, class: 'unknown', code: 'TIMEOUT' });

    const closed = await startFakeHttpGateway();
    const url = closed.url;
    await closed.close();
    const refused = await make(httpSettingsSchema.parse({ url: `${url}/send/json` })).send(message('Hi'));
    expect(refused).toMatchObject({ ok: false, class: 'retryable', code: 'ECONNREFUSED' });

    const guarded: FetchLike = async () => {
      throw new AppError('webhook.url_not_allowed', 'loopback address');
    };
    expect(
      await make(settings(gw, '/send/json'), deps({ fetch: guarded })).send(message('Hi')),
    ).toMatchObject({
      ok: false,
      class: 'permanent',
      code: 'webhook.url_not_allowed',
    });
    class GatewayAddressRefusedError extends Error {
      override name = 'GatewayAddressRefusedError';
    }
    const policy: FetchLike = async () => {
      throw new GatewayAddressRefusedError('127.0.0.1 is a loopback address');
    };
    expect(await make(settings(gw, '/send/json'), deps({ fetch: policy })).send(message('Hi'))).toMatchObject(
      {
        ok: false,
        class: 'permanent',
        code: 'ADDRESS_REFUSED',
      },
    );
  });

  it('is created through the registry and declares its capabilities', () => {
    const p = createProvider(
      'http',
      {
        id: 'a',
        settings: { url: 'https://sms.example/send' },
        callbackToken: 't',
        maxParts: 6,
        shiftTables: [],
      },
      {},
    );
    expect(p.kind).toBe('http');
    expect(p.capabilities).toMatchObject({
      unicode: true,
      maxParts: 6,
      inbound: true,
      throughputUnit: 'messages',
    });
  });
});

describe('generic HTTP callbacks', () => {
  const fake = { url: 'http://127.0.0.1:1' } as FakeHttpGateway;
  const signed = make(settings(fake, '/x'));
  const unsigned = make(settings(fake, '/x', { signatureHeader: undefined, signatureSecret: undefined }));
  const sig = (content: string) => ({ [FAKE_SIGNATURE_HEADER]: hmac(content).toString('hex') });

  it('parses a signed form report with its error code and time; accepts base64 and a sha256= prefix', () => {
    const body = 'msgid=GW000042&stat=DELIVRD&err=000&done=1767225600';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(signed.parseDeliveryReport(request({ body, headers: { ...form, ...sig(body) } }))).toEqual({
      ok: true,
      reports: [
        { gatewayId: 'GW000042', status: 'delivered', errorCode: '000', at: '2026-01-01T00:00:00.000Z' },
      ],
    });
    for (const header of [hmac(body).toString('base64'), `sha256=${hmac(body).toString('hex')}`]) {
      expect(
        signed.parseDeliveryReport(request({ body, headers: { ...form, [FAKE_SIGNATURE_HEADER]: header } }))
          .ok,
      ).toBe(true);
    }
    for (const header of [hmac(body, 'other-secret').toString('hex'), 'abc', '']) {
      expect(
        signed.parseDeliveryReport(request({ body, headers: { ...form, [FAKE_SIGNATURE_HEADER]: header } })),
      ).toEqual({ ok: false, reason: 'invalid_signature' });
    }
  });

  it('signs GET reports over the query string', () => {
    const qs = 'msgid=GW7&stat=UNDELIV&err=005';
    const r = request({
      url: `https://herald.example/api/callbacks/tok?${qs}`,
      query: Object.fromEntries(new URLSearchParams(qs)),
      headers: sig(qs),
    });
    expect(signed.parseDeliveryReport(r)).toEqual({
      ok: true,
      reports: [{ gatewayId: 'GW7', status: 'undelivered', errorCode: '005' }],
    });
    expect(signed.parseDeliveryReport({ ...r, url: r.url.replace('UNDELIV', 'DELIVRD') })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('maps status words through the defaults and the account statusMap; ignore drops, unknown words are refused', () => {
    const mapped = make(
      settings(fake, '/x', {
        signatureHeader: undefined,
        signatureSecret: undefined,
        report: {
          idField: 'data.id',
          statusField: 'data.state',
          statusMap: { '1': 'delivered', '16': 'rejected', PENDING: 'ignore' },
        },
      }),
    );
    const json = (state: unknown) =>
      request({
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: { id: 'A1', state } }),
      });
    expect(mapped.parseDeliveryReport(json(1))).toMatchObject({
      ok: true,
      reports: [{ status: 'delivered' }],
    });
    expect(mapped.parseDeliveryReport(json('16'))).toMatchObject({
      ok: true,
      reports: [{ status: 'rejected' }],
    });
    expect(mapped.parseDeliveryReport(json('pending'))).toEqual({ ok: true, reports: [] });
    expect(mapped.parseDeliveryReport(json('Expired'))).toMatchObject({
      ok: true,
      reports: [{ status: 'undelivered' }],
    });
    expect(mapped.parseDeliveryReport(json('ACCEPTD'))).toMatchObject({
      ok: true,
      reports: [{ status: 'sent' }],
    });
    expect(mapped.parseDeliveryReport(json('weird'))).toEqual({ ok: false, reason: 'invalid_payload' });
  });

  it('a JSON array body gives one report per element', () => {
    const body = JSON.stringify([
      { msgid: 'A', stat: 'delivered' },
      { msgid: 'B', stat: 'rejected', err: 'E9' },
    ]);
    expect(
      unsigned.parseDeliveryReport(request({ body, headers: { 'content-type': 'application/json' } })),
    ).toEqual({
      ok: true,
      reports: [
        { gatewayId: 'A', status: 'delivered' },
        { gatewayId: 'B', status: 'rejected', errorCode: 'E9' },
      ],
    });
  });

  it('refuses reports that do not match the mapping as invalid_payload', () => {
    const json = { 'content-type': 'application/json' };
    for (const r of [
      request({ body: '{not json', headers: json }),
      request({ body: '"a string"', headers: json }),
      request({ body: '[1,2]', headers: json }),
      request({ body: JSON.stringify({ stat: 'delivered' }), headers: json }),
      request({ body: JSON.stringify({ msgid: 'A' }), headers: json }),
      request({ body: JSON.stringify({ msgid: { nested: 1 }, stat: 'delivered' }), headers: json }),
      request({ body: '<xml/>', headers: { 'content-type': 'application/xml' } }),
      request({}),
    ]) {
      expect(unsigned.parseDeliveryReport(r), r.body).toEqual({ ok: false, reason: 'invalid_payload' });
    }
  });

  it('parses inbound messages by the mapping and refuses bad ones', () => {
    const body = 'sender=%2B4915123456789&receiver=4930123456&body=Stop+please&msgid=MO1';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(signed.parseInbound!(request({ body, headers: { ...form, ...sig(body) } }))).toEqual({
      ok: true,
      messages: [{ from: '+4915123456789', to: '4930123456', text: 'Stop please', gatewayMessageId: 'MO1' }],
    });
    expect(signed.parseInbound!(request({ body, headers: form }))).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(unsigned.parseInbound!(request({ body: 'sender=1&body=x', headers: form }))).toEqual({
      ok: false,
      reason: 'invalid_payload',
    });
    expect(
      unsigned.parseInbound!(request({ query: { sender: '1', receiver: '2', body: 'hi' } })),
    ).toMatchObject({
      ok: true,
      messages: [{ from: '1', to: '2', text: 'hi' }],
    });
  });

  it('without a configured signature an unsigned report is accepted (the callback token authenticates)', () => {
    const body = 'msgid=X&stat=delivered';
    expect(unsigned.parseDeliveryReport(request({ body }))).toMatchObject({ ok: true });
  });

  it('the gateway posts its report to the dlr URL sent with the message', async () => {
    const gw = await startFakeHttpGateway({ reportFormat: 'json', reportStatus: 'UNDELIV' });
    const { startCallbackServer } = await import('../src/providers/provider.conformance.js');
    const callbacks = await startCallbackServer();
    try {
      const p = make(settings(gw, '/send/json', { signatureHeader: undefined, signatureSecret: undefined }));
      const outcome = await p.send(message('Hi', { callbackUrl: `${callbacks.url}/r` }));
      const r = await callbacks.next(3000);
      expect(p.parseDeliveryReport(r)).toEqual({
        ok: true,
        reports: [
          {
            gatewayId: outcome.ok ? outcome.gatewayId : '',
            status: 'undelivered',
            errorCode: '000',
            at: '2026-01-01T00:00:00.000Z',
          },
        ],
      });
    } finally {
      await callbacks.close();
      await gw.close();
    }
  });
});

describe.each(TEST_DIALECTS)(
  'generic HTTP through Herald’s gateway API and callback route on %s',
  (dialect) => {
    let t: TestApp;
    let gw: FakeHttpGateway;
    let headers: Record<string, string>;
    let orgUnitId: string;
    beforeEach(async () => {
      gw = await startFakeHttpGateway({ apiKey: API_KEY });
      t = await createTestApp(dialect, {
        HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
        HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
      });
      const admin = await t.setupAdmin();
      headers = admin.headers;
      orgUnitId = admin.orgUnitId;
    });
    afterEach(async () => {
      await t.close();
      await gw.close();
    });

    it('saves an account with its secrets masked, test-sends through the gateway and applies signed reports only', async () => {
      const res = await t.request('/api/gateways', {
        method: 'POST',
        headers,
        json: {
          name: 'My gateway',
          kind: 'http',
          settings: {
            url: `${gw.url}/send/json`,
            messageParam: 'text',
            secretParamName: 'api_key',
            secretParamValue: API_KEY,
            successJsonPath: '$.status',
            successValues: ['OK'],
            idJsonPath: '$.id',
            report: { idField: 'msgid', statusField: 'stat', errorField: 'err' },
            signatureHeader: 'X-Gw-Signature',
            signatureSecret: SIGNING,
          },
        },
      });
      expect(res.status).toBe(201);
      const account = (await res.json()) as { id: string };
      expect(JSON.stringify(account)).not.toContain(API_KEY);
      expect(JSON.stringify(account)).not.toContain(SIGNING);

      const sent = await t.request(`/api/gateways/${account.id}/test-send`, {
        method: 'POST',
        headers,
        json: { to: '+4915123456789', text: 'Herald test' },
      });
      expect(await sent.json()).toMatchObject({
        ok: true,
        status: 'accepted',
        gatewayId: expect.stringMatching(/^GW/),
      });
      expect(gw.received.at(-1)!.params).toMatchObject({ api_key: API_KEY, text: 'Herald test' });

      const token = (
        await t.db.kysely
          .selectFrom('provider_accounts')
          .select('callback_token')
          .where('id', '=', account.id)
          .executeTakeFirstOrThrow()
      ).callback_token;
      const { insertMessage } = messageFactory(t.db.kysely, { orgUnitId, now: t.clock.now().toISOString() });
      const { id } = await insertMessage({
        status: 'accepted',
        provider_account_id: account.id,
        gateway_message_id: normalizeGatewayId('GW000777'),
      });
      const statusOf = async () =>
        t.db.kysely
          .selectFrom('messages')
          .select(['status', 'error_code'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      const body = 'msgid=GW000777&stat=UNDELIV&err=011';
      const post = (b: string, signature: string) =>
        t.request(`/api/callbacks/${token}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            [FAKE_SIGNATURE_HEADER]: signature,
          },
          body: b,
        });
      const sig = hmac(body).toString('hex');
      expect((await post(body.replace('UNDELIV', 'DELIVRD'), sig)).status).toBe(403);
      expect((await post(body, hmac(body, 'guessed-secret').toString('hex'))).status).toBe(403);
      expect(await statusOf()).toEqual({ status: 'accepted', error_code: null });
      const ok = await post(body, sig);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ applied: 1 });
      expect(await statusOf()).toEqual({ status: 'undelivered', error_code: '011' });
      expect(await (await post(body, sig)).json()).toMatchObject({ applied: 0, duplicates: 1 });
    });

    it('a signed inbound SMS is stored; an unsigned or tampered one is refused and stores nothing', async () => {
      const res = await t.request('/api/gateways', {
        method: 'POST',
        headers,
        json: {
          name: 'Inbound gateway',
          kind: 'http',
          settings: {
            url: `${gw.url}/send/json`,
            inbound: { fromField: 'sender', toField: 'receiver', textField: 'body', idField: 'msgid' },
            signatureHeader: 'X-Gw-Signature',
            signatureSecret: SIGNING,
          },
        },
      });
      const { id } = (await res.json()) as { id: string };
      const token = (
        await t.db.kysely
          .selectFrom('provider_accounts')
          .select('callback_token')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).callback_token;
      const body = 'sender=%2B4915123456789&receiver=%2B4930123456&body=Hello+Herald&msgid=MO77';
      const post = (b: string, signature?: string) =>
        t.request(`/api/callbacks/${token}/inbound`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(signature && { [FAKE_SIGNATURE_HEADER]: signature }),
          },
          body: b,
        });
      const sig = hmac(body).toString('hex');
      expect((await post(body)).status).toBe(403);
      expect((await post(body.replace('Hello', 'STOP'), sig)).status).toBe(403);
      expect(await t.db.kysely.selectFrom('inbound_messages').selectAll().execute()).toHaveLength(0);
      expect((await post(body, sig)).status).toBe(200);
      expect((await post(body, sig)).status).toBe(200);
      const rows = await t.db.kysely.selectFrom('inbound_messages').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        provider_account_id: id,
        gateway_message_id: normalizeGatewayId('MO77'),
        text: 'Hello Herald',
      });
    });
  },
);
