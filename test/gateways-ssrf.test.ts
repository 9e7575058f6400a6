import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import {
  gatewayAddressPolicy,
  gatewayNetDeps,
  gatewayResolver,
} from '../src/modules/gateways/gateways.ssrf.js';
import type { LookupFn } from '../src/modules/webhooks/webhooks.ssrf.js';
import { transportFailure } from '../src/providers/http/http.transport.js';
import { createGuardedFetch, createHostGuard } from '../src/providers/provider.fetch.js';
import { networkErrorOutcome } from '../src/providers/twilio/twilio.errors.js';
import {
  clockSleep,
  historyOf,
  messageRows,
  queueMessages,
  testWorker,
} from './helpers/dispatch-fixtures.js';
import { type FakeHttpGateway, startFakeHttpGateway } from './helpers/fake-http-gateway.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

/** A local server that records what reaches it and answers as `reply` says. */
async function recordingServer(reply: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const hits: { path: string; host: string; method: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        path: req.url ?? '',
        host: req.headers.host ?? '',
        method: req.method ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      reply(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const lookupOf =
  (table: Record<string, string[]>): LookupFn =>
  async (host) => {
    const found = table[host];
    if (!found) throw new Error('ENOTFOUND');
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('guarded fetch and host guard', () => {
  let inner: Awaited<ReturnType<typeof recordingServer>>;
  let outer: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => {
    inner = await recordingServer((_req, res) => res.writeHead(200).end('inner secret data'));
    outer = await recordingServer((req, res) => {
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(302, { location: `${inner.url}/latest/meta-data` }).end();
      } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    });
  });
  afterAll(async () => {
    await inner.close();
    await outer.close();
  });

  const fetchWith = (allowPrivate: boolean, table: Record<string, string[]> = {}, trusted: string[] = []) =>
    createGuardedFetch({
      resolve: gatewayResolver({ allowPrivate, lookup: lookupOf(table) }),
      trustedOrigins: trusted,
    });

  it('refuses loopback, IPv4-mapped, link-local, private and carrier-NAT targets before connecting', async () => {
    const guarded = fetchWith(false);
    for (const url of [
      `${inner.url}/x`,
      `http://[::ffff:127.0.0.1]:${inner.port}/x`,
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.8/',
      'http://100.64.1.1/',
      'http://[::1]/',
    ]) {
      await expect(guarded(url, { method: 'GET' }), url).rejects.toMatchObject({
        name: 'GatewayAddressRefusedError',
      });
    }
    expect(inner.hits).toHaveLength(0);
  });

  it('checks every address a name resolves to, and connects to the checked one (no second lookup)', async () => {
    const refused = fetchWith(false, { 'mixed.test': ['8.8.8.8', '10.1.2.3'] });
    await expect(refused('http://mixed.test/', { method: 'GET' })).rejects.toThrow(/10\.1\.2\.3.*private/);
    // The name resolves only through the policy's lookup: reaching the server proves the pinned address.
    const pinned = fetchWith(true, { 'gateway.test': ['127.0.0.1'] });
    const res = await pinned(`http://gateway.test:${outer.port}/send`, {
      method: 'POST',
      body: new URLSearchParams({ to: '+4915123456789' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'OK' });
    expect(outer.hits.at(-1)).toMatchObject({
      path: '/send',
      host: `gateway.test:${outer.port}`,
      method: 'POST',
      body: 'to=%2B4915123456789',
    });
  });

  it('never follows a redirect, even with private targets allowed: the 3xx comes back as it is', async () => {
    const before = inner.hits.length;
    const res = await fetchWith(true)(`${outer.url}/redirect`, { method: 'GET', redirect: 'follow' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${inner.url}/latest/meta-data`);
    expect(inner.hits.length).toBe(before);
  });

  it("trusts Herald's own origin (the simulator's callbacks) and nothing else on that host", async () => {
    const guarded = fetchWith(false, {}, [outer.url]);
    expect((await guarded(`${outer.url}/api/callbacks/x`, { method: 'POST', body: '{}' })).status).toBe(200);
    await expect(guarded(`${inner.url}/`, { method: 'GET' })).rejects.toMatchObject({
      name: 'GatewayAddressRefusedError',
    });
  });

  it('guardHost returns the checked address for an own connection (SMPP) or refuses', async () => {
    const strict = createHostGuard(
      gatewayResolver({
        allowPrivate: false,
        lookup: lookupOf({ 'smsc.test': ['8.8.4.4'], 'evil.test': ['192.168.1.5'] }),
      }),
    );
    expect(await strict('smsc.test')).toBe('8.8.4.4');
    expect(await strict('8.8.8.8')).toBe('8.8.8.8');
    for (const host of ['127.0.0.1', '::ffff:127.0.0.1', '[::1]', 'evil.test']) {
      await expect(strict(host), host).rejects.toMatchObject({ name: 'GatewayAddressRefusedError' });
    }
    await expect(strict('unknown.test')).rejects.toMatchObject({
      name: 'GatewayHostUnresolvedError',
      code: 'ENOTFOUND',
    });
    const open = createHostGuard(gatewayResolver({ allowPrivate: true, lookup: lookupOf({}) }));
    expect(await open('127.0.0.1')).toBe('127.0.0.1');
  });

  it('a name that does not resolve (a DNS hiccup) is a retryable failure for the HTTP adapters, a refused address a permanent one', async () => {
    const flaky: LookupFn = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN sms.example.com'), { code: 'EAI_AGAIN' });
    };
    const guarded = createGuardedFetch({ resolve: gatewayResolver({ allowPrivate: false, lookup: flaky }) });
    const unresolved = await guarded('https://sms.example.com/send', { method: 'GET' }).catch((e) => e);
    expect(unresolved).toMatchObject({ name: 'GatewayHostUnresolvedError', code: 'EAI_AGAIN' });
    expect(transportFailure(unresolved)).toMatchObject({ class: 'retryable', code: 'EAI_AGAIN' });
    expect(networkErrorOutcome(unresolved)).toMatchObject({ class: 'retryable', code: 'TWILIO_UNREACHABLE' });
    const refused = await fetchWith(false)('http://10.0.0.8/', { method: 'GET' }).catch((e) => e);
    expect(transportFailure(refused)).toMatchObject({ class: 'permanent', code: 'ADDRESS_REFUSED' });
    expect(networkErrorOutcome(refused)).toMatchObject({
      class: 'permanent',
      code: 'TWILIO_ADDRESS_REFUSED',
    });
  });

  it('an aborted request rejects with the signal reason', async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('stop', 'AbortError'));
    await expect(
      fetchWith(true)(`${outer.url}/`, { method: 'GET', signal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe.each(TEST_DIALECTS)('gateway addresses on %s', (dialect) => {
  const KEY = Buffer.alloc(32, 5).toString('base64');
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let gw: FakeHttpGateway;
  beforeEach(async () => {
    t = await createTestApp(dialect, { HERALD_ENCRYPTION_KEY: KEY });
    admin = await t.setupAdmin();
    gw = await startFakeHttpGateway();
  });
  afterEach(async () => {
    await gw.close();
    await t.close();
  });

  const create = (app: TestApp, url: string, name = 'HTTP gw') =>
    app.request('/api/gateways', {
      method: 'POST',
      headers: admin.headers,
      json: {
        name,
        kind: 'http',
        settings: { url, successJsonPath: '$.status', successValues: ['OK'], idJsonPath: '$.id' },
      },
    });
  const accounts = async (app: TestApp) =>
    Number(
      (
        await app.db.kysely
          .selectFrom('provider_accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses internal gateway URLs at save with a problem naming the field, and writes nothing', async () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/send',
      'http://169.254.169.254/latest',
      'http://10.1.2.3:8080/send',
      'http://100.64.0.1/',
      'http://localhost:13013/cgi-bin/sendsms',
    ]) {
      const res = await create(t, url);
      expect(res.status, url).toBe(422);
      const p = (await res.json()) as Json;
      expect(p).toMatchObject({ code: 'gateway.address_not_allowed', field: 'settings.url' });
      expect(String(p.detail)).toMatch(/^settings\.url: .*HERALD_GATEWAYS_ALLOW_PRIVATE/);
    }
    // A name that does not resolve is refused at save too (at send it is retryable, see above).
    const unresolved = await create(t, 'https://no-such-host.invalid/send');
    expect(unresolved.status).toBe(422);
    expect(await unresolved.json()).toMatchObject({
      code: 'gateway.address_not_allowed',
      field: 'settings.url',
      detail: expect.stringMatching(/does not resolve/),
    });
    expect(await accounts(t)).toBe(1); // the simulator from the setup
    // A public address is fine (nothing is connected to at save).
    expect((await create(t, 'https://8.8.8.8/sms/send')).status).toBe(201);
  });

  it('the administrator override allows them; a change is checked again when the override is off', async () => {
    const open = await createTestApp(dialect, {
      HERALD_ENCRYPTION_KEY: KEY,
      HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
    });
    try {
      const openAdmin = await open.setupAdmin();
      const res = await open.request('/api/gateways', {
        method: 'POST',
        headers: openAdmin.headers,
        json: {
          name: 'Kannel here',
          kind: 'http',
          settings: { url: 'http://127.0.0.1:13013/cgi-bin/sendsms' },
        },
      });
      expect(res.status).toBe(201);
    } finally {
      await open.close();
    }
    const created = (await (await create(t, 'https://8.8.8.8/send')).json()) as { id: string };
    const patch = await t.request(`/api/gateways/${created.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { settings: { url: 'http://169.254.169.254/' } },
    });
    expect(patch.status).toBe(422);
    expect(((await patch.json()) as Json).field).toBe('settings.url');
  });

  /** An account pointing at `url`, attached to the unit's sender, with one message queued. */
  const queueThrough = async (url: string) => {
    const open = gatewayAddressPolicy({ gatewaysAllowPrivate: true });
    expect(open.allowPrivate).toBe(true);
    // Saved as if the override had been on (written straight in; the save check is tested above).
    const id = 'pa-local';
    await t.db.kysely
      .insertInto('provider_accounts')
      .values({
        id,
        name: 'Local',
        kind: 'http',
        settings: JSON.stringify({
          url,
          successJsonPath: '$.status',
          successValues: ['OK'],
          idJsonPath: '$.id',
        }),
        messages_per_second: 100,
        max_parts: 10,
        price_per_part: null,
        currency: null,
        shift_tables: '[]',
        callback_token: 'tok-local',
        created_at: t.clock.now().toISOString(),
        updated_at: t.clock.now().toISOString(),
      })
      .execute();
    await t.db.kysely.updateTable('sender_configs').set({ provider_account_id: id }).execute();
    const [messageId] = await queueMessages(t.db, admin.orgUnitId, 1, { now: t.clock.now().toISOString() });
    return messageId!;
  };
  const runWorker = async (env: Record<string, string>) => {
    const w = testWorker({ db: t.db, clock: t.clock, bus: t.bus, sleep: clockSleep(t.clock) }, env);
    try {
      await w.runOnce();
    } finally {
      await w.stop();
    }
  };

  it('the worker refuses at send a gateway address the policy does not allow: rejected, nothing sent', async () => {
    const id = await queueThrough(`${gw.url}/send/json`);
    await runWorker({ HERALD_ENCRYPTION_KEY: KEY });
    expect(gw.received).toHaveLength(0);
    expect((await messageRows(t.db)).get(id)).toMatchObject({
      status: 'rejected',
      error_code: 'ADDRESS_REFUSED',
    });
  });

  it('a gateway answering 302 to an internal address is not followed: the message fails for good', async () => {
    const inner = await recordingServer((_req, res) => res.writeHead(200).end('{"status":"OK","id":"X"}'));
    const redirecting = await recordingServer((_req, res) =>
      res.writeHead(302, { location: `${inner.url}/latest/meta-data` }).end(),
    );
    try {
      const id = await queueThrough(`${redirecting.url}/send`);
      await runWorker({ HERALD_ENCRYPTION_KEY: KEY, HERALD_GATEWAYS_ALLOW_PRIVATE: 'true' });
      expect(redirecting.hits).toHaveLength(1);
      expect(inner.hits).toHaveLength(0);
      expect((await messageRows(t.db)).get(id)).toMatchObject({ status: 'rejected', error_code: 'HTTP_302' });
      expect((await historyOf(t.db, id)).at(-1)!.details).toMatchObject({ class: 'permanent' });
    } finally {
      await inner.close();
      await redirecting.close();
    }
  });

  it('IPv4-mapped IPv6 loopback: saved and reached only with the override, refused at send without it', async () => {
    const mapped = `http://[::ffff:127.0.0.1]:${new URL(gw.url).port}/send/json`;
    const open = await createTestApp(dialect, {
      HERALD_ENCRYPTION_KEY: KEY,
      HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
    });
    try {
      const openAdmin = await open.setupAdmin();
      const res = await open.request('/api/gateways', {
        method: 'POST',
        headers: openAdmin.headers,
        json: { name: 'Mapped', kind: 'http', settings: { url: mapped } },
      });
      expect(res.status, await res.clone().text()).toBe(201);
    } finally {
      await open.close();
    }

    const refused = await queueThrough(mapped);
    await runWorker({ HERALD_ENCRYPTION_KEY: KEY });
    expect(gw.received).toHaveLength(0);
    expect((await messageRows(t.db)).get(refused)).toMatchObject({
      status: 'rejected',
      error_code: 'ADDRESS_REFUSED',
    });

    const [allowed] = await queueMessages(t.db, admin.orgUnitId, 1, { now: t.clock.now().toISOString() });
    await runWorker({ HERALD_ENCRYPTION_KEY: KEY, HERALD_GATEWAYS_ALLOW_PRIVATE: 'true' });
    expect(gw.received).toHaveLength(1);
    expect((await messageRows(t.db)).get(allowed!)).toMatchObject({ status: 'accepted' });
  });

  it('test send uses the same guard', async () => {
    await queueThrough(`${gw.url}/send/json`);
    const res = await t.request('/api/gateways/pa-local/test-send', {
      method: 'POST',
      headers: admin.headers,
      json: { to: '+4915123456789', text: 'probe' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: false, class: 'permanent', code: 'ADDRESS_REFUSED' });
    expect(gw.received).toHaveLength(0);
    // The net deps built from the configuration are what the routes and the worker use.
    const net = gatewayNetDeps(gatewayAddressPolicy(t.config), t.config.baseUrl);
    await expect(net.guardHost('127.0.0.1')).rejects.toMatchObject({ name: 'GatewayAddressRefusedError' });
  });
});
