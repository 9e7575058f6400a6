import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../src/core/encoding/index.js';
import { newId } from '../src/core/ids.js';
import { gatewaySecretBox } from '../src/modules/gateways/gateways.secrets.js';
import { openProvider } from '../src/modules/gateways/gateways.usecases.js';
import { kannelFactory } from '../src/providers/kannel/kannel.provider.js';
import { utf16be } from '../src/providers/kannel/kannel.request.js';
import { type KannelSettings, kannelSettingsSchema } from '../src/providers/kannel/kannel.settings.js';
import {
  type CallbackServer,
  conformanceMessage,
  runProviderConformance,
  startCallbackServer,
} from '../src/providers/provider.conformance.js';
import type {
  CallbackRequest,
  OutboundMessage,
  Provider,
  ProviderDeps,
} from '../src/providers/provider.contract.js';
import { normalizeGatewayId } from '../src/providers/provider.contract.js';
import { GatewayAddressRefusedError } from '../src/providers/provider.fetch.js';
import { createProvider } from '../src/providers/provider.registry.js';
import {
  inboundGetUrl,
  KANNEL_MISSING,
  kannelTestDeps,
  stopTestKannel,
  testKannel,
} from './helpers/kannel-fixture.js';
import type { RunningKannel } from './helpers/kannel-peer.js';
import { createTestApp } from './helpers/test-app.js';

const TOKEN = 'kannel-test-callback-token';

const settingsFor = (k: RunningKannel, over: Partial<KannelSettings> = {}): KannelSettings =>
  kannelSettingsSchema.parse({
    sendsmsUrl: k.sendsmsUrl,
    username: k.username,
    password: k.password,
    ...over,
  });

const kannelProvider = (settings: KannelSettings, deps: ProviderDeps = kannelTestDeps(), maxParts = 10) =>
  kannelFactory.create({ id: 'acc-kannel', settings, callbackToken: TOKEN, maxParts, shiftTables: [] }, deps);

/** Points Kannel's sms-service at `inboundUrl` (restarting smsbox when it changes). */
let inboundTarget = '';
async function routeInbound(k: RunningKannel, inboundUrl: string): Promise<void> {
  if (inboundTarget === inboundUrl) return;
  await k.setInbound({ getUrl: inboundGetUrl(inboundUrl), omitEmpty: true });
  inboundTarget = inboundUrl;
}

