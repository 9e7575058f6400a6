import { randomBytes } from 'node:crypto';
import { SMS } from '@vonage/sms';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import {
  type CallbackServer,
  conformanceMessage,
  runProviderConformance,
  startCallbackServer,
} from '../src/providers/provider.conformance.js';
import {
  type CallbackRequest,
  normalizeGatewayId,
  type OutboundMessage,
  type Provider,
  type ProviderDeps,
} from '../src/providers/provider.contract.js';
import { createProvider, defaultProviderDeps } from '../src/providers/provider.registry.js';
import { interpretVonageAnswer, vonageFactory } from '../src/providers/vonage/vonage.provider.js';
import {
  MD5HASH_REFUSED,
  VONAGE_SIGNATURE_METHODS,
  type VonageSettings,
  vonageSettingsSchema,
} from '../src/providers/vonage/vonage.settings.js';
import { verifyVonageSignature, vonageSignature } from '../src/providers/vonage/vonage.signature.js';
import {
  type FakeVonage,
  fakeVonageSign,
  startFakeVonage,
  type VonageWebhookMethod,
} from './helpers/fake-vonage.js';
import { messageFactory } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const KEY = 'a1b2c3d4';
const SECRET = 'api-secret-of-the-test';
const SIG_SECRET = 'signature-secret-of-the-test-account';
const NOW = new Date('2026-03-01T12:00:00Z');

const deps = (over: Partial<ProviderDeps> = {}): ProviderDeps => ({
  ...defaultProviderDeps,
  fetch: (url, init) => fetch(url, init),
  clock: { now: () => NOW },
  ...over,
});

const settings = (baseUrl: string, over: Record<string, unknown> = {}): VonageSettings =>
  vonageSettingsSchema.parse({
    apiKey: KEY,
    apiSecret: SECRET,
    baseUrl,
    signatureSecret: SIG_SECRET,
    signatureMethod: 'sha256hmac',
    ...over,
  });

const make = (s: VonageSettings, d: ProviderDeps = deps()): Provider =>
  vonageFactory.create(
    { id: 'acc-vonage', settings: s, callbackToken: 'tok', maxParts: 10, shiftTables: [] },
    d,
  );

/** Vonage signs inside the parameters: unsigned means without `sig` (and its stamp) in body and query. */
function withoutSig(request: CallbackRequest): CallbackRequest {
  const strip = (o: Record<string, unknown>) => {
    const { sig: _s, ...rest } = o;
    return rest;
  };
  const query = strip(request.query) as Record<string, string>;
  let body = request.body;
  if (body.trim().startsWith('{')) body = JSON.stringify(strip(JSON.parse(body)));
  else if (body) {
    const p = new URLSearchParams(body);
    p.delete('sig');
    body = p.toString();
  }
  const url = new URL(request.url);
  url.searchParams.delete('sig');
  return { ...request, query, body, url: url.toString() };
}

runProviderConformance('vonage', async () => {
  const fake = await startFakeVonage({
    apiKey: KEY,
    apiSecret: SECRET,
    signatureSecret: SIG_SECRET,
    signatureMethod: 'sha256hmac',
    receiptMethod: 'POST-JSON',
  });
  return {
    provider: (scenario) =>
      make(
        settings(
          `${fake.url}${scenario === 'accept' ? '/ok' : scenario === 'permanent' ? '/status/7' : '/status/5'}`,
        ),
      ),
    triggerInbound: async (_p, sms, inboundUrl) => {
      await fake.inbound(inboundUrl, sms);
    },
    unsign: withoutSig,
    close: () => fake.close(),
  };
});

const message = (text: string, over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  ...conformanceMessage('https://herald.example/api/callbacks/tok', text),
  id: 'msg-0001',
  ...over,
});

