import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { analyzeText } from '../src/core/encoding/index.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import {
  type CallbackServer,
  conformanceMessage,
  runProviderConformance,
  startCallbackServer,
} from '../src/providers/provider.conformance.js';
import type {
  CallbackRequest,
  FetchLike,
  OutboundMessage,
  Provider,
  ProviderDeps,
  ProviderSink,
} from '../src/providers/provider.contract.js';
import { normalizeGatewayId } from '../src/providers/provider.contract.js';
import { createProvider, defaultProviderDeps, providerFactory } from '../src/providers/provider.registry.js';
import {
  TWIML_EMPTY_RESPONSE,
  twilioFactory,
  twilioSidOf,
  validityPeriodSeconds,
} from '../src/providers/twilio/twilio.provider.js';
import { type TwilioSettings, twilioSettingsSchema } from '../src/providers/twilio/twilio.settings.js';
import {
  parseForm,
  twilioSignature,
  verifyTwilioSignature,
} from '../src/providers/twilio/twilio.signature.js';
import { TWILIO_STATUS_MAP } from '../src/providers/twilio/twilio.status.js';
import { clockSleep, queueMessages, routeOf, testWorker } from './helpers/dispatch-fixtures.js';
import { type FakeAccount, type FakeTwilio, startFakeTwilio } from './helpers/fake-twilio.js';
import { messageFactory } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const NOW = new Date('2026-11-22T09:00:00.000Z');

type LogLine = { level: string; msg: string; fields?: Record<string, unknown> };

const deps = (over: Partial<ProviderDeps> = {}, logs: LogLine[] = []): ProviderDeps => ({
  ...defaultProviderDeps,
  fetch: (url, init) => fetch(url, init),
  clock: fixedClock(NOW),
  log: (level, msg, fields) => logs.push({ level, msg, ...(fields ? { fields } : {}) }),
  ...over,
});

const settingsFor = (fake: FakeTwilio, account: FakeAccount, s: Partial<TwilioSettings> = {}) =>
  twilioSettingsSchema.parse({
    accountSid: account.accountSid,
    authToken: account.authToken,
    apiBaseUrl: fake.url,
    ...s,
  });

const twilioProvider = (settings: TwilioSettings, d: ProviderDeps = deps(), maxParts = 10): Provider =>
  twilioFactory.create({ id: 'acc-twilio', settings, callbackToken: 'unused', maxParts, shiftTables: [] }, d);

// ---------------------------------------------------------------------------------------------------
// The shared conformance suite, against the fake Twilio.
// ---------------------------------------------------------------------------------------------------
{
  let fake: FakeTwilio;
  const accountOf = new Map<Provider, FakeAccount>();
  runProviderConformance('twilio', async () => {
    fake = await startFakeTwilio();
    const accept = fake.addAccount();
    const permanent = fake.addAccount({ answer: () => ({ kind: 'error', httpStatus: 400, code: 21211 }) });
    const retryable = fake.addAccount({ answer: () => ({ kind: 'error', httpStatus: 500, code: 20500 }) });
    const byScenario = { accept, permanent, retryable };
    return {
      provider: (scenario, _callbackUrl, sink: ProviderSink) => {
        const account = byScenario[scenario];
        const p = twilioProvider(settingsFor(fake, account), deps({ sink }));
        accountOf.set(p, account);
        return p;
      },
      triggerInbound: async (p, sms, inboundUrl) => {
        await fake.sendInbound(accountOf.get(p)!, inboundUrl, sms);
      },
      reportTimeoutMs: 3000,
      close: () => fake.close(),
    };
  });
}

