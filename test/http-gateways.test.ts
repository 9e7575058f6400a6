import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { senderForOrgUnit } from '../src/modules/gateways/gateways.repository.js';
import { openProvider } from '../src/modules/gateways/gateways.usecases.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
type Gateway = {
  id: string;
  name: string;
  kind: string;
  orgUnitId: string | null;
  settings?: Json;
  messagesPerSecond: number;
  maxParts: number;
  pricePerPart: number | null;
  currency: string | null;
  shiftTables: string[];
  callbackUrl?: string;
};
type Sender = {
  id: string;
  name: string;
  providerAccountId: string;
  fallbackProviderAccountId: string | null;
  senderId: string;
  orgUnitIds: string[];
};

describe.each(TEST_DIALECTS)('gateways and sender configurations on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  beforeEach(async () => {
    t = await createTestApp(dialect, { HERALD_PUBLIC_URL: 'https://sms.example.com' });
    admin = await t.setupAdmin();
  });
  afterEach(async () => t.close());

  const send = (
    method: string,
    path: string,
    json: unknown,
    headers: Record<string, string> = admin.headers,
  ) => t.request(path, { method, headers, json });
  const get = (path: string, headers: Record<string, string> = admin.headers) => t.request(path, { headers });
  const gateways = async (headers?: Record<string, string>) =>
    ((await (await get('/api/gateways', headers)).json()) as { items: Gateway[] }).items;
  const senders = async (headers?: Record<string, string>) =>
    ((await (await get('/api/senders', headers)).json()) as { items: Sender[] }).items;
  const addUnit = async (name: string) =>
    (
      (await (
        await send('POST', '/api/org-units', {
          name,
          parentId: admin.orgUnitId,
          defaultRegion: 'DE',
          timezone: 'Europe/Berlin',
        })
      ).json()) as { id: string }
    ).id;
  const addUser = async (email: string, roles: string[], orgUnitIds: string[]) => {
    await send('POST', '/api/users', { email, name: email, password: 'twelve chars min', roles, orgUnitIds });
    const s = await t.loginAs(email, 'twelve chars min');
    return { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
  };
  const tokens = async () =>
    (await t.db.kysely.selectFrom('provider_accounts').select('callback_token').execute()).map(
      (r) => r.callback_token,
    );

  it('setup installs a Simulator gateway and a Default sender attached to the first org unit', async () => {
    const [sim, ...rest] = await gateways();
    expect(rest).toEqual([]);
    const [token] = await tokens();
    expect(sim).toMatchObject({
      name: 'Simulator',
      kind: 'simulator',
      messagesPerSecond: 50,
      maxParts: 10,
      pricePerPart: null,
      currency: null,
      shiftTables: [],
      settings: {
        latencyMs: { min: 50, max: 300 },
        acceptanceRate: 0.98,
        deliveryRate: 0.95,
        noReportRate: 0.02,
      },
      callbackUrl: `https://sms.example.com/api/callbacks/${token}`,
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const [def] = await senders();
    expect(def).toMatchObject({
      name: 'Default',
      senderId: 'Herald',
      providerAccountId: sim!.id,
      fallbackProviderAccountId: null,
      orgUnitIds: [admin.orgUnitId],
    });
    const unit = (await (await get(`/api/org-units/${admin.orgUnitId}`)).json()) as Json;
    expect(unit.senderConfigId).toBe(def!.id);

    const route = await senderForOrgUnit(t.db.kysely, admin.orgUnitId);
    expect(route?.senderConfig.sender_id).toBe('Herald');
    expect(route?.providerAccount.id).toBe(sim!.id);
    expect(route?.fallbackProviderAccount).toBeNull();
    // The stored account opens as a working adapter.
    const provider = openProvider(route!.providerAccount);
    expect(provider.capabilities.maxParts).toBe(10);
    await provider.close();
  });

  it('adds a gateway with validated settings; names are unique ignoring case', async () => {
    const res = await send('POST', '/api/gateways', {
      name: 'Load test',
      kind: 'simulator',
      settings: { acceptanceRate: 1, latencyMs: { min: 0, max: 10 } },
      messagesPerSecond: 500,
      maxParts: 6,
      pricePerPart: 7,
      currency: 'EUR',
      shiftTables: ['turkish', 'turkish'],
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Gateway;
    expect(created).toMatchObject({
      name: 'Load test',
      messagesPerSecond: 500,
      maxParts: 6,
      pricePerPart: 7,
      currency: 'EUR',
      shiftTables: ['turkish'],
      settings: { acceptanceRate: 1, latencyMs: { min: 0, max: 10 }, deliveryRate: 0.95 },
    });
    const all = await tokens();
    expect(new Set(all).size).toBe(2);
    expect(all.map((tk) => `https://sms.example.com/api/callbacks/${tk}`)).toContain(created.callbackUrl);

    const dup = await send('POST', '/api/gateways', { name: 'SIMULATOR', kind: 'simulator' });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as Json).code).toBe('gateway.name_taken');

    for (const [bad, path] of [
      [{ name: 'x', kind: 'simulator', settings: { acceptanceRate: 2 } }, 'settings.acceptanceRate'],
      [
        { name: 'x', kind: 'simulator', settings: { latencyMs: { min: 9, max: 1 } } },
        'settings.latencyMs.min',
      ],
      [{ name: 'x', kind: 'simulator', settings: { secretSauce: 1 } }, 'settings'],
      [{ name: 'x', kind: 'carrier-pigeon' }, 'kind'],
      [{ name: 'x', kind: 'simulator', pricePerPart: 5 }, 'currency'],
      [{ name: 'x', kind: 'simulator', maxParts: 0 }, 'maxParts'],
    ] as const) {
      const r = await send('POST', '/api/gateways', bad);
      expect(r.status, JSON.stringify(bad)).toBe(422);
      const p = (await r.json()) as { code: string; issues: { path: (string | number)[] }[] };
      expect(p.code).toBe('validation.failed');
      expect(p.issues.map((i) => i.path.join('.'))).toContain(path);
    }
    expect(await gateways()).toHaveLength(2);
  });

  it('changes a gateway: settings are laid over the stored ones, the kind cannot change', async () => {
    const [sim] = await gateways();
    t.clock.advance(1000);
    const res = await send('PATCH', `/api/gateways/${sim!.id}`, {
      settings: { deliveryRate: 0.5 },
      messagesPerSecond: 5,
      name: 'Sim',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: 'Sim',
      messagesPerSecond: 5,
      settings: { deliveryRate: 0.5, acceptanceRate: 0.98, latencyMs: { min: 50, max: 300 } },
    });
    const stored = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['settings', 'updated_at', 'callback_token'])
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.settings).deliveryRate).toBe(0.5);
    expect(stored.updated_at).toBe('2026-11-22T09:00:01.000Z');

    expect((await send('PATCH', `/api/gateways/${sim!.id}`, { kind: 'simulator' })).status).toBe(422);
    const bad = await send('PATCH', `/api/gateways/${sim!.id}`, { settings: { noReportRate: -1 } });
    expect(bad.status).toBe(422);
    expect((await send('PATCH', `/api/gateways/${sim!.id}`, { pricePerPart: 3 })).status).toBe(422);
    await send('POST', '/api/gateways', { name: 'Other', kind: 'simulator' });
    const taken = await send('PATCH', `/api/gateways/${sim!.id}`, { name: 'other' });
    expect(taken.status).toBe(409);
    const missing = await send('PATCH', '/api/gateways/nope', { name: 'x' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Json).code).toBe('gateway.not_found');
    expect(
      JSON.parse(
        (
          await t.db.kysely
            .selectFrom('provider_accounts')
            .select('settings')
            .where('id', '=', sim!.id)
            .executeTakeFirstOrThrow()
        ).settings,
      ).noReportRate,
    ).toBe(0.02);
  });

  it('unit managers read gateways without the callback URL; senders read them without settings; auditors not at all', async () => {
    const north = await addUnit('North');
    const manager = await addUser('m@example.com', ['sms_manager'], [north]);
    const user = await addUser('u@example.com', ['sms_user'], [north]);
    const auditor = await addUser('a@example.com', ['auditor'], [north]);
    const [token] = await tokens();

    const asManager = await get('/api/gateways', manager);
    const managerText = await asManager.text();
    expect(managerText).not.toContain(token);
    const [gm] = (JSON.parse(managerText) as { items: Gateway[] }).items;
    expect(gm?.callbackUrl).toBeUndefined();
    // A shared gateway: a unit manager sees its name to pick it, not its settings.
    expect(gm?.orgUnitId).toBeNull();
    expect(gm?.settings).toBeUndefined();

    const [gu] = await gateways(user);
    expect(gu).toMatchObject({ name: 'Simulator', maxParts: 10 });
    expect(gu?.settings).toBeUndefined();
    expect(gu?.callbackUrl).toBeUndefined();
    expect(await senders(user)).toHaveLength(1);
    expect((await get(`/api/gateways/${gu!.id}`, user)).status).toBe(200);

    expect((await get('/api/gateways', auditor)).status).toBe(403);
    expect((await get('/api/senders', auditor)).status).toBe(403);

    // Shared gateways and sender configurations are changed by system managers only.
    const create = await send('POST', '/api/gateways', { name: 'Mine', kind: 'simulator' }, manager);
    expect(create.status).toBe(403);
    const patch = await send('PATCH', `/api/gateways/${gu!.id}`, { messagesPerSecond: 1 }, manager);
    expect(patch.status).toBe(403);
    const sender = await send(
      'POST',
      '/api/senders',
      { name: 'Mine', providerAccountId: gu!.id, senderId: 'Mine' },
      manager,
    );
    expect(sender.status).toBe(403);
    expect(await gateways()).toHaveLength(1);
    expect(await senders()).toHaveLength(1);
  });

  it('adds and changes sender configurations; sender ids are 1–11 alphanumerics or E.164', async () => {
    const [sim] = await gateways();
    const backup = (await (
      await send('POST', '/api/gateways', { name: 'Backup', kind: 'simulator' })
    ).json()) as Gateway;
    const res = await send('POST', '/api/senders', {
      name: 'Shop',
      providerAccountId: sim!.id,
      fallbackProviderAccountId: backup.id,
      senderId: 'ACME Shop',
    });
    expect(res.status).toBe(201);
    const shop = (await res.json()) as Sender;
    expect(shop).toMatchObject({
      senderId: 'ACME Shop',
      fallbackProviderAccountId: backup.id,
      orgUnitIds: [],
    });
    expect(
      (
        await send('POST', '/api/senders', {
          name: 'Number',
          providerAccountId: sim!.id,
          senderId: '+4915123456789',
        })
      ).status,
    ).toBe(201);

    for (const [body, status, code] of [
      [{ name: 'Long', providerAccountId: sim!.id, senderId: 'TwelveChars1' }, 422, 'validation.failed'],
      [{ name: 'Dash', providerAccountId: sim!.id, senderId: 'Ab-c' }, 422, 'validation.failed'],
      [{ name: 'Zero', providerAccountId: sim!.id, senderId: '+0123' }, 422, 'validation.failed'],
      [
        { name: 'Self', providerAccountId: sim!.id, fallbackProviderAccountId: sim!.id, senderId: 'X' },
        422,
        'validation.failed',
      ],
      [{ name: 'Ghost', providerAccountId: 'nope', senderId: 'X' }, 404, 'gateway.not_found'],
      [
        { name: 'Ghost', providerAccountId: sim!.id, fallbackProviderAccountId: 'nope', senderId: 'X' },
        404,
        'gateway.not_found',
      ],
      [{ name: 'shop', providerAccountId: sim!.id, senderId: 'X' }, 409, 'sender.name_taken'],
    ] as const) {
      const r = await send('POST', '/api/senders', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(((await r.json()) as Json).code).toBe(code);
    }
    expect(await senders()).toHaveLength(3);

    const patched = await send('PATCH', `/api/senders/${shop.id}`, {
      senderId: 'Shop',
      fallbackProviderAccountId: null,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ senderId: 'Shop', fallbackProviderAccountId: null });
    const self = await send('PATCH', `/api/senders/${shop.id}`, {
      providerAccountId: backup.id,
      fallbackProviderAccountId: backup.id,
    });
    expect(self.status).toBe(422);
    expect((await send('PATCH', '/api/senders/nope', { senderId: 'X' })).status).toBe(404);
    expect(((await (await get(`/api/senders/${shop.id}`)).json()) as Sender).providerAccountId).toBe(sim!.id);
  });

  it("attaches a sender configuration to an org unit within the caller's units, or detaches it", async () => {
    const north = await addUnit('North');
    const south = await addUnit('South');
    const [def] = await senders();
    const manager = await addUser('m@example.com', ['sms_manager'], [north]);
    expect(await senderForOrgUnit(t.db.kysely, north)).toBeNull();

    const res = await send('PATCH', `/api/org-units/${north}/sender`, { senderConfigId: def!.id }, manager);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).senderConfigId).toBe(def!.id);
    expect((await senderForOrgUnit(t.db.kysely, north))?.senderConfig.id).toBe(def!.id);
    // The manager sees only North among the units using it.
    expect((await senders(manager))[0]?.orgUnitIds).toEqual([north]);
    expect((await senders())[0]?.orgUnitIds.sort()).toEqual([admin.orgUnitId, north].sort());

    const outside = await send(
      'PATCH',
      `/api/org-units/${south}/sender`,
      { senderConfigId: def!.id },
      manager,
    );
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as Json).code).toBe('org_unit.not_found');
    const ghost = await send('PATCH', `/api/org-units/${north}/sender`, { senderConfigId: 'nope' });
    expect(ghost.status).toBe(404);
    expect(((await ghost.json()) as Json).code).toBe('sender.not_found');
    expect(await senderForOrgUnit(t.db.kysely, south)).toBeNull();

    const detach = await send('PATCH', `/api/org-units/${north}/sender`, { senderConfigId: null });
    expect(((await detach.json()) as Json).senderConfigId).toBeNull();
    expect(await senderForOrgUnit(t.db.kysely, north)).toBeNull();
    const user = await addUser('u@example.com', ['sms_user'], [north]);
    expect(
      (await send('PATCH', `/api/org-units/${north}/sender`, { senderConfigId: def!.id }, user)).status,
    ).toBe(403);
  });
});