describe('vonage settings', () => {
  it('declares secrets and the base URL, fills defaults', () => {
    expect(vonageFactory.secretSettings).toEqual(['apiSecret', 'signatureSecret']);
    expect(vonageFactory.addressSettings).toEqual(['baseUrl']);
    expect(vonageSettingsSchema.parse({ apiKey: KEY, apiSecret: SECRET })).toEqual({
      apiKey: KEY,
      apiSecret: SECRET,
      baseUrl: 'https://rest.nexmo.com',
      signatureMethod: 'sha256hmac',
      timeoutMs: 15000,
    });
    expect(settings('http://127.0.0.1:9/').baseUrl).toBe('http://127.0.0.1:9');
  });

  it('refuses the plain MD5 hash signature method at save with a clear message', () => {
    const r = vonageSettingsSchema.safeParse({ apiKey: KEY, apiSecret: SECRET, signatureMethod: 'md5hash' });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues[0]!.path).toEqual(['signatureMethod']);
      expect(r.error.issues[0]!.message).toBe(MD5HASH_REFUSED);
      expect(r.error.issues[0]!.message).toMatch(/HMAC/);
    }
    for (const bad of [
      { apiKey: KEY, apiSecret: SECRET, signatureMethod: 'sha384' },
      { apiKey: KEY },
      { apiKey: KEY, apiSecret: SECRET, baseUrl: 'ftp://x.example' },
      { apiKey: KEY, apiSecret: SECRET, signatureSecret: 'short' },
      { apiKey: KEY, apiSecret: SECRET, extra: 1 },
    ]) {
      expect(vonageSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('stored settings with md5hash log a warning and every callback is refused', () => {
    const logged: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const stored = {
      ...settings('https://rest.nexmo.com'),
      signatureMethod: 'md5hash',
    } as unknown as VonageSettings;
    const p = make(
      stored,
      deps({ log: (level, msg, fields) => logged.push({ level, msg, ...(fields && { fields }) }) }),
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'warn', fields: { signatureMethod: 'md5hash' } });
    expect(JSON.stringify(logged)).not.toContain(SIG_SECRET);
    const params = { messageId: '0A', status: 'delivered', timestamp: '1', nonce: 'n' };
    const sig = fakeVonageSign(params, SIG_SECRET, 'md5hash');
    const req = { headers: {}, body: '', query: { ...params, sig }, url: 'https://h.example/cb' };
    expect(p.parseDeliveryReport(req)).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(p.parseInbound!(req)).toEqual({ ok: false, reason: 'invalid_signature' });
  });
});

describe('vonage submit', () => {
  let fake: FakeVonage;
  beforeAll(async () => {
    fake = await startFakeVonage({ apiKey: KEY, apiSecret: SECRET });
  });
  afterAll(async () => {
    await fake.close();
  });
  const last = () => fake.submits.at(-1)!;
  const send = (mode: string, m: OutboundMessage = message('Your code is 1234'), over = {}) =>
    make(settings(`${fake.url}${mode}`, over)).send(m);

  it('posts the documented form fields: digits without +, text type, callback, receipt request, client-ref', async () => {
    const outcome = await send('/ok');
    expect(outcome).toMatchObject({ ok: true, status: 'accepted' });
    if (outcome.ok) expect(outcome.partIds).toBeUndefined();
    expect(last().path).toBe('/ok/sms/json');
    expect(last().contentType).toBe('application/x-www-form-urlencoded');
    expect(last().fields).toEqual({
      api_key: KEY,
      api_secret: SECRET,
      from: 'Herald',
      to: '4915123456789',
      text: 'Your code is 1234',
      type: 'text',
      callback: 'https://herald.example/api/callbacks/tok',
      'status-report-req': '1',
      'client-ref': 'msg-0001',
    });
    await send('/ok', message('Hi', { from: '+4930123456' }));
    expect(last().fields.from).toBe('4930123456');
  });

  it('sends ttl from validityUntil, clamped to Vonage’s 20 s … 7 days; an expired message is not sent', async () => {
    await send('/ok', message('Hi', { validityUntil: new Date(NOW.getTime() + 3_600_000) }));
    expect(last().fields.ttl).toBe('3600000');
    await send('/ok', message('Hi', { validityUntil: new Date(NOW.getTime() + 5000) }));
    expect(last().fields.ttl).toBe('20000');
    await send('/ok', message('Hi', { validityUntil: new Date(NOW.getTime() + 30 * 86_400_000) }));
    expect(last().fields.ttl).toBe('604800000');
    const before = fake.submits.length;
    expect(await send('/ok', message('Hi', { validityUntil: new Date(NOW.getTime() - 1) }))).toMatchObject({
      ok: false,
      class: 'permanent',
      code: 'EXPIRED',
    });
    expect(fake.submits.length).toBe(before);
  });

  it('flags UCS-2 text as type=unicode and keeps it intact', async () => {
    const text = 'Привет! Ваш код 1234 😀';
    expect(await send('/ok', message(text))).toMatchObject({ ok: true });
    expect(last().fields.type).toBe('unicode');
    expect(last().fields.text).toBe(text);
  });

  it('a message Vonage splits returns one id per part in partIds', async () => {
    const m = message('Herald multipart test. '.repeat(18));
    expect(m.parts).toHaveLength(3);
    const outcome = await send('/ok', m);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.partIds).toHaveLength(3);
    expect(new Set(outcome.partIds).size).toBe(3);
    expect(outcome.gatewayId).toBe(outcome.partIds![0]);
    expect(outcome.gatewayId).toMatch(/^0C[0-9A-F]{14}$/);
    const unicode = await send('/ok', message('Ж'.repeat(100)));
    expect(unicode.ok && unicode.partIds).toHaveLength(2);
  });

  it.each([
    ['1', 'throttled'],
    ['5', 'retryable'],
    ['10', 'retryable'],
    ['2', 'permanent'],
    ['3', 'permanent'],
    ['4', 'permanent'],
    ['6', 'permanent'],
    ['7', 'permanent'],
    ['8', 'permanent'],
    ['9', 'permanent'],
    ['15', 'permanent'],
    ['29', 'permanent'],
    ['33', 'permanent'],
    ['99', 'permanent'],
  ])('status %s → %s, with the code kept and no gateway text reflected', async (code, cls) => {
    const outcome = await send(`/status/${code}`);
    expect(outcome).toMatchObject({ ok: false, class: cls, code });
    if (outcome.ok) return;
    expect(outcome.text).not.toMatch(/4915123456789|Error for/);
    if (cls === 'throttled') expect(outcome.retryAfterMs).toBe(1000);
  });

  it('wrong credentials are status 4, permanent', async () => {
    expect(await send('/ok', message('Hi'), { apiSecret: 'wrong' })).toMatchObject({
      ok: false,
      class: 'permanent',
      code: '4',
    });
  });

  it('some parts accepted and others not is unknown (never retried blindly)', async () => {
    expect(await send('/partial', message('Herald multipart test. '.repeat(18)))).toMatchObject({
      ok: false,
      class: 'unknown',
      code: '1',
    });
  });

  it('an unknown refusal is permanent; a status that is not a Vonage code is not passed on', () => {
    const answer = (status: string) =>
      JSON.stringify({ messages: [{ status, 'error-text': 'Bad number +4915123456789 <b>' }] });
    expect(interpretVonageAnswer(answer('99'))).toEqual({
      ok: false,
      class: 'permanent',
      code: '99',
      text: 'Vonage refused the message.',
    });
    for (const status of ['<script>alert(1)</script>', 'bad +4915123456789', 'x'.repeat(200), '12345']) {
      expect(interpretVonageAnswer(answer(status)), status).toEqual({
        ok: false,
        class: 'permanent',
        code: 'VONAGE_ERROR',
        text: 'Vonage refused the message.',
      });
    }
  });

  it('HTTP failures: 500 retryable, 429 throttled with Retry-After, 401 permanent, an unreadable 200 unknown', async () => {
    expect(await send('/http/500')).toMatchObject({ ok: false, class: 'retryable', code: 'HTTP_500' });
    expect(await send('/http/429')).toMatchObject({ ok: false, class: 'throttled', retryAfterMs: 7000 });
    expect(await send('/http/401')).toMatchObject({ ok: false, class: 'permanent', code: 'HTTP_401' });
    expect(await send('/http/301')).toMatchObject({ ok: false, class: 'permanent', code: 'HTTP_301' });
    expect(await send('/garbage')).toMatchObject({ ok: false, class: 'unknown', code: 'BAD_ANSWER' });
  });

  it('a gateway that cannot be reached is retryable', async () => {
    const gone = await startFakeVonage({ apiKey: KEY, apiSecret: SECRET });
    const url = gone.url;
    await gone.close();
    expect(await make(settings(url)).send(message('Hi'))).toMatchObject({
      ok: false,
      class: 'retryable',
      code: 'ECONNREFUSED',
    });
  });

  it('is created through the registry', () => {
    const p = createProvider('vonage', {
      id: 'a',
      settings: { apiKey: KEY, apiSecret: SECRET },
      callbackToken: 't',
      maxParts: 8,
      shiftTables: [],
    });
    expect(p.kind).toBe('vonage');
    expect(p.capabilities).toMatchObject({
      unicode: true,
      maxParts: 8,
      inbound: true,
      deliveryReports: true,
    });
  });
});