describe.skipIf(KANNEL_MISSING.length > 0)('Kannel (real bearerbox + smsbox + fakesmsc)', () => {
  afterAll(async () => {
    await stopTestKannel();
  });

  runProviderConformance('kannel', async () => {
    const k = await testKannel();
    return {
      provider: (scenario) =>
        kannelProvider(
          scenario === 'accept'
            ? settingsFor(k)
            : scenario === 'permanent'
              ? settingsFor(k, { password: 'not-the-password' })
              : // Routed to the SMSC nobody connected to, with no queueing allowed: Kannel answers 503.
                settingsFor(k, { smsc: 'offline' }),
        ),
      async triggerInbound(_p, sms, inboundUrl) {
        await routeInbound(k, inboundUrl);
        k.injectMo(sms);
      },
      reportTimeoutMs: 10_000,
      skip: {
        tampered_report:
          'Kannel signs nothing: its report is a GET of the dlr-url with values smsbox fills in (%d, %A), no body and no signature header; the callback token authenticates, and the optional reportSecret signs only what Herald put in the URL (tested below)',
        tampered_inbound:
          "Kannel signs nothing: the sms-service get-url is fixed in kannel.conf and smsbox fills in the sender and text; only the callback token in the URL's path authenticates",
      },
    };
  });

  describe('adapter against the real Kannel', () => {
    let k: RunningKannel;
    let callbacks: CallbackServer;
    const open: Provider[] = [];
    const make = (settings: KannelSettings, deps?: ProviderDeps, maxParts?: number) => {
      const p = kannelProvider(settings, deps, maxParts);
      open.push(p);
      return p;
    };
    let n = 0;
    /** A message to a number of its own, so what fakesmsc received can be told apart. */
    const message = (text: string, over: Partial<OutboundMessage> = {}): OutboundMessage => {
      const a = analyzeText(text);
      n += 1;
      return {
        id: `0190c0de-0000-7000-8000-${String(n).padStart(12, '0')}`,
        to: `+49151${String(20_000_000 + n)}`,
        from: 'Herald',
        text: a.text,
        encoding: a.encoding,
        parts: a.parts,
        callbackUrl: `${callbacks.url}/m${n}`,
        ...over,
      };
    };
    const reportsFor = async (m: OutboundMessage, count: number) => {
      const path = new URL(m.callbackUrl).pathname;
      const out: CallbackRequest[] = [];
      for (let i = 0; i < count; i++) out.push(await callbacks.next(10_000, path));
      return out;
    };

    beforeAll(async () => {
      k = await testKannel();
      callbacks = await startCallbackServer();
    });
    afterEach(async () => {
      for (const p of open.splice(0)) await p.close();
    });
    afterAll(async () => {
      await callbacks?.close();
    });

    it('UCS-2 text reaches the SMSC as the exact UTF-16BE bytes, emoji as a surrogate pair', async () => {
      const m = message('Привет! Ваш код 1234 😀');
      expect(m.encoding).toBe('UCS-2');
      expect(await make(settingsFor(k)).send(m)).toMatchObject({ ok: true, gatewayId: m.id });
      const mt = await k.waitForMt((x) => x.to === m.to, 10_000);
      expect(mt.type).toBe('ucs-2');
      expect(mt.data.toString('hex')).toBe(utf16be(m.text).toString('hex'));
      expect(mt.data.subarray(-4).toString('hex')).toBe('d83dde00');
      expect(mt.from).toBe('Herald');
    });

    it('GSM text (with extension characters) reaches the SMSC as UTF-8 for its driver to map', async () => {
      const m = message('Grüße! Rabatt 10 € auf {alles} [heute] ~ | ^');
      expect(m.encoding).toBe('GSM-7');
      expect(await make(settingsFor(k)).send(m)).toMatchObject({ ok: true });
      const mt = await k.waitForMt((x) => x.to === m.to, 10_000);
      expect(mt.type).toBe('text');
      expect(mt.data.toString('utf8')).toBe(m.text);
    });

    it('Herald splits: each part is its own SMS with one concatenation header, in order, joined to the text', async () => {
      const m = message('Herald multipart test. '.repeat(18));
      expect(m.parts).toHaveLength(3);
      expect(await make(settingsFor(k)).send(m)).toMatchObject({ ok: true });
      const mts = [];
      for (let seq = 1; seq <= 3; seq++) {
        mts.push(await k.waitForMt((x) => x.to === m.to && x.udh?.[5] === seq, 10_000));
      }
      const ref = mts[0]!.udh![3]!;
      mts.forEach((mt, i) => {
        expect(mt.type).toBe('udh');
        expect([...mt.udh!]).toEqual([0x05, 0x00, 0x03, ref, 3, i + 1]);
        expect(mt.data.toString('utf8')).toBe(m.parts[i]!.text);
      });
      expect(mts.map((mt) => mt.data.toString('utf8')).join('')).toBe(m.text);
    });

    it('Herald splits UCS-2: parts carry UTF-16BE and the header, surrogate pairs never split', async () => {
      const m = message(`${'Ж'.repeat(66)}😀${'я'.repeat(10)}`);
      expect(m.parts).toHaveLength(2);
      expect(await make(settingsFor(k)).send(m)).toMatchObject({ ok: true });
      const first = await k.waitForMt((x) => x.to === m.to && x.udh?.[5] === 1, 10_000);
      const second = await k.waitForMt((x) => x.to === m.to && x.udh?.[5] === 2, 10_000);
      expect(first.udh![4]).toBe(2);
      const joined = Buffer.concat([first.data, second.data]);
      expect(joined.toString('hex')).toBe(utf16be(m.text).toString('hex'));
      expect(first.data.toString('hex')).toBe(utf16be(m.parts[0]!.text).toString('hex'));
    });

    it('each part is reported under the message id with its part number (8 accepted by the SMSC, then 1 delivered)', async () => {
      const m = message('Report per part. '.repeat(12));
      expect(m.parts).toHaveLength(2);
      const p = make(settingsFor(k));
      expect(await p.send(m)).toMatchObject({ ok: true });
      const seen = new Set<string>();
      for (const request of await reportsFor(m, 4)) {
        const parsed = p.parseDeliveryReport(request);
        if (!parsed.ok) throw new Error(parsed.reason);
        for (const r of parsed.reports) {
          expect(r.gatewayId).toBe(m.id);
          expect(r.at).toMatch(/^\d{4}-\d\d-\d\dT/);
          seen.add(`${r.part}:${r.status}`);
        }
      }
      expect([...seen].sort()).toEqual(['1:delivered', '1:sent', '2:delivered', '2:sent']);
    });

    it('Kannel splits (splitting: kannel): one sendsms, Kannel makes the concatenated parts, reports carry no part', async () => {
      const m = message('Kannel splits this one. '.repeat(10));
      expect(m.parts).toHaveLength(2);
      const p = make(settingsFor(k, { splitting: 'kannel' }));
      expect(await p.send(m)).toMatchObject({ ok: true });
      const first = await k.waitForMt((x) => x.to === m.to && x.udh?.[5] === 1, 10_000);
      const second = await k.waitForMt((x) => x.to === m.to && x.udh?.[5] === 2, 10_000);
      expect(first.udh![4]).toBe(2);
      expect(Buffer.concat([first.data, second.data]).toString('utf8')).toBe(m.text);
      const parsed = p.parseDeliveryReport((await reportsFor(m, 1))[0]!);
      expect(parsed).toMatchObject({ ok: true, reports: [{ gatewayId: m.id }] });
      if (parsed.ok) expect(parsed.reports[0]!.part).toBeUndefined();
    });

    it("the dlr-url survives Kannel's escapes: a literal % in the callback URL comes back as it was", async () => {
      const m = message('Percent path', {});
      const withPercent = { ...m, callbackUrl: `${callbacks.url}/p%41th-${n}` };
      const p = make(settingsFor(k, { dlrMask: 1 }));
      expect(await p.send(withPercent)).toMatchObject({ ok: true });
      const request = await callbacks.next(10_000, `/callback/p%41th-${n}`);
      expect(p.parseDeliveryReport(request)).toMatchObject({ ok: true, reports: [{ status: 'delivered' }] });
    });

    it('with a report secret, a real report verifies; another message id or a missing sig does not', async () => {
      const secret = 'a-report-secret-of-the-account';
      const p = make(settingsFor(k, { reportSecret: secret, dlrMask: 1 }));
      const m = message('Signed report');
      expect(await p.send(m)).toMatchObject({ ok: true });
      const [request] = await reportsFor(m, 1);
      expect(request!.query.sig).toMatch(/^[0-9a-f]{32}$/);
      expect(p.parseDeliveryReport(request!)).toMatchObject({ ok: true, reports: [{ gatewayId: m.id }] });
      const withQuery = (q: Record<string, string>) => {
        const url = new URL(request!.url);
        url.search = new URLSearchParams(q).toString();
        return { ...request!, query: q, url: url.toString() };
      };
      const otherId = withQuery({ ...request!.query, herald_id: 'another-message' });
      expect(p.parseDeliveryReport(otherId)).toEqual({ ok: false, reason: 'invalid_signature' });
      const { sig: _sig, ...unsigned } = request!.query;
      expect(p.parseDeliveryReport(withQuery(unsigned))).toEqual({ ok: false, reason: 'invalid_signature' });
      // What the signature cannot cover: the type Kannel fills in (docs/gateways.md says so).
      expect(p.parseDeliveryReport(withQuery({ ...request!.query, type: '2' }))).toMatchObject({
        ok: true,
        reports: [{ status: 'undelivered' }],
      });
      // Without the secret the same instance kind accepts unsigned reports (the token authenticates).
      expect(make(settingsFor(k)).parseDeliveryReport(withQuery(unsigned)).ok).toBe(true);
    });

    it("Kannel's refusals: wrong password and a denied number are permanent, 503 retryable; no Kannel text is passed on", async () => {
      const auth = await make(settingsFor(k, { password: 'wrong' })).send(message('x'));
      expect(auth).toEqual({
        ok: false,
        class: 'permanent',
        code: 'KANNEL_AUTH_FAILED',
        text: 'Kannel refused the username or password.',
      });
      const denied = await make(settingsFor(k)).send(message('x', { to: 'not-a-number' }));
      expect(denied).toMatchObject({ ok: false, class: 'permanent', code: 'KANNEL_NUMBER_DENIED' });
      const busy = await make(settingsFor(k, { smsc: 'offline' })).send(message('x'));
      expect(busy).toMatchObject({ ok: false, class: 'retryable', code: 'KANNEL_TEMPORARY_FAILURE' });
      for (const o of [auth, denied, busy]) {
        if (!o.ok)
          expect(o.text).not.toMatch(/Authorization failed for sendsms|white- and\/or|Temporal failure/);
      }
    });

    it('Kannel 1.4.5 as the docs describe it: no message id in the answer; UCS-2 needs a charset, UTF-8 is converted too', async () => {
      const direct = async (to: string, extra: string) => {
        const q = new URLSearchParams({
          username: k.username,
          password: k.password,
          from: 'Herald',
          to,
          coding: '2',
        });
        const res = await fetch(`${k.sendsmsUrl}?${q}${extra}`);
        const headers: string[] = [];
        res.headers.forEach((_v, name) => {
          headers.push(name);
        });
        return { status: res.status, body: await res.text(), headers };
      };
      const text = 'Привет 😀';
      const utf8 = await direct('+4915188880001', `&charset=UTF-8&text=${encodeURIComponent(text)}`);
      expect(utf8).toMatchObject({ status: 202, body: '0: Accepted for delivery' });
      expect(utf8.headers.filter((h) => h.startsWith('x-kannel'))).toEqual([]);
      const converted = await k.waitForMt((x) => x.to === '+4915188880001', 10_000);
      expect(converted.data.toString('hex')).toBe(utf16be(text).toString('hex'));
      await direct('+4915188880002', `&text=${encodeURIComponent(text)}`);
      const garbled = await k.waitForMt((x) => x.to === '+4915188880002', 10_000);
      expect(garbled.data.toString('hex')).toBe(Buffer.from(text, 'utf8').toString('hex'));
    });

    it("smsbox tries a report again when Herald's callback answers 503 (http-request-retry)", async () => {
      const p = make(settingsFor(k, { dlrMask: 1 }));
      const m = message('Retry my report');
      const path = new URL(m.callbackUrl).pathname;
      callbacks.respondWith(503);
      try {
        expect(await p.send(m)).toMatchObject({ ok: true });
        const deadline = Date.now() + 10_000;
        while (!callbacks.received.some((r) => new URL(r.url).pathname === path) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        callbacks.respondWith(200);
      }
      const again = await callbacks.next(10_000, path);
      expect(p.parseDeliveryReport(again)).toMatchObject({
        ok: true,
        reports: [{ gatewayId: m.id, status: 'delivered' }],
      });
      expect(
        callbacks.received.filter((r) => new URL(r.url).pathname === path).length,
      ).toBeGreaterThanOrEqual(2);
    });

    it('inbound: a UCS-2 SMS from the handset (no mo-recode) parses from the UTF-16BE bytes Kannel passes on', async () => {
      await routeInbound(k, `${callbacks.url}/inbound`);
      const p = make(settingsFor(k));
      k.injectMo({ from: '+4915199990001', to: '+4930123456', text: 'Стоп 😀  please', coding: 'ucs2' });
      const request = await callbacks.next(10_000, '/callback/inbound');
      expect(request.query.coding).toBe('2');
      const parsed = p.parseInbound!(request);
      expect(parsed).toMatchObject({
        ok: true,
        messages: [{ from: '+4915199990001', to: '+4930123456', text: 'Стоп 😀  please' }],
      });
      if (parsed.ok) {
        expect(parsed.messages[0]!.gatewayMessageId).toMatch(/^[0-9a-f-]{36}$/);
        expect(parsed.messages[0]!.receivedAt).toMatch(/^\d{4}-/);
      }
    });

    it('inbound: the empty text/plain acknowledgement sends nothing back to the handset; any other answer would', async () => {
      const p = make(settingsFor(k));
      expect(p.inboundAck).toEqual({ contentType: 'text/plain', body: '' });
      const server = await answeringServer();
      try {
        await routeInbound(k, `${server.url}/inbound`);
        server.answer = p.inboundAck!.body;
        k.injectMo({ from: '+4915199990002', to: '+4930123456', text: 'STOP' });
        await server.nextRequest();
        // A marker sent after the answer: had Kannel replied, the reply would reach fakesmsc before it.
        const marker = message('marker');
        expect(await make(settingsFor(k, { dlrMask: 0 })).send(marker)).toMatchObject({ ok: true });
        await k.waitForMt((x) => x.to === marker.to, 10_000);
        expect(k.mt().filter((x) => x.to === '+4915199990002')).toEqual([]);

        server.answer = 'Thanks';
        k.injectMo({ from: '+4915199990003', to: '+4930123456', text: 'STOP' });
        await server.nextRequest();
        const reply = await k.waitForMt((x) => x.to === '+4915199990003', 10_000);
        expect(reply.data.toString()).toBe('Thanks');
      } finally {
        await server.close();
      }
    });
  });

  it("end to end through Herald's own callback routes: Kannel's GET report delivers the message, its GET inbound is stored and gets an empty answer", async () => {
    const k = await testKannel();
    const t = await createTestApp('sqlite', { HERALD_GATEWAYS_ALLOW_PRIVATE: 'true' });
    const server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let provider: Provider | undefined;
    try {
      const { orgUnitId, headers } = await t.setupAdmin();
      const created = await t.request('/api/gateways', {
        method: 'POST',
        headers,
        json: {
          name: 'Kannel',
          kind: 'kannel',
          settings: { sendsmsUrl: k.sendsmsUrl, username: k.username, password: k.password },
        },
      });
      expect(created.status).toBe(201);
      const { id: accountId } = (await created.json()) as { id: string };
      const row = await t.db.kysely
        .selectFrom('provider_accounts')
        .selectAll()
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      expect(row.settings).not.toContain(k.password);
      provider = openProvider(row, {}, gatewaySecretBox(t.config));
      const id = newId();
      const text = analyzeText('Your parcel is here');
      await t.db.kysely
        .insertInto('messages')
        .values({
          id,
          org_unit_id: orgUnitId,
          batch_id: null,
          contact_id: null,
          phone_id: null,
          to_input: '+4915123456789',
          to_e164: '+4915123456789',
          body: text.text,
          encoding: text.encoding,
          parts: 1,
          characters: text.characters,
          category: 'transactional',
          status: 'sending',
          status_reason: null,
          sender_config_id: null,
          provider_account_id: accountId,
          sender_id: 'Herald',
          gateway_message_id: null,
          attempts: 1,
          scheduled_at: null,
          due_at: null,
          expires_at: '2026-11-24T09:00:00.000Z',
          lease_until: null,
          leased_by: null,
          reference_type: null,
          reference_id: null,
          campaign_id: null,
          trigger_id: null,
          resent_of: null,
          resent_by: null,
          error_code: null,
          error_text: null,
          created_by_type: 'user',
          created_by_id: 'test',
          created_at: t.clock.now().toISOString(),
          updated_at: t.clock.now().toISOString(),
          submitted_at: t.clock.now().toISOString(),
          final_at: null,
        })
        .execute();
      const outcome = await provider.send({
        id,
        to: '+4915123456789',
        from: 'Herald',
        text: text.text,
        encoding: text.encoding,
        parts: text.parts,
        callbackUrl: `${base}/api/callbacks/${row.callback_token}`,
      });
      if (!outcome.ok) throw new Error(outcome.code);
      await t.db.kysely
        .updateTable('messages')
        .set({ status: 'accepted', gateway_message_id: normalizeGatewayId(outcome.gatewayId) })
        .where('id', '=', id)
        .execute();
      const status = async () =>
        (
          await t.db.kysely
            .selectFrom('messages')
            .select('status')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).status;
      const deadline = Date.now() + 10_000;
      while ((await status()) !== 'delivered' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(await status()).toBe('delivered');

      await routeInbound(k, `${base}/api/callbacks/${row.callback_token}/inbound`);
      k.injectMo({ from: '+4915199990009', to: '+4930123456', text: 'Hello  Herald' });
      const stored = async () =>
        t.db.kysely
          .selectFrom('inbound_messages')
          .selectAll()
          .where('from_input', '=', '+4915199990009')
          .execute();
      const until = Date.now() + 10_000;
      while ((await stored()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(await stored()).toMatchObject([
        { to_address: '+4930123456', text: 'Hello  Herald', provider_account_id: accountId },
      ]);
      // Herald answered with the empty acknowledgement: Kannel sent nothing back to the handset.
      const marker = `+49151${String(29_000_000 + Math.floor(Math.random() * 1000))}`;
      await provider.send({ ...conformanceMessage('http://127.0.0.1:9/unused'), to: marker });
      await k.waitForMt((x) => x.to === marker, 10_000);
      expect(k.mt().filter((x) => x.to === '+4915199990009')).toEqual([]);
    } finally {
      await provider?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    }
  });

  describe('adapter without Kannel: answers, errors, the request it builds', () => {
    const sendTo = async (
      handler: (url: URL) => { status: number; body: string } | null,
      over: Partial<KannelSettings> = {},
      msg: Partial<OutboundMessage> = {},
    ) => {
      const seen: URL[] = [];
      const server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        seen.push(url);
        const answer = handler(url);
        if (answer) res.writeHead(answer.status, { 'content-type': 'text/html' }).end(answer.body);
        // null: never answer (a hung gateway)
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      const p = kannelProvider(
        kannelSettingsSchema.parse({
          sendsmsUrl: `http://127.0.0.1:${port}/cgi-bin/sendsms`,
          username: 'herald',
          password: 'secret',
          timeoutMs: 1000,
          ...over,
        }),
      );
      try {
        const outcome = await p.send({
          ...conformanceMessage('http://127.0.0.1:1/api/callbacks/tok'),
          ...msg,
        });
        return { outcome, seen };
      } finally {
        await p.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    };

    it('puts the dlr-url with Herald id and escapes, validity in whole minutes, coding and charset', async () => {
      // The adapter reads the system clock here, so the validity must be ahead of the real time (a
      // fixed date made this test fail once the day passed it).
      const now = new Date();
      const p = await sendTo(
        () => ({ status: 202, body: '0: Accepted for delivery' }),
        { smsc: 'sms-1' },
        {
          validityUntil: new Date(now.getTime() + 90_500),
        },
      );
      // The clock of the default deps is the system clock: validity is computed from it.
      expect(p.outcome).toMatchObject({ ok: true, gatewayId: 'conformance-message', status: 'accepted' });
      const q = p.seen[0]!.searchParams;
      expect(q.get('username')).toBe('herald');
      expect(q.get('smsc')).toBe('sms-1');
      expect(q.get('coding')).toBe('0');
      expect(q.get('charset')).toBe('UTF-8');
      expect(q.get('dlr-mask')).toBe('31');
      expect(q.get('dlr-url')).toBe(
        'http://127.0.0.1:1/api/callbacks/tok?herald_id=conformance-message&type=%d&answer=%A&ts=%T',
      );
      expect(Number(q.get('validity'))).toBeGreaterThanOrEqual(1);
    });

    it('validity: rounded up to minutes from the clock; an expired message is refused without a request', async () => {
      const clockAt = new Date('2026-11-22T09:00:00Z');
      const seen: string[] = [];
      const deps = kannelTestDeps({
        clock: { now: () => clockAt },
        fetch: async (url) => {
          seen.push(url);
          return new Response('0: Accepted for delivery', { status: 202 });
        },
      });
      const p = kannelProvider(
        kannelSettingsSchema.parse({
          sendsmsUrl: 'http://kannel.test/cgi-bin/sendsms',
          username: 'u',
          password: 'p',
        }),
        deps,
      );
      const base = conformanceMessage('http://herald.test/api/callbacks/t');
      expect(await p.send({ ...base, validityUntil: new Date(clockAt.getTime() + 61_000) })).toMatchObject({
        ok: true,
      });
      expect(new URL(seen[0]!).searchParams.get('validity')).toBe('2');
      expect(await p.send({ ...base, validityUntil: clockAt })).toMatchObject({
        ok: false,
        class: 'permanent',
        code: 'KANNEL_EXPIRED',
      });
      expect(seen).toHaveLength(1);
    });

    it('"3: Queued for later delivery" is accepted; a 2xx without Kannel\'s words is unknown', async () => {
      expect(
        (await sendTo(() => ({ status: 202, body: '3: Queued for later delivery' }))).outcome,
      ).toMatchObject({
        ok: true,
      });
      expect((await sendTo(() => ({ status: 200, body: '<html>proxy</html>' }))).outcome).toMatchObject({
        ok: false,
        class: 'unknown',
        code: 'KANNEL_UNEXPECTED_ANSWER',
      });
    });

    it('500 "Sending failed." is retryable; a redirect is not followed and is permanent', async () => {
      expect((await sendTo(() => ({ status: 500, body: 'Sending failed.' }))).outcome).toMatchObject({
        ok: false,
        class: 'retryable',
        code: 'KANNEL_HTTP_500',
      });
      const redirected = await sendTo((url) =>
        url.pathname === '/cgi-bin/sendsms'
          ? { status: 302, body: '' }
          : { status: 202, body: '0: Accepted' },
      );
      expect(redirected.outcome).toMatchObject({ ok: false, class: 'permanent', code: 'KANNEL_HTTP_302' });
      expect(redirected.seen).toHaveLength(1);
    });

    it('no answer within the timeout: unknown (Kannel may have the message), never retried blindly', async () => {
      const { outcome } = await sendTo(() => null);
      expect(outcome).toMatchObject({ ok: false, class: 'unknown', code: 'KANNEL_TIMEOUT' });
    });

    it('connection refused: retryable (the request never left); an address the SSRF policy refuses: permanent', async () => {
      const free = createServer();
      await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
      const { port } = free.address() as AddressInfo;
      await new Promise((r) => free.close(r));
      const refused = kannelProvider(
        kannelSettingsSchema.parse({
          sendsmsUrl: `http://127.0.0.1:${port}/cgi-bin/sendsms`,
          username: 'u',
          password: 'p',
        }),
      );
      expect(await refused.send(conformanceMessage('http://herald.test/cb'))).toMatchObject({
        ok: false,
        class: 'retryable',
        code: 'KANNEL_ECONNREFUSED',
      });
      const guarded = kannelProvider(
        kannelSettingsSchema.parse({
          sendsmsUrl: 'http://10.0.0.1/cgi-bin/sendsms',
          username: 'u',
          password: 'p',
        }),
        kannelTestDeps({
          fetch: async () => {
            throw new GatewayAddressRefusedError('private address');
          },
        }),
      );
      expect(await guarded.send(conformanceMessage('http://herald.test/cb'))).toMatchObject({
        ok: false,
        class: 'permanent',
        code: 'KANNEL_ADDRESS_REFUSED',
      });
    });

    it('a later part refused after earlier ones were taken: unknown, so the taken parts are not sent twice', async () => {
      let calls = 0;
      const { outcome, seen } = await sendTo(
        () =>
          ++calls === 2
            ? { status: 503, body: 'Temporal failure, try again later.' }
            : { status: 202, body: '0: Accepted for delivery' },
        {},
        (() => {
          const a = analyzeText('Three parts here. '.repeat(20));
          return { text: a.text, parts: a.parts, encoding: a.encoding };
        })(),
      );
      expect(outcome).toMatchObject({ ok: false, class: 'unknown', code: 'KANNEL_TEMPORARY_FAILURE' });
      expect(seen).toHaveLength(2);
      expect(seen[1]!.searchParams.get('dlr-url')).toContain('part=2');
    });

    it('refuses a message with more parts than the account allows, without a request', async () => {
      const seen: string[] = [];
      const p = kannelProvider(
        kannelSettingsSchema.parse({
          sendsmsUrl: 'http://kannel.test/cgi-bin/sendsms',
          username: 'u',
          password: 'p',
        }),
        kannelTestDeps({
          fetch: async (url) => {
            seen.push(url);
            return new Response('0: Accepted for delivery', { status: 202 });
          },
        }),
        2,
      );
      const a = analyzeText('x'.repeat(400));
      const outcome = await p.send({
        ...conformanceMessage('http://herald.test/cb'),
        text: a.text,
        parts: a.parts,
      });
      expect(outcome).toMatchObject({ ok: false, class: 'permanent', code: 'KANNEL_TOO_MANY_PARTS' });
      expect(seen).toEqual([]);
    });
  });
});

describe('Kannel reports and inbound requests (parsing only)', () => {
  const p = kannelFactory.create(
    {
      id: 'acc',
      settings: kannelSettingsSchema.parse({
        sendsmsUrl: 'http://kannel.test/cgi-bin/sendsms',
        username: 'u',
        password: 'p',
      }),
      callbackToken: TOKEN,
      maxParts: 10,
      shiftTables: [],
    },
    kannelTestDeps(),
  );
  const report = (query: Record<string, string>): CallbackRequest => ({
    headers: { 'user-agent': 'Kannel/1.4.5' },
    body: '',
    query,
    url: `http://herald.test/api/callbacks/${TOKEN}?${new URLSearchParams(query)}`,
  });

  it.each([
    ['1', 'delivered'],
    ['2', 'undelivered'],
    ['4', 'sent'],
    ['8', 'sent'],
    ['16', 'rejected'],
  ])('DLR type %s becomes %s', (type, status) => {
    expect(p.parseDeliveryReport(report({ herald_id: 'm-1', type, answer: '', ts: '1795315732' }))).toEqual({
      ok: true,
      reports: [{ gatewayId: 'm-1', status, at: '2026-11-22T02:48:52.000Z' }],
    });
  });

  it("keeps only stat and err of an SMPP receipt (its text: field holds the message's first characters)", () => {
    const answer =
      'id:0815 sub:001 dlvrd:000 submit date:2611220900 done date:2611220901 stat:UNDELIV err:001 text:Your secret code';
    const parsed = p.parseDeliveryReport(report({ herald_id: 'm-1', part: '2', type: '2', answer }));
    expect(parsed).toEqual({
      ok: true,
      reports: [{ gatewayId: 'm-1', status: 'undelivered', part: 2, errorCode: 'UNDELIV/001' }],
    });
    expect(JSON.stringify(parsed)).not.toContain('secret');
    expect(
      p.parseDeliveryReport(
        report({ herald_id: 'm', type: '16', answer: 'NACK/0x0000000b/Invalid Destination Address' }),
      ),
    ).toMatchObject({
      ok: true,
      reports: [{ status: 'rejected', errorCode: 'NACK/0x0000000b/Invalid Destination Address' }],
    });
    // A long or odd answer is dropped rather than stored.
    expect(p.parseDeliveryReport(report({ herald_id: 'm', type: '2', answer: 'x'.repeat(80) }))).toEqual({
      ok: true,
      reports: [{ gatewayId: 'm', status: 'undelivered' }],
    });
  });

  it('bad reports are invalid_payload: unknown type, missing or odd id, part 0, unsubstituted escape', () => {
    const bad: Record<string, string>[] = [
      { herald_id: 'm-1', type: '3' },
      { herald_id: 'm-1', type: '%d' },
      { type: '1' },
      { herald_id: 'm 1; drop', type: '1' },
      { herald_id: 'm-1', type: '1', part: '0' },
      { herald_id: 'm-1', type: '1', ts: 'yesterday' },
    ];
    for (const q of bad) {
      expect(p.parseDeliveryReport(report(q)), JSON.stringify(q)).toEqual({
        ok: false,
        reason: 'invalid_payload',
      });
    }
  });

  const inbound = (search: string): CallbackRequest => {
    const url = `http://herald.test/api/callbacks/${TOKEN}/inbound?${search}`;
    return { headers: {}, body: '', query: Object.fromEntries(new URL(url).searchParams), url };
  };

  it('inbound: UTF-8 and UTF-16BE texts, spaces and + kept; id and time when Kannel gives them', () => {
    expect(
      p.parseInbound!(
        inbound(
          'from=%2B4915123456789&to=%2B4930123456&text=STOP++now%2B1&coding=0&charset=UTF-8&id=88283F47-E06C-410C-ADDC-F3F90C284219&ts=1795315936',
        ),
      ),
    ).toEqual({
      ok: true,
      messages: [
        {
          from: '+4915123456789',
          to: '+4930123456',
          text: 'STOP  now+1',
          gatewayMessageId: '88283f47-e06c-410c-addc-f3f90c284219',
          receivedAt: '2026-11-22T02:52:16.000Z',
        },
      ],
    });
    expect(
      p.parseInbound!(inbound('from=123&to=456&text=%04%21%04%42%04%3E%04%3F&coding=2&charset=UTF-16BE')),
    ).toMatchObject({
      ok: true,
      messages: [{ text: 'Стоп' }],
    });
    // An older get-url with only %p, %P and %a works too.
    expect(p.parseInbound!(inbound('from=123&to=456&text=HELP'))).toMatchObject({
      ok: true,
      messages: [{ text: 'HELP' }],
    });
  });

  it('inbound: bad payloads are invalid_payload', () => {
    for (const search of [
      'to=456&text=STOP',
      'from=123&text=STOP',
      'from=123&to=456',
      'from=123&to=456&text=%ZZ',
      'from=123&to=456&text=%C3%28&charset=UTF-8',
      'from=123&to=456&text=%04&coding=2&charset=UTF-16BE',
      'from=123&to=456&text=%01%02&coding=1&charset=8-BIT',
      `from=${'1'.repeat(40)}&to=456&text=x`,
    ]) {
      expect(p.parseInbound!(inbound(search)), search).toEqual({ ok: false, reason: 'invalid_payload' });
    }
  });

  it('settings: defaults, secrets, address fields; bad URLs and unknown fields refused', () => {
    expect(
      kannelSettingsSchema.parse({
        sendsmsUrl: 'http://k:13013/cgi-bin/sendsms',
        username: 'u',
        password: 'p',
      }),
    ).toEqual({
      sendsmsUrl: 'http://k:13013/cgi-bin/sendsms',
      username: 'u',
      password: 'p',
      dlrMask: 31,
      splitting: 'herald',
      timeoutMs: 10_000,
    });
    expect(kannelFactory.secretSettings).toEqual(['password', 'reportSecret']);
    expect(kannelFactory.addressSettings).toEqual(['sendsmsUrl']);
    const ok = { sendsmsUrl: 'http://k/cgi-bin/sendsms', username: 'u', password: 'p' };
    for (const bad of [
      { ...ok, sendsmsUrl: 'ftp://k/cgi-bin/sendsms' },
      { ...ok, sendsmsUrl: 'http://k/cgi-bin/sendsms?username=u' },
      { ...ok, sendsmsUrl: 'http://user:pw@k/cgi-bin/sendsms' },
      { ...ok, dlrMask: 32 },
      { ...ok, smsc: 'a b' },
      { ...ok, reportSecret: 'short' },
      { ...ok, splitting: 'both' },
      { ...ok, colour: 'blue' },
    ]) {
      expect(kannelSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    const viaRegistry = createProvider('kannel', {
      id: 'a',
      settings: ok,
      callbackToken: TOKEN,
      maxParts: 6,
      shiftTables: ['turkish'],
    });
    expect(viaRegistry.capabilities).toEqual({
      unicode: true,
      shiftTables: [],
      maxParts: 6,
      deliveryReports: true,
      statusQuery: false,
      inbound: true,
      throughputUnit: 'parts',
    });
  });
});

/** A server that answers Kannel's get-url with a body of the test's choosing (text/plain). */
async function answeringServer() {
  const waiting: (() => void)[] = [];
  let pending = 0;
  const state = {
    answer: '',
    url: '',
    async nextRequest() {
      if (pending > 0) {
        pending--;
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no inbound request within 10 s')), 10_000);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(state.answer, () => {
      const w = waiting.shift();
      if (w) w();
      else pending++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