describe('twilio adapter', () => {
  let fake: FakeTwilio;
  let callbacks: CallbackServer;
  const open: Provider[] = [];
  const make = (...args: Parameters<typeof twilioProvider>) => {
    const p = twilioProvider(...args);
    open.push(p);
    return p;
  };
  beforeAll(async () => {
    fake = await startFakeTwilio();
    callbacks = await startCallbackServer();
  });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
  });
  afterAll(async () => {
    await callbacks.close();
    await fake.close();
  });
  const message = (over: Partial<OutboundMessage> = {}, text = 'Your code is 1234'): OutboundMessage => ({
    ...conformanceMessage(`${callbacks.url}/status`, text),
    ...over,
  });
  const lastSubmit = () => fake.submits[fake.submits.length - 1]!;

  describe('settings and registration', () => {
    it('fills defaults, refuses malformed SIDs, non-http URLs and unknown fields, and declares the auth token secret', () => {
      const sid = `AC${'a'.repeat(32)}`;
      expect(twilioSettingsSchema.parse({ accountSid: sid, authToken: 't' })).toEqual({
        accountSid: sid,
        authToken: 't',
        apiBaseUrl: 'https://api.twilio.com',
        timeoutMs: 15_000,
      });
      for (const bad of [
        { accountSid: 'AC123', authToken: 't' },
        { accountSid: sid, authToken: '' },
        { accountSid: sid, authToken: 't', messagingServiceSid: 'MG1' },
        { accountSid: sid, authToken: 't', apiBaseUrl: 'ftp://api.twilio.com' },
        { accountSid: sid, authToken: 't', publicBaseUrl: 'not a url' },
        { accountSid: sid, authToken: 't', from: '+1555' },
      ]) {
        expect(twilioSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
      }
      expect(twilioFactory.secretSettings).toEqual(['authToken']);
      expect(twilioFactory.addressSettings).toEqual(['apiBaseUrl']);
      expect(providerFactory('twilio')).toBe(twilioFactory);
    });

    it('the registry creates it with capabilities: unicode, reports, status query, inbound, counted in messages', () => {
      const p = createProvider('twilio', {
        id: 'a',
        settings: { accountSid: `AC${'b'.repeat(32)}`, authToken: 'secret' },
        callbackToken: 'x',
        maxParts: 7,
        shiftTables: ['spanish'],
      });
      open.push(p);
      expect(p.kind).toBe('twilio');
      expect(p.capabilities).toEqual({
        unicode: true,
        shiftTables: ['spanish'],
        maxParts: 7,
        deliveryReports: true,
        statusQuery: true,
        inbound: true,
        throughputUnit: 'messages',
      });
      expect(p.inboundAck).toEqual({ contentType: 'text/xml', body: TWIML_EMPTY_RESPONSE });
      expect(TWIML_EMPTY_RESPONSE).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    });
  });

  describe('send', () => {
    it('posts To, From, Body, StatusCallback and ValidityPeriod as a form with Basic auth, and returns the SID', async () => {
      const account = fake.addAccount();
      const p = make(settingsFor(fake, account));
      const outcome = await p.send(message({ validityUntil: new Date(NOW.getTime() + 90_500) }));
      expect(outcome).toMatchObject({ ok: true, status: 'accepted' });
      if (!outcome.ok) return;
      expect(outcome.gatewayId).toMatch(/^SM[0-9a-f]{32}$/);
      const submit = lastSubmit();
      expect(submit.accountSid).toBe(account.accountSid);
      expect(submit.authorization).toBe(
        `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`,
      );
      expect(submit.contentType).toBe('application/x-www-form-urlencoded');
      expect(submit.params).toEqual({
        To: '+4915123456789',
        From: 'Herald',
        Body: 'Your code is 1234',
        StatusCallback: `${callbacks.url}/status`,
        ValidityPeriod: '91',
      });
      expect(fake.messages.get(outcome.gatewayId)?.status).toBe('queued');
    });

    it('sends through the Messaging Service instead of From when one is configured', async () => {
      const account = fake.addAccount();
      const service = `MG${'c'.repeat(32)}`;
      const p = make(settingsFor(fake, account, { messagingServiceSid: service }));
      expect(await p.send(message())).toMatchObject({ ok: true, status: 'accepted' });
      expect(lastSubmit().params.MessagingServiceSid).toBe(service);
      expect(lastSubmit().params).not.toHaveProperty('From');
    });

    it('ValidityPeriod is the seconds left, clamped to 1..36000, and absent without a validity', async () => {
      expect(validityPeriodSeconds(new Date(NOW.getTime() + 60_000), NOW)).toBe(60);
      expect(validityPeriodSeconds(new Date(NOW.getTime() + 1), NOW)).toBe(1);
      expect(validityPeriodSeconds(new Date(NOW.getTime() - 5_000), NOW)).toBe(1);
      expect(validityPeriodSeconds(new Date(NOW.getTime() + 20 * 3_600_000), NOW)).toBe(36_000);
      const p = make(settingsFor(fake, fake.addAccount()));
      expect(
        await p.send(message({ validityUntil: new Date(NOW.getTime() + 48 * 3_600_000) })),
      ).toMatchObject({
        ok: true,
      });
      expect(lastSubmit().params.ValidityPeriod).toBe('36000');
      expect(await p.send(message({ validityUntil: new Date(NOW.getTime() - 1000) }))).toMatchObject({
        ok: true,
      });
      expect(lastSubmit().params.ValidityPeriod).toBe('1');
      expect(await p.send(message())).toMatchObject({ ok: true });
      expect(lastSubmit().params).not.toHaveProperty('ValidityPeriod');
    });

    it('sends a Unicode body unchanged (Cyrillic, emoji, combining marks normalised, GSM extension characters)', async () => {
      const p = make(settingsFor(fake, fake.addAccount()));
      for (const text of [
        'Привет! Ваш код 1234 😀',
        'Grüße aus Köln & Zürich: 5 € [ok] {x} ~ ^ \\ |',
        'e\u0301te\u0301',
      ]) {
        const a = analyzeText(text);
        const outcome = await p.send(message({ text: a.text, encoding: a.encoding, parts: a.parts }));
        expect(outcome).toMatchObject({ ok: true });
        expect(lastSubmit().params.Body).toBe(a.text);
        if (outcome.ok) expect(fake.messages.get(outcome.gatewayId)?.body).toBe(a.text);
      }
      expect(lastSubmit().params.Body).toBe('été');
    });

    it('refuses locally, without a request, a message with more parts than the account allows', async () => {
      const p = make(settingsFor(fake, fake.addAccount()), deps(), 2);
      const before = fake.submits.length;
      const long = analyzeText('x'.repeat(400));
      expect(await p.send(message({ text: long.text, parts: long.parts }))).toMatchObject({
        ok: false,
        class: 'permanent',
        code: 'TWILIO_TOO_MANY_PARTS',
      });
      expect(fake.submits.length).toBe(before);
    });

    it('maps Twilio error codes to failure classes with safe texts that never quote Twilio or the number', async () => {
      const logs: LogLine[] = [];
      const p = make(settingsFor(fake, fake.addAccount()), deps({}, logs));
      const cases = [
        ['+15005550001', 'permanent', '21211'],
        ['+15005550002', 'permanent', '21612'],
        ['+15005550003', 'permanent', '21408'],
        ['+15005550004', 'opted_out', '21610'],
        ['+15005550009', 'permanent', '21614'],
      ] as const;
      for (const [to, cls, code] of cases) {
        const outcome = await p.send(message({ to }));
        expect(outcome, to).toMatchObject({ ok: false, class: cls, code });
        if (outcome.ok) continue;
        expect(outcome.text).not.toContain(to);
        expect(outcome.text).not.toMatch(/unsubscribed|not currently reachable|has not been enabled/);
      }
      const logged = JSON.stringify(logs);
      expect(logged).not.toContain('+150055500');
      expect(logged).not.toContain('Your code');
      expect(logged).toContain('21610');
    });

    it('throttling (HTTP 429, code 20429) is throttled and honours Retry-After in seconds or as a date', async () => {
      const answers = [
        { kind: 'error', httpStatus: 429, code: 20429, retryAfter: '7' },
        {
          kind: 'error',
          httpStatus: 429,
          code: 20429,
          retryAfter: new Date(NOW.getTime() + 30_000).toUTCString(),
        },
        { kind: 'error', httpStatus: 429, rawBody: 'slow down' },
        { kind: 'error', httpStatus: 400, code: 20429 },
      ] as const;
      let i = 0;
      const p = make(settingsFor(fake, fake.addAccount({ answer: () => answers[i++] })));
      expect(await p.send(message())).toEqual({
        ok: false,
        class: 'throttled',
        code: '20429',
        text: expect.any(String),
        retryAfterMs: 7000,
      });
      expect(await p.send(message())).toMatchObject({ class: 'throttled', retryAfterMs: 30_000 });
      const noCode = await p.send(message());
      expect(noCode).toMatchObject({ class: 'throttled', code: 'HTTP_429' });
      expect(noCode).not.toHaveProperty('retryAfterMs');
      expect(await p.send(message())).toMatchObject({ class: 'throttled', code: '20429' });
    });

    it('5xx is retryable; other 4xx (bad credentials, unknown codes, a body that is not JSON) are permanent', async () => {
      const answers = [
        { kind: 'error', httpStatus: 500, code: 20500 },
        { kind: 'error', httpStatus: 503, rawBody: '<html>maintenance</html>' },
        { kind: 'error', httpStatus: 400, code: 21606 },
        { kind: 'error', httpStatus: 400, code: 12345 },
        { kind: 'error', httpStatus: 404, rawBody: 'nope' },
      ] as const;
      let i = 0;
      const p = make(settingsFor(fake, fake.addAccount({ answer: () => answers[i++] })));
      expect(await p.send(message())).toMatchObject({ ok: false, class: 'retryable', code: '20500' });
      expect(await p.send(message())).toMatchObject({ ok: false, class: 'retryable', code: 'HTTP_503' });
      expect(await p.send(message())).toMatchObject({ ok: false, class: 'permanent', code: '21606' });
      const unknownCode = await p.send(message());
      expect(unknownCode).toMatchObject({ ok: false, class: 'permanent', code: '12345' });
      if (!unknownCode.ok) expect(unknownCode.text).toBe('Twilio refused the message (code 12345).');
      expect(await p.send(message())).toMatchObject({ ok: false, class: 'permanent', code: 'HTTP_404' });

      const wrongToken = make(settingsFor(fake, { ...fake.addAccount(), authToken: 'wrong' }));
      expect(await wrongToken.send(message())).toMatchObject({
        ok: false,
        class: 'permanent',
        code: '20003',
      });
      // Twilio's own validation of the request, seen through the adapter.
      const ok = make(settingsFor(fake, fake.addAccount()));
      expect(await ok.send(message({ to: '' }))).toMatchObject({ class: 'permanent', code: '21604' });
    });

    it('never follows a redirect (every request uses redirect: manual) and treats a 3xx as a permanent failure', async () => {
      const target = fake.addAccount();
      const redirecting = fake.addAccount({
        answer: () => ({
          kind: 'redirect',
          location: `${fake.url}/2010-04-01/Accounts/${target.accountSid}/Messages.json`,
        }),
      });
      const redirects: (RequestRedirect | undefined)[] = [];
      const recording: FetchLike = (url, init) => {
        redirects.push(init.redirect);
        return fetch(url, init);
      };
      const p = make(settingsFor(fake, redirecting), deps({ fetch: recording }));
      const before = fake.submits.length;
      expect(await p.send(message())).toMatchObject({ ok: false, class: 'permanent', code: 'HTTP_302' });
      expect(fake.submits.length).toBe(before + 1);
      expect(fake.submits.some((s) => s.accountSid === target.accountSid)).toBe(false);
      await p.queryStatus!({ messageId: 'm', gatewayId: `SM${'0'.repeat(32)}` });
      expect(redirects).toEqual(['manual', 'manual']);
    });

    it('network: refused before sending is retryable; no answer in time, a dropped connection or an unreadable 201 is unknown', async () => {
      const closed = http.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const account = fake.addAccount();
      const refused = make(settingsFor(fake, account, { apiBaseUrl: `http://127.0.0.1:${port}` }));
      expect(await refused.send(message())).toMatchObject({
        ok: false,
        class: 'retryable',
        code: 'TWILIO_UNREACHABLE',
      });

      // The server's SSRF guard (deps.fetch) refuses the address before connecting: permanent.
      const guarded: FetchLike = async () => {
        const e = new Error('gateway address refused: 127.0.0.1 is a loopback address');
        e.name = 'GatewayAddressRefusedError';
        throw e;
      };
      const refusedByPolicy = make(settingsFor(fake, account), deps({ fetch: guarded }));
      expect(await refusedByPolicy.send(message())).toMatchObject({
        ok: false,
        class: 'permanent',
        code: 'TWILIO_ADDRESS_REFUSED',
      });

      const hang = make(
        settingsFor(fake, fake.addAccount({ answer: () => ({ kind: 'hang' }) }), { timeoutMs: 1000 }),
      );
      expect(await hang.send(message())).toMatchObject({
        ok: false,
        class: 'unknown',
        code: 'TWILIO_TIMEOUT',
      });

      const reset = make(settingsFor(fake, fake.addAccount({ answer: () => ({ kind: 'reset' }) })));
      expect(await reset.send(message())).toMatchObject({
        ok: false,
        class: 'unknown',
        code: 'TWILIO_CONNECTION_LOST',
      });

      const garbage = make(settingsFor(fake, fake.addAccount({ answer: () => ({ kind: 'garbage' }) })));
      expect(await garbage.send(message())).toMatchObject({
        ok: false,
        class: 'unknown',
        code: 'TWILIO_BAD_ANSWER',
      });
    });

    it('after close() a submit is retryable and sends nothing', async () => {
      const p = make(settingsFor(fake, fake.addAccount()));
      await p.close();
      await p.close();
      const before = fake.submits.length;
      expect(await p.send(message())).toMatchObject({ ok: false, class: 'retryable', code: 'TWILIO_CLOSED' });
      expect(fake.submits.length).toBe(before);
    });
  });

  describe('status callbacks', () => {
    const TOKEN = 'f'.repeat(32);
    const ACCOUNT = `AC${'1'.repeat(32)}`;
    const SID = `SM${'0123456789abcdef'.repeat(2)}`;
    const URL_ = 'https://herald.example.com/api/callbacks/tok';
    const adapter = (s: Partial<TwilioSettings> = {}) =>
      make(twilioSettingsSchema.parse({ accountSid: ACCOUNT, authToken: TOKEN, ...s }));
    const signed = (
      params: Record<string, string>,
      {
        url = URL_,
        signedUrl = url,
        token = TOKEN,
      }: { url?: string; signedUrl?: string; token?: string } = {},
    ): CallbackRequest => ({
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(token, signedUrl, params),
      },
      body: new URLSearchParams(params).toString(),
      query: {},
      url,
    });
    const report = (status: string, extra: Record<string, string> = {}) => ({
      AccountSid: ACCOUNT,
      ApiVersion: '2010-04-01',
      From: '+15017122661',
      MessageSid: SID,
      MessageStatus: status,
      SmsSid: SID,
      SmsStatus: status,
      To: '+4915123456789',
      ...extra,
    });

    it('maps every Twilio status to its canonical status (or to no report) as documented', () => {
      const p = adapter();
      const expected: Record<string, string | null> = {
        accepted: null,
        scheduled: null,
        queued: null,
        sending: null,
        sent: 'sent',
        delivered: 'delivered',
        read: 'delivered',
        undelivered: 'undelivered',
        failed: 'failed',
        canceled: 'failed',
        partially_delivered: null,
        receiving: null,
        received: null,
      };
      expect(TWILIO_STATUS_MAP).toEqual(expected);
      for (const [status, canonical] of Object.entries(expected)) {
        const parsed = p.parseDeliveryReport(signed(report(status)));
        expect(parsed, status).toEqual({
          ok: true,
          reports: canonical ? [{ gatewayId: SID, status: canonical }] : [],
        });
      }
    });

    it('keeps the 30xxx delivery error code and the carrier done date', () => {
      const parsed = adapter().parseDeliveryReport(
        signed(report('undelivered', { ErrorCode: '30003', RawDlrDoneDate: '2611220905' })),
      );
      expect(parsed).toEqual({
        ok: true,
        reports: [
          { gatewayId: SID, status: 'undelivered', errorCode: '30003', at: '2026-11-22T09:05:00.000Z' },
        ],
      });
      expect(
        adapter().parseDeliveryReport(signed(report('delivered', { RawDlrDoneDate: '2613450905' }))),
      ).toEqual({ ok: true, reports: [{ gatewayId: SID, status: 'delivered' }] });
    });

    it('accepts the signature over the URL with or without the default port, either way round', () => {
      const p = adapter();
      const params = report('delivered');
      for (const [url, signedUrl] of [
        ['https://herald.example.com/api/callbacks/tok', 'https://herald.example.com:443/api/callbacks/tok'],
        ['https://herald.example.com:443/api/callbacks/tok', 'https://herald.example.com/api/callbacks/tok'],
        ['http://herald.example.com/api/callbacks/tok', 'http://herald.example.com:80/api/callbacks/tok'],
        ['http://127.0.0.1:8080/api/callbacks/tok?x=1', 'http://127.0.0.1:8080/api/callbacks/tok?x=1'],
      ] as const) {
        expect(p.parseDeliveryReport(signed(params, { url, signedUrl })).ok, `${url} ← ${signedUrl}`).toBe(
          true,
        );
      }
      // Another path or query is another URL.
      expect(p.parseDeliveryReport(signed(params, { url: URL_, signedUrl: `${URL_}/other` }))).toEqual({
        ok: false,
        reason: 'invalid_signature',
      });
      expect(p.parseDeliveryReport(signed(params, { url: URL_, signedUrl: `${URL_}?a=1` }))).toEqual({
        ok: false,
        reason: 'invalid_signature',
      });
    });

    it('behind a proxy, checks the signature against publicBaseUrl plus the request path', () => {
      const params = report('delivered');
      const request = signed(params, {
        url: 'http://127.0.0.1:3000/api/callbacks/tok',
        signedUrl: 'https://sms.example.com/herald/api/callbacks/tok',
      });
      expect(adapter().parseDeliveryReport(request)).toEqual({ ok: false, reason: 'invalid_signature' });
      expect(
        adapter({ publicBaseUrl: 'https://sms.example.com/herald/' }).parseDeliveryReport(request).ok,
      ).toBe(true);
    });

    it('a missing, malformed or foreign signature, or a changed parameter, is invalid_signature', () => {
      const p = adapter();
      const good = signed(report('delivered'));
      expect(p.parseDeliveryReport(good).ok).toBe(true);
      expect(p.parseDeliveryReport({ ...good, headers: {} })).toEqual({
        ok: false,
        reason: 'invalid_signature',
      });
      for (const sig of ['', 'abc', `${good.headers['x-twilio-signature']}x`, 'A'.repeat(28)]) {
        expect(p.parseDeliveryReport({ ...good, headers: { 'x-twilio-signature': sig } }), sig).toEqual({
          ok: false,
          reason: 'invalid_signature',
        });
      }
      expect(p.parseDeliveryReport(signed(report('delivered'), { token: 'another-token' }))).toEqual({
        ok: false,
        reason: 'invalid_signature',
      });
      expect(p.parseDeliveryReport({ ...good, body: good.body.replace('delivered', 'undelivered') })).toEqual(
        {
          ok: false,
          reason: 'invalid_signature',
        },
      );
      expect(p.parseDeliveryReport({ ...good, body: `${good.body}&ErrorCode=30003` })).toEqual({
        ok: false,
        reason: 'invalid_signature',
      });
    });

    it('a well-signed body that is not a status callback is invalid_payload', () => {
      const p = adapter();
      const bad: Record<string, string>[] = [
        {},
        { MessageStatus: 'delivered' },
        report('exploded'),
        report('delivered', { MessageSid: 'SM123' }),
        report('delivered', { MessageSid: `CA${'0'.repeat(32)}` }),
        report('delivered', { ErrorCode: 'abc' }),
        report('delivered', { AccountSid: `AC${'2'.repeat(32)}` }),
      ];
      for (const params of bad) {
        expect(p.parseDeliveryReport(signed(params)), JSON.stringify(params)).toEqual({
          ok: false,
          reason: 'invalid_payload',
        });
      }
      // Raw bodies: a repeated MessageStatus is ambiguous; prototype names are plain names.
      for (const body of [
        `${new URLSearchParams(report('delivered')).toString()}&MessageStatus=undelivered`,
        '__proto__=x&constructor=y&MessageStatus=sent',
        `__proto__=x&MessageSid=${SID}&toString=1&hasOwnProperty=2`,
      ]) {
        const raw: CallbackRequest = {
          headers: { 'x-twilio-signature': twilioSignature(TOKEN, URL_, parseForm(body)) },
          body,
          query: {},
          url: URL_,
        };
        expect(p.parseDeliveryReport(raw), body).toEqual({ ok: false, reason: 'invalid_payload' });
      }
    });

    it('real callbacks from the fake Twilio: undelivered with its 30xxx code, for the submitted SID', async () => {
      const account = fake.addAccount({
        callbacks: [{ status: 'sent' }, { status: 'undelivered', errorCode: '30005' }],
      });
      const p = make(settingsFor(fake, account));
      const a = analyzeText('Ответ 😀');
      const outcome = await p.send(
        message({ callbackUrl: `${callbacks.url}/real`, text: a.text, encoding: a.encoding, parts: a.parts }),
      );
      if (!outcome.ok) throw new Error(outcome.code);
      const first = await callbacks.next(3000, '/callback/real');
      const second = await callbacks.next(3000, '/callback/real');
      expect(p.parseDeliveryReport(first)).toEqual({
        ok: true,
        reports: [{ gatewayId: outcome.gatewayId, status: 'sent' }],
      });
      const parsed = p.parseDeliveryReport(second);
      expect(parsed).toMatchObject({
        ok: true,
        reports: [{ gatewayId: outcome.gatewayId, status: 'undelivered', errorCode: '30005' }],
      });
      if (parsed.ok)
        expect(normalizeGatewayId(parsed.reports[0]!.gatewayId)).toBe(normalizeGatewayId(outcome.gatewayId));
    });
  });

  describe('signature check against Twilio', () => {
    it("matches Twilio's documented example (auth token 12345, https://mycompany.com/myapp.php?foo=1&bar=2)", () => {
      // Twilio's request validation example (twilio-php docs/usage/validation.rst; also the security
      // page at twilio.com/docs/api/security): this URL, these POST parameters and auth token 12345
      // give the signature RSOYDt4T1cUTdK1PDd93/VVr8B8=.
      const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
      const params = {
        CallSid: 'CA1234567890ABCDE',
        Caller: '+14158675309',
        Digits: '1234',
        From: '+14158675309',
        To: '+18005551212',
      };
      const expected = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
      const form = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [v]]));
      expect(twilioSignature('12345', url, form)).toBe(expected);
      expect(verifyTwilioSignature('12345', expected, url, form)).toBe(true);
      expect(
        verifyTwilioSignature('12345', expected, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', form),
      ).toBe(true);
      expect(verifyTwilioSignature('12346', expected, url, form)).toBe(false);
      // Through the adapter: the signature passes, so what is refused is the payload (not a message).
      const p = make(twilioSettingsSchema.parse({ accountSid: `AC${'3'.repeat(32)}`, authToken: '12345' }));
      const request: CallbackRequest = {
        headers: { 'x-twilio-signature': expected },
        body: new URLSearchParams(params).toString(),
        query: {},
        url,
      };
      expect(p.parseDeliveryReport(request)).toEqual({ ok: false, reason: 'invalid_payload' });
      expect(p.parseDeliveryReport({ ...request, headers: {} })).toEqual({
        ok: false,
        reason: 'invalid_signature',
      });
    });

    it("agrees with the twilio package's validateRequest on generated URLs (ports, odd characters) and parameters", () => {
      let seed = 12345;
      const rnd = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const hosts = ['herald.example.com', 'sms.example.org', '127.0.0.1', '[::1]', 'user:pw@example.net'];
      const ports = ['', ':443', ':80', ':8443', ':3000'];
      const paths = [
        '/api/callbacks/abc',
        "/api/callbacks/o'brien",
        '/api/callbacks/a%20b',
        '/api/callbacks/ümlaut',
        '/api/callbacks/~x*y(z)!',
        '/',
      ];
      const queries = ['', '?foo=1&bar=2', "?name=o'brien", '?q=a%20b+c', '?x=%27q%27&y=ü', '?', '?a=1&a=2'];
      const values = ['', 'plain', 'Grüße 😀', 'a+b c', "o'brien & <co>", '+4915123456789', '=&?#%'];
      const names = ['Body', 'body', 'From', 'To', 'MessageSid', 'Ä', 'a b', 'X-Custom'];
      let agreedTrue = 0;
      let agreedFalse = 0;
      for (let i = 0; i < 400; i++) {
        const scheme = pick(['https://', 'http://']);
        const url = scheme + pick(hosts) + pick(ports) + pick(paths) + pick(queries);
        const params: Record<string, string[]> = {};
        for (let j = Math.floor(rnd() * 5); j > 0; j--) {
          const n = pick(names);
          params[n] = [...(params[n] ?? []), pick(values)];
        }
        const forTwilio = Object.fromEntries(
          Object.entries(params).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]),
        ) as Record<string, string | string[]>;
        // What Twilio may have signed: the URL as given, with a port added or removed, or normalised.
        const variant = pick([
          url,
          url.replace(/(:\/\/[^/?#]*?)(:\d+)?(?=[/?#]|$)/, '$1'),
          url.replace(/(:\/\/[^/?#]*?)(:\d+)?(?=[/?#]|$)/, scheme === 'https://' ? '$1:443' : '$1:80'),
          new URL(url).toString(),
          url.replace('/api', '/other'),
        ]);
        const token = pick(['secret-token', 'another']);
        let signature = twilio.getExpectedTwilioSignature('secret-token', variant, forTwilio);
        if (rnd() < 0.15) signature = signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
        const ours = verifyTwilioSignature(token, signature, url, params);
        const theirs = twilio.validateRequest(token, signature, url, forTwilio);
        expect(ours, `${url} signed as ${variant} with ${JSON.stringify(params)}`).toBe(theirs);
        if (ours) agreedTrue++;
        else agreedFalse++;
      }
      // Both outcomes were exercised, many times.
      expect(agreedTrue).toBeGreaterThan(50);
      expect(agreedFalse).toBeGreaterThan(50);
    });
  });

  describe('inbound', () => {
    it('a signed inbound SMS from the fake Twilio parses to sender, recipient, text and SID; Herald answers empty TwiML', async () => {
      const account = fake.addAccount();
      const p = make(settingsFor(fake, account));
      // A receiver that answers the way Herald's inbound route does: with the adapter's inboundAck.
      const received: CallbackRequest[] = [];
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
            body: Buffer.concat(chunks).toString('utf8'),
            query: {},
            url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`,
          });
          res.writeHead(200, { 'content-type': p.inboundAck!.contentType }).end(p.inboundAck!.body);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/callbacks/tok/inbound`;
        const answer = await fake.sendInbound(account, url, {
          from: '+4915199999999',
          to: '+4930123456',
          text: 'Stop bitte 😀',
        });
        expect(answer).toEqual({ status: 200, contentType: 'text/xml', body: TWIML_EMPTY_RESPONSE });
        const parsed = p.parseInbound!(received[0]!);
        expect(parsed).toEqual({
          ok: true,
          messages: [
            {
              gatewayMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
              from: '+4915199999999',
              to: '+4930123456',
              text: 'Stop bitte 😀',
            },
          ],
        });
        expect(p.parseInbound!({ ...received[0]!, headers: {} })).toEqual({
          ok: false,
          reason: 'invalid_signature',
        });
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    it('an MMS with no text parses to an empty text; missing fields or a foreign account are invalid_payload', () => {
      const token = 'inbound-token';
      const accountSid = `AC${'4'.repeat(32)}`;
      const p = make(twilioSettingsSchema.parse({ accountSid, authToken: token }));
      const url = 'https://herald.example.com/api/callbacks/tok/inbound';
      const req = (params: Record<string, string>): CallbackRequest => ({
        headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, params) },
        body: new URLSearchParams(params).toString(),
        query: {},
        url,
      });
      const sid = `MM${'5'.repeat(32)}`;
      const base = {
        MessageSid: sid,
        AccountSid: accountSid,
        From: '+4915100000000',
        To: '+4930123456',
        Body: '',
        NumMedia: '1',
      };
      expect(p.parseInbound!(req(base))).toEqual({
        ok: true,
        messages: [{ gatewayMessageId: sid, from: '+4915100000000', to: '+4930123456', text: '' }],
      });
      const { Body: _b, ...noBody } = base;
      const { From: _f, ...noFrom } = base;
      for (const params of [
        noBody,
        noFrom,
        { ...base, MessageSid: 'x' },
        { ...base, NumMedia: 'lots' },
        { ...base, AccountSid: `AC${'6'.repeat(32)}` },
      ]) {
        expect(p.parseInbound!(req(params)), JSON.stringify(params)).toEqual({
          ok: false,
          reason: 'invalid_payload',
        });
      }
    });
  });

  describe('queryStatus', () => {
    it('asks GET Messages/{Sid}.json and maps the status; the stored (lower-case) id works; unknown → null', async () => {
      const account = fake.addAccount({ callbacks: [] });
      const p = make(settingsFor(fake, account));
      const outcome = await p.send(message({ callbackUrl: `${callbacks.url}/unused` }));
      if (!outcome.ok) throw new Error(outcome.code);
      const stored = normalizeGatewayId(outcome.gatewayId);
      expect(stored).not.toBe(outcome.gatewayId);
      expect(twilioSidOf(stored)).toBe(outcome.gatewayId);
      expect(await p.queryStatus!({ messageId: 'm', gatewayId: stored })).toBeNull(); // queued
      for (const [status, canonical] of [
        ['sent', 'sent'],
        ['delivered', 'delivered'],
        ['undelivered', 'undelivered'],
        ['failed', 'failed'],
        ['read', 'delivered'],
      ] as const) {
        fake.setStatus(outcome.gatewayId, status);
        expect(await p.queryStatus!({ messageId: 'm', gatewayId: stored }), status).toBe(canonical);
      }
      expect(fake.requests.at(-1)).toEqual({
        method: 'GET',
        path: `/2010-04-01/Accounts/${account.accountSid}/Messages/${outcome.gatewayId}.json`,
      });
      expect(await p.queryStatus!({ messageId: 'm', gatewayId: `SM${'9'.repeat(32)}` })).toBeNull();
      expect(await p.queryStatus!({ messageId: 'm', gatewayId: null })).toBeNull();
      expect(await p.queryStatus!({ messageId: 'm', gatewayId: 'not-a-sid' })).toBeNull();
    });

    it('a failed query throws an error naming the HTTP status and code, without secrets', async () => {
      const account = fake.addAccount();
      const p = make(settingsFor(fake, account));
      fake.failStatusQueries({ httpStatus: 500, code: 20500 });
      try {
        const error = await p.queryStatus!({ messageId: 'm', gatewayId: `SM${'7'.repeat(32)}` }).then(
          () => null,
          (e: Error) => e,
        );
        expect(error?.message).toBe('Twilio status query failed: HTTP 500 code 20500');
        expect(error?.message).not.toContain(account.authToken);
      } finally {
        fake.failStatusQueries(null);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Through Herald's own routes: the account as the API stores it, callbacks as the routes pass them on.
// ---------------------------------------------------------------------------------------------------
const WORKER_ENV = {
  // The fake Twilio is on 127.0.0.1; a fixed key so no key file is written.
  HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
  HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe.each(TEST_DIALECTS)('twilio through Herald (API, worker, callback routes) on %s', (dialect) => {
  let t: TestApp;
  let fakeApi: FakeTwilio;
  let account: FakeAccount;
  let gateway: { id: string; callback_token: string; settings: string };
  let orgUnitId: string;
  let headers: Record<string, string>;
  beforeAll(async () => {
    fakeApi = await startFakeTwilio();
  });
  afterAll(async () => fakeApi.close());
  beforeEach(async () => {
    t = await createTestApp(dialect, WORKER_ENV);
    const admin = await t.setupAdmin();
    orgUnitId = admin.orgUnitId;
    headers = admin.headers;
    // No status callbacks: the worker's callback URL (HERALD_PUBLIC_URL) is not a server of this test.
    account = fakeApi.addAccount({ callbacks: [] });
    const res = await t.request('/api/gateways', {
      method: 'POST',
      headers,
      json: {
        name: 'Twilio',
        kind: 'twilio',
        settings: { accountSid: account.accountSid, authToken: account.authToken, apiBaseUrl: fakeApi.url },
      },
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    // The auth token is write-only: not in the answer, not readable in the row.
    expect(text).not.toContain(account.authToken);
    const id = (JSON.parse(text) as { id: string }).id;
    gateway = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['id', 'callback_token', 'settings'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(gateway.settings).not.toContain(account.authToken);
  });
  afterEach(async () => t.close());

  const post = (path: string, params: Record<string, string>, sign: string | null = account.authToken) => {
    const url = `http://localhost${path}`;
    return t.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(sign ? { 'x-twilio-signature': twilio.getExpectedTwilioSignature(sign, url, params) } : {}),
      },
      body: new URLSearchParams(params).toString(),
    });
  };
  const eventCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('message_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a signed status callback moves the message; a bad or missing signature is 403 and writes nothing; a replay changes nothing', async () => {
    const sid = `SM${'ab12'.repeat(8)}`;
    const factory = messageFactory(t.db.kysely, { orgUnitId, now: t.clock.now().toISOString() });
    const m = await factory.insertMessage({
      status: 'accepted',
      provider_account_id: gateway.id,
      gateway_message_id: normalizeGatewayId(sid),
      submitted_at: t.clock.now().toISOString(),
    });
    const path = `/api/callbacks/${gateway.callback_token}`;
    const params = {
      AccountSid: account.accountSid,
      ApiVersion: '2010-04-01',
      From: '+15017122661',
      MessageSid: sid,
      MessageStatus: 'undelivered',
      SmsSid: sid,
      SmsStatus: 'undelivered',
      To: '+4915123456789',
      ErrorCode: '30003',
    };
    const before = await eventCount();
    for (const sign of [null, 'not-the-token']) {
      const refused = await post(path, params, sign);
      expect(refused.status).toBe(403);
    }
    expect(await eventCount()).toBe(before);

    const ok = await post(path, params);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await ok.json()).toMatchObject({ applied: 1 });
    const row = await t.db.kysely
      .selectFrom('messages')
      .select(['status', 'error_code'])
      .where('id', '=', m.id!)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'undelivered', error_code: '30003' });

    const replay = await post(path, params);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ applied: 0 });
  });

  it('through the worker: accepted with the SID stored; 21610 rejects as opted_out and records the opt-out as consent', async () => {
    const route = await routeOf(t.db, orgUnitId);
    await t.db.kysely
      .updateTable('sender_configs')
      .set({ provider_account_id: gateway.id })
      .where('id', '=', route.senderConfigId)
      .execute();
    const now = t.clock.now().toISOString();
    const over = { provider_account_id: gateway.id };
    const [ok] = await queueMessages(t.db, orgUnitId, 1, { now, over });
    const [stop] = await queueMessages(t.db, orgUnitId, 1, {
      now,
      over: { ...over, to_e164: '+15005550004', to_input: '+15005550004' },
    });
    const worker = testWorker(
      { db: t.db, clock: t.clock, bus: t.bus, sleep: clockSleep(t.clock) },
      WORKER_ENV,
    );
    expect(await worker.runOnce()).toEqual({ claimed: 2 });
    const rows = await t.db.kysely
      .selectFrom('messages')
      .select(['id', 'status', 'status_reason', 'error_code', 'gateway_message_id'])
      .where('id', 'in', [ok!, stop!])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const submitted = fakeApi.submits.filter((x) => x.accountSid === account.accountSid);
    expect(submitted).toHaveLength(2);
    const sid = [...fakeApi.messages.values()].find((x) => x.accountSid === account.accountSid)!.sid;
    expect(byId.get(ok!)).toMatchObject({ status: 'accepted', gateway_message_id: normalizeGatewayId(sid) });
    expect(byId.get(stop!)).toMatchObject({
      status: 'rejected',
      status_reason: 'opted_out',
      error_code: '21610',
    });
    expect(submitted[0]!.params.StatusCallback).toBe(
      `${t.config.baseUrl}/api/callbacks/${gateway.callback_token}`,
    );
    const consent = await t.db.kysely
      .selectFrom('consent_events')
      .select(['state', 'source'])
      .where('e164', '=', '+15005550004')
      .execute();
    expect(consent).toEqual([{ state: 'opted_out', source: 'provider' }]);
  });

  it('an inbound SMS is answered with empty TwiML and stored once; unsigned is 403 and stores nothing', async () => {
    const path = `/api/callbacks/${gateway.callback_token}/inbound`;
    const sid = `SM${'cd34'.repeat(8)}`;
    const params = {
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
      AccountSid: account.accountSid,
      From: '+4915199999999',
      To: '+4930123456',
      Body: 'Hallo, ist mein Paket unterwegs?',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    const stored = () => t.db.kysely.selectFrom('inbound_messages').selectAll().execute();
    expect((await post(path, params, null)).status).toBe(403);
    expect(await stored()).toHaveLength(0);

    for (let i = 0; i < 2; i++) {
      const res = await post(path, params);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/xml');
      expect(await res.text()).toBe(TWIML_EMPTY_RESPONSE);
    }
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      provider_account_id: gateway.id,
      from_input: '+4915199999999',
      to_address: '+4930123456',
      text: 'Hallo, ist mein Paket unterwegs?',
    });
  });
});