describe('vonage delivery receipts and inbound', () => {
  let callbacks: CallbackServer;
  beforeAll(async () => {
    callbacks = await startCallbackServer();
  });
  afterAll(async () => {
    await callbacks.close();
  });

  async function receiptsFor(
    method: VonageWebhookMethod,
    opts: {
      status?: string;
      err?: string;
      sigMethod?: (typeof VONAGE_SIGNATURE_METHODS)[number];
      text?: string;
    } = {},
  ) {
    const sigMethod = opts.sigMethod ?? 'sha256hmac';
    const fake = await startFakeVonage({
      apiKey: KEY,
      apiSecret: SECRET,
      signatureSecret: SIG_SECRET,
      signatureMethod: sigMethod,
      receiptMethod: method,
      ...(opts.status && { receiptStatus: opts.status }),
      ...(opts.err && { receiptErrCode: opts.err }),
    });
    try {
      const p = make(settings(`${fake.url}/ok`, { signatureMethod: sigMethod }));
      const path = `/r${randomBytes(4).toString('hex')}`;
      const outcome = await p.send(message(opts.text ?? 'Hi', { callbackUrl: `${callbacks.url}${path}` }));
      if (!outcome.ok) throw new Error(outcome.code);
      const ids = outcome.partIds ?? [outcome.gatewayId];
      const requests: CallbackRequest[] = [];
      for (let i = 0; i < ids.length; i++) requests.push(await callbacks.next(3000, `/callback${path}`));
      return { p, ids, requests };
    } finally {
      await fake.close();
    }
  }

  it.each(['GET', 'POST', 'POST-JSON'] as const)('reads a signed %s receipt', async (method) => {
    const { p, ids, requests } = await receiptsFor(method);
    const parsed = p.parseDeliveryReport(requests[0]!);
    expect(parsed).toMatchObject({ ok: true, reports: [{ gatewayId: ids[0], status: 'delivered' }] });
    if (parsed.ok) expect(parsed.reports[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    expect(p.parseDeliveryReport(withoutSig(requests[0]!))).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it.each(VONAGE_SIGNATURE_METHODS)('verifies receipts signed with %s', async (sigMethod) => {
    const { p, requests } = await receiptsFor('POST', { sigMethod });
    expect(p.parseDeliveryReport(requests[0]!).ok).toBe(true);
    const other = VONAGE_SIGNATURE_METHODS.find((m) => m !== sigMethod)!;
    const wrongMethod = make(settings('http://127.0.0.1:1', { signatureMethod: other }));
    expect(wrongMethod.parseDeliveryReport(requests[0]!)).toEqual({ ok: false, reason: 'invalid_signature' });
    const wrongSecret = make(
      settings('http://127.0.0.1:1', { signatureMethod: sigMethod, signatureSecret: 'another-secret' }),
    );
    expect(wrongSecret.parseDeliveryReport(requests[0]!)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('each part of a split message gets its receipt under its own id', async () => {
    const { p, ids, requests } = await receiptsFor('POST-JSON', {
      text: 'Herald multipart test. '.repeat(18),
    });
    expect(ids).toHaveLength(3);
    const got = requests.map((r) => {
      const parsed = p.parseDeliveryReport(r);
      return parsed.ok ? parsed.reports[0]!.gatewayId : parsed.reason;
    });
    expect(got.sort()).toEqual([...ids].sort());
  });

  it.each([
    ['delivered', '0', { status: 'delivered' }],
    ['expired', '2', { status: 'undelivered', errorCode: '2' }],
    ['failed', '6', { status: 'undelivered', errorCode: '6' }],
    ['rejected', '14', { status: 'rejected', errorCode: '14' }],
    ['accepted', '0', { status: 'sent' }],
    ['buffered', '0', { status: 'sent' }],
  ] as const)('receipt status %s (err-code %s) maps to Herald', async (status, err, expected) => {
    const { p, requests } = await receiptsFor('POST-JSON', { status, err });
    expect(p.parseDeliveryReport(requests[0]!)).toMatchObject({ ok: true, reports: [expected] });
  });

  it('a receipt with status unknown is acknowledged with no report', async () => {
    const { p, requests } = await receiptsFor('POST', { status: 'unknown', err: '1' });
    expect(p.parseDeliveryReport(requests[0]!)).toEqual({ ok: true, reports: [] });
  });

  const signedRequest = (
    params: Record<string, string>,
    method: 'GET' | 'POST-JSON' = 'POST-JSON',
  ): CallbackRequest => {
    const full = { ...params, timestamp: '1767225600', nonce: 'abc' };
    const sig = vonageSignature(full, SIG_SECRET, 'sha256hmac');
    return method === 'GET'
      ? { headers: {}, body: '', query: { ...full, sig }, url: 'https://h.example/cb' }
      : {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...full, sig }),
          query: {},
          url: 'https://h.example/cb',
        };
  };
  const signed = make(settings('http://127.0.0.1:1'));
  const open = make(settings('http://127.0.0.1:1', { signatureSecret: undefined }));

  it('refuses receipts that do not match the schema as invalid_payload', () => {
    for (const params of [
      { status: 'delivered' } as Record<string, string>,
      { messageId: '0A1', status: 'lost' },
      { messageId: '', status: 'delivered' },
      { messageId: '0A1' },
    ]) {
      expect(signed.parseDeliveryReport(signedRequest(params)), JSON.stringify(params)).toEqual({
        ok: false,
        reason: 'invalid_payload',
      });
    }
    const json = { 'content-type': 'application/json' };
    for (const body of ['{broken', '[1]', JSON.stringify({ messageId: { a: 1 }, status: 'delivered' })]) {
      expect(
        open.parseDeliveryReport({ headers: json, body, query: {}, url: 'https://h.example/cb' }),
      ).toEqual({
        ok: false,
        reason: 'invalid_payload',
      });
    }
  });

  it('refuses a receipt with a changed parameter, a missing or malformed sig', () => {
    const good = signedRequest({ messageId: '0C00000001', status: 'failed', 'err-code': '5' }, 'GET');
    expect(signed.parseDeliveryReport(good)).toMatchObject({
      ok: true,
      reports: [{ status: 'undelivered' }],
    });
    for (const query of [
      { ...good.query, status: 'delivered' },
      { ...good.query, 'err-code': '0' },
      { ...good.query, extra: 'x' },
      { ...good.query, sig: '' },
      { ...good.query, sig: 'zz' },
      Object.fromEntries(Object.entries(good.query).filter(([k]) => k !== 'sig')),
    ]) {
      expect(signed.parseDeliveryReport({ ...good, query })).toEqual({
        ok: false,
        reason: 'invalid_signature',
      });
    }
  });

  it('without a signature secret, unsigned receipts are accepted (the callback token authenticates)', () => {
    const r = open.parseDeliveryReport({
      headers: {},
      body: '',
      query: { messageId: '0C00000001', status: 'delivered', scts: '2601011230', 'err-code': '0' },
      url: 'https://h.example/cb',
    });
    expect(r).toEqual({
      ok: true,
      reports: [{ gatewayId: '0C00000001', status: 'delivered', at: '2026-01-01T12:30:00.000Z' }],
    });
  });

  it('parses a signed inbound SMS from the peer with E.164 numbers, id and time', async () => {
    const fake = await startFakeVonage({ apiKey: KEY, apiSecret: SECRET, signatureSecret: SIG_SECRET });
    try {
      for (const method of ['GET', 'POST', 'POST-JSON'] as const) {
        await fake.inbound(
          `${callbacks.url}/in`,
          { from: '+447700900001', to: '+447700900000', text: 'Stop & go = ok' },
          {},
          method,
        );
        const r = await callbacks.next(3000, '/callback/in');
        const parsed = signed.parseInbound!(r);
        expect(parsed, method).toMatchObject({
          ok: true,
          messages: [{ from: '+447700900001', to: '+447700900000', text: 'Stop & go = ok' }],
        });
        if (parsed.ok) {
          expect(parsed.messages[0]!.gatewayMessageId).toMatch(/^0C/);
          expect(parsed.messages[0]!.receivedAt).toMatch(/Z$/);
          expect(parsed.messages[0]!.concat).toBeUndefined();
        }
        expect(signed.parseInbound!(withoutSig(r))).toEqual({ ok: false, reason: 'invalid_signature' });
      }
      await fake.inbound(
        `${callbacks.url}/in`,
        { from: '447700900001', to: '447700900000', text: 'part two' },
        {
          concat: 'true',
          'concat-ref': '108',
          'concat-total': '3',
          'concat-part': '2',
        },
      );
      expect(signed.parseInbound!(await callbacks.next(3000, '/callback/in'))).toMatchObject({
        ok: true,
        messages: [{ text: 'part two', concat: { ref: '108', total: 3, part: 2 } }],
      });
    } finally {
      await fake.close();
    }
  });

  it('refuses inbound messages that do not match the schema; binary messages are acknowledged, not stored', () => {
    const base = { msisdn: '447700900001', to: '447700900000', messageId: '0A', text: 'hi', type: 'text' };
    for (const params of [
      { ...base, msisdn: '' },
      { to: '447700900000', text: 'hi' },
      { ...base, text: undefined },
      { ...base, concat: 'true', 'concat-ref': '1', 'concat-total': '2', 'concat-part': '3' },
      { ...base, concat: 'true', 'concat-total': '2', 'concat-part': '1' },
    ]) {
      const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      expect(signed.parseInbound!(signedRequest(clean)), JSON.stringify(params)).toEqual({
        ok: false,
        reason: 'invalid_payload',
      });
    }
    const binary = {
      msisdn: '447700900001',
      to: '447700900000',
      type: 'binary',
      data: '0102',
      udh: '050003',
    };
    expect(signed.parseInbound!(signedRequest(binary))).toEqual({ ok: true, messages: [] });
  });
});

describe('vonage signature matches Vonage’s own SDK', () => {
  const sdk = new SMS({ apiKey: KEY, apiSecret: SECRET });
  type Algorithm = Parameters<SMS['verifySignature']>[3];
  const SDK_NAMES: Record<(typeof VONAGE_SIGNATURE_METHODS)[number], Algorithm> = {
    md5hmac: 'MD5HMAC' as Algorithm,
    sha1hmac: 'SHA1HMAC' as Algorithm,
    sha256hmac: 'SHA256HMAC' as Algorithm,
    sha512hmac: 'SHA512HMAC' as Algorithm,
  };
  const alphabet = 'abcXYZ019 &=+%?/-_.~äöü€Ж😀\n';
  const randomText = (n: number) =>
    Array.from({ length: n }, () => [...alphabet][randomBytes(1)[0]! % [...alphabet].length]).join('');

  it('agrees on 200 generated parameter sets for every HMAC method, both ways', () => {
    for (let i = 0; i < 200; i++) {
      const method = VONAGE_SIGNATURE_METHODS[i % VONAGE_SIGNATURE_METHODS.length]!;
      const secret = randomBytes(16).toString('hex');
      const params: Record<string, string> = {
        msisdn: `44${1000000000 + i}`,
        to: '447700900000',
        messageId: randomBytes(8).toString('hex').toUpperCase(),
        text: randomText(1 + (i % 40)),
        'message-timestamp': '2026-03-01 12:00:00',
        timestamp: String(1767225600 + i),
        nonce: randomBytes(6).toString('hex'),
      };
      const ours = vonageSignature(params, secret, method);
      expect(sdk.verifySignature(ours, params, secret, SDK_NAMES[method]), `${method} #${i}`).toBe(true);
      expect(
        sdk.verifySignature(ours, { ...params, text: `${params.text}!` }, secret, SDK_NAMES[method]),
      ).toBe(false);
      // The other way: a sig the SDK accepts (upper case, as Vonage sends it) is accepted by ours.
      const theirs = fakeVonageSign(params, secret, method);
      expect(sdk.verifySignature(theirs, params, secret, SDK_NAMES[method])).toBe(true);
      expect(verifyVonageSignature({ ...params, sig: theirs }, secret, method)).toBe(true);
      expect(verifyVonageSignature({ ...params, sig: theirs, nonce: 'changed' }, secret, method)).toBe(false);
    }
  });
});

describe.each(TEST_DIALECTS)('vonage through Herald’s gateway API and callback routes on %s', (dialect) => {
  let t: TestApp;
  let fake: FakeVonage;
  let headers: Record<string, string>;
  let orgUnitId: string;
  beforeEach(async () => {
    fake = await startFakeVonage({ apiKey: KEY, apiSecret: SECRET, signatureSecret: SIG_SECRET });
    // The fake listens on 127.0.0.1: the administrator override for self-hosted gateways is on.
    t = await createTestApp(dialect, {
      HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
    });
    const admin = await t.setupAdmin();
    headers = admin.headers;
    orgUnitId = admin.orgUnitId;
  });
  afterEach(async () => {
    await t.close();
    await fake.close();
  });

  const create = (signatureMethod: string) =>
    t.request('/api/gateways', {
      method: 'POST',
      headers,
      json: {
        name: `Vonage ${signatureMethod}`,
        kind: 'vonage',
        settings: {
          apiKey: KEY,
          apiSecret: SECRET,
          baseUrl: `${fake.url}/ok`,
          signatureSecret: SIG_SECRET,
          signatureMethod,
        },
      },
    });

  const post = (path: string, params: Record<string, string>, sign = true) => {
    const full = { ...params, timestamp: '1795338000', nonce: randomBytes(6).toString('hex') };
    const body = sign ? { ...full, sig: fakeVonageSign(full, SIG_SECRET, 'sha256hmac') } : full;
    return t.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  };

  it('refuses md5hash at save (422 naming the field), stores an HMAC account with its secrets masked and test-sends through the fake', async () => {
    const refused = await create('md5hash');
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as Record<string, unknown>;
    expect(String(problem.detail)).toContain('settings.signatureMethod');
    expect(String(problem.detail)).toMatch(/MD5 hash.*not accepted/);

    const res = await create('sha256hmac');
    expect(res.status).toBe(201);
    const account = (await res.json()) as { id: string; settings: Record<string, unknown> };
    expect(account.settings).toMatchObject({ apiKey: KEY, signatureMethod: 'sha256hmac' });
    expect(JSON.stringify(account)).not.toContain(SECRET);
    expect(JSON.stringify(account)).not.toContain(SIG_SECRET);

    const sent = await t.request(`/api/gateways/${account.id}/test-send`, {
      method: 'POST',
      headers,
      json: { to: '+4915123456789', text: 'Привет from Herald' },
    });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ ok: true, status: 'accepted' });
    expect(fake.submits.at(-1)!.fields).toMatchObject({
      to: '4915123456789',
      type: 'unicode',
      api_secret: SECRET,
    });
  });

  it('without the administrator override a baseUrl on a private or loopback address is refused at save', async () => {
    const strict = await createTestApp(dialect, {
      HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    try {
      const admin = await strict.setupAdmin();
      for (const baseUrl of [fake.url, 'http://169.254.169.254', 'http://[::ffff:10.0.0.1]']) {
        const res = await strict.request('/api/gateways', {
          method: 'POST',
          headers: admin.headers,
          json: { name: 'Vonage', kind: 'vonage', settings: { apiKey: KEY, apiSecret: SECRET, baseUrl } },
        });
        expect(res.status, baseUrl).toBe(422);
        expect(await res.json()).toMatchObject({
          code: 'gateway.address_not_allowed',
          field: 'settings.baseUrl',
        });
      }
    } finally {
      await strict.close();
    }
  });

  it('a signed receipt is applied once; tampered, unsigned or unreadable ones are refused and change nothing', async () => {
    const { id } = (await (await create('sha256hmac')).json()) as { id: string };
    const token = (
      await t.db.kysely
        .selectFrom('provider_accounts')
        .select('callback_token')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).callback_token;
    const { insertMessage } = messageFactory(t.db.kysely, { orgUnitId, now: t.clock.now().toISOString() });
    const messageId = (
      await insertMessage({
        status: 'accepted',
        provider_account_id: id,
        gateway_message_id: normalizeGatewayId('0C00000217B7F01'),
      })
    ).id;
    const status = async () =>
      await t.db.kysely
        .selectFrom('messages')
        .select(['status', 'error_code'])
        .where('id', '=', messageId)
        .executeTakeFirstOrThrow();
    const receipt = {
      messageId: '0C00000217B7F01',
      status: 'failed',
      'err-code': '6',
      msisdn: '4915123456789',
      to: 'Herald',
    };

    const tampered = { ...receipt, timestamp: '1795338000', nonce: 'n1' };
    const sig = fakeVonageSign(tampered, SIG_SECRET, 'sha256hmac');
    const forged = await t.request(`/api/callbacks/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...tampered, status: 'delivered', sig }),
    });
    expect(forged.status).toBe(403);
    expect((await post(`/api/callbacks/${token}`, receipt, false)).status).toBe(403);
    expect((await post(`/api/callbacks/${token}`, { status: 'delivered' })).status).toBe(400);
    expect(await status()).toEqual({ status: 'accepted', error_code: null });

    const ok = await t.request(`/api/callbacks/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...tampered, sig }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ applied: 1 });
    expect(await status()).toEqual({ status: 'undelivered', error_code: '6' });
    const replay = await t.request(`/api/callbacks/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...tampered, sig }),
    });
    expect(await replay.json()).toMatchObject({ applied: 0, duplicates: 1 });
  });

  it('a signed receipt sent as GET (the dashboard method GET) is applied; a tampered GET is 403', async () => {
    const { id } = (await (await create('sha256hmac')).json()) as { id: string };
    const token = (
      await t.db.kysely
        .selectFrom('provider_accounts')
        .select('callback_token')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).callback_token;
    const { insertMessage } = messageFactory(t.db.kysely, { orgUnitId, now: t.clock.now().toISOString() });
    const messageId = (
      await insertMessage({ status: 'accepted', provider_account_id: id, gateway_message_id: 'b7f02' })
    ).id;
    const receipt = {
      messageId: '0B7F02',
      status: 'delivered',
      'err-code': '0',
      msisdn: '4915123456789',
      to: 'Herald',
      timestamp: '1795338000',
      nonce: 'g1',
    };
    const sig = fakeVonageSign(receipt, SIG_SECRET, 'sha256hmac');
    const query = (p: Record<string, string>) => new URLSearchParams(p).toString();
    const forged = await t.request(`/api/callbacks/${token}?${query({ ...receipt, status: 'failed', sig })}`);
    expect(forged.status).toBe(403);
    const ok = await t.request(`/api/callbacks/${token}?${query({ ...receipt, sig })}`);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await ok.json()).toMatchObject({ applied: 1 });
    const row = await t.db.kysely
      .selectFrom('messages')
      .select('status')
      .where('id', '=', messageId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('delivered');
  });

  it('a signed inbound SMS is stored with E.164 numbers; a tampered one is refused and stores nothing', async () => {
    const { id } = (await (await create('sha256hmac')).json()) as { id: string };
    const token = (
      await t.db.kysely
        .selectFrom('provider_accounts')
        .select('callback_token')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).callback_token;
    const inbound = {
      msisdn: '447700900001',
      to: '447700900000',
      messageId: '0A0000001',
      text: 'Hello there',
      type: 'text',
    };
    const full = { ...inbound, timestamp: '1795338000', nonce: 'n2' };
    const sig = fakeVonageSign(full, SIG_SECRET, 'sha256hmac');
    const forged = await t.request(`/api/callbacks/${token}/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...full, text: 'STOP', sig }),
    });
    expect(forged.status, await forged.clone().text()).toBe(403);
    expect(await t.db.kysely.selectFrom('inbound_messages').selectAll().execute()).toHaveLength(0);
    const res = await t.request(`/api/callbacks/${token}/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...full, sig }),
    });
    expect(res.status).toBe(200);
    const rows = await t.db.kysely.selectFrom('inbound_messages').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      provider_account_id: id,
      to_address: '+447700900000',
      text: 'Hello there',
    });
  });
});
