import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { senderForOrgUnit } from '../src/modules/gateways/gateways.repository.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
type Gateway = {
  id: string;
  name: string;
  orgUnitId: string | null;
  settings?: Json;
  callbackUrl?: string;
  inboundUrl?: string;
};
type Sender = { id: string; name: string; orgUnitId: string | null; providerAccountId: string };
type Headers = Record<string, string>;

/**
 * Gateway accounts and sender configurations owned by org units: shared ones (null) are the system
 * managers'; a unit's are seen and used in it and below it, and managed by its managers.
 * Tree: Head Office ─┬─ A ── A1
 *                    └─ B
 */
describe.each(TEST_DIALECTS)('gateway and sender ownership on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let a: string;
  let a1: string;
  let b: string;
  let managerA: Headers;
  let managerA1: Headers;
  let managerB: Headers;
  let userA1: Headers;
  let shared: Gateway;

  const send = (method: string, path: string, json: unknown, headers: Headers = admin.headers) =>
    t.request(path, { method, headers, json });
  const get = (path: string, headers: Headers = admin.headers) => t.request(path, { headers });
  const gateways = async (headers?: Headers) =>
    ((await (await get('/api/gateways', headers)).json()) as { items: Gateway[] }).items;
  const senders = async (headers?: Headers) =>
    ((await (await get('/api/senders', headers)).json()) as { items: Sender[] }).items;
  const addUnit = async (name: string, parentId: string) => {
    const res = await send('POST', '/api/org-units', {
      name,
      parentId,
      defaultRegion: 'DE',
      timezone: 'Europe/Berlin',
    });
    return ((await res.json()) as { id: string }).id;
  };
  const addUser = async (email: string, roles: string[], orgUnitIds: string[]) => {
    await send('POST', '/api/users', { email, name: email, password: 'twelve chars min', roles, orgUnitIds });
    const s = await t.loginAs(email, 'twelve chars min');
    return { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
  };
  /** Adds a simulator gateway as `headers`; returns the response. */
  const addGateway = (name: string, orgUnitId: string | null | undefined, headers: Headers = admin.headers) =>
    send(
      'POST',
      '/api/gateways',
      { name, kind: 'simulator', ...(orgUnitId === undefined ? {} : { orgUnitId }) },
      headers,
    );
  const created = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Gateway & Sender;
  };
  const code = async (res: Response) => ((await res.json()) as Json).code;
  const accountCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('provider_accounts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeEach(async () => {
    t = await createTestApp(dialect, { HERALD_PUBLIC_URL: 'https://sms.example.com' });
    admin = await t.setupAdmin();
    a = await addUnit('A', admin.orgUnitId);
    b = await addUnit('B', admin.orgUnitId);
    a1 = await addUnit('A1', a);
    managerA = await addUser('ma@example.com', ['sms_manager'], [a]);
    managerA1 = await addUser('ma1@example.com', ['sms_manager'], [a1]);
    managerB = await addUser('mb@example.com', ['sms_manager'], [b]);
    userA1 = await addUser('ua1@example.com', ['sms_user'], [a1]);
    const [simulator] = await gateways();
    shared = simulator!;
  });
  afterEach(async () => t.close());

  it('an SMS manager of A adds a gateway for A: settings and callback URLs shown to them, audited', async () => {
    const mine = await created(await addGateway('A gateway', a, managerA));
    expect(mine.orgUnitId).toBe(a);
    expect(mine.settings).toBeDefined();
    expect(mine.callbackUrl).toMatch(/^https:\/\/sms\.example\.com\/api\/callbacks\/[\w-]{43}$/);
    expect(mine.inboundUrl).toBe(`${mine.callbackUrl}/inbound`);
    const row = await t.db.kysely
      .selectFrom('provider_accounts')
      .select('org_unit_id')
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(row.org_unit_id).toBe(a);
    const audit = await t.db.kysely
      .selectFrom('security_events')
      .selectAll()
      .where('type', '=', 'gateway_created')
      .execute();
    expect(audit.map((e) => e.target)).toEqual([`gateway:${mine.id}`]);

    // A change and a test send of their own gateway.
    const patched = await send('PATCH', `/api/gateways/${mine.id}`, { messagesPerSecond: 3 }, managerA);
    expect(patched.status).toBe(200);
    const test = await send(
      'POST',
      `/api/gateways/${mine.id}/test-send`,
      { to: '+4915123456789', text: 'Herald test' },
      managerA,
    );
    expect(test.status, await test.clone().text()).toBe(200);
    expect(((await test.json()) as Json).ok).toBe(true);
  });

  it('an SMS manager of A cannot add a gateway for B, nor a shared one', async () => {
    const before = await accountCount();
    const forB = await addGateway('B gateway', b, managerA);
    expect(forB.status).toBe(404);
    expect(await code(forB)).toBe('org_unit.not_found');
    const sharedOne = await addGateway('Shared gateway', undefined, managerA);
    expect(sharedOne.status).toBe(403);
    expect(await code(sharedOne)).toBe('auth.forbidden');
    expect((await addGateway('Shared gateway', null, managerA)).status).toBe(403);
    // A manager of A1 cannot add one for A, the unit above theirs.
    expect((await addGateway('Up', a, managerA1)).status).toBe(404);
    expect(await accountCount()).toBe(before);
  });

  it("cannot change a shared gateway, another unit's gateway, or move theirs to another unit", async () => {
    const original = await t.db.kysely
      .selectFrom('provider_accounts')
      .selectAll()
      .where('id', '=', shared.id)
      .executeTakeFirstOrThrow();
    const onShared = await send('PATCH', `/api/gateways/${shared.id}`, { messagesPerSecond: 1 }, managerA);
    expect(onShared.status).toBe(403);
    expect(await code(onShared)).toBe('auth.forbidden');
    expect(
      await t.db.kysely
        .selectFrom('provider_accounts')
        .selectAll()
        .where('id', '=', shared.id)
        .executeTakeFirstOrThrow(),
    ).toEqual(original);

    const ofB = await created(await addGateway('B gateway', b, managerB));
    const onB = await send('PATCH', `/api/gateways/${ofB.id}`, { messagesPerSecond: 1 }, managerA);
    expect(onB.status).toBe(404);
    expect(await code(onB)).toBe('gateway.not_found');
    expect((await get(`/api/gateways/${ofB.id}`, managerA)).status).toBe(404);
    const testB = await send(
      'POST',
      `/api/gateways/${ofB.id}/test-send`,
      { to: '+4915123456789', text: 'x' },
      managerA,
    );
    expect(testB.status).toBe(404);

    const ofA = await created(await addGateway('A gateway', a, managerA));
    const move = await send('PATCH', `/api/gateways/${ofA.id}`, { orgUnitId: b }, managerA);
    expect(move.status).toBe(404);
    const toShared = await send('PATCH', `/api/gateways/${ofA.id}`, { orgUnitId: null }, managerA);
    expect(toShared.status).toBe(403);
    // Moving it down to A1 (within their units) is allowed.
    const down = await send('PATCH', `/api/gateways/${ofA.id}`, { orgUnitId: a1 }, managerA);
    expect(down.status).toBe(200);
    expect(((await down.json()) as Gateway).orgUnitId).toBe(a1);
    // A manager of A1 sees A's gateways but does not manage them.
    const ofA2 = await created(await addGateway('A gateway 2', a, managerA));
    const fromA1 = await send('PATCH', `/api/gateways/${ofA2.id}`, { maxParts: 2 }, managerA1);
    expect(fromA1.status).toBe(403);
  });

  it("cannot point A's sender at B's gateway; sender configurations follow the same rules", async () => {
    const ofA = await created(await addGateway('A gateway', a, managerA));
    const ofB = await created(await addGateway('B gateway', b, managerB));

    const senderA = await created(
      await send(
        'POST',
        '/api/senders',
        {
          name: 'A sender',
          providerAccountId: ofA.id,
          fallbackProviderAccountId: shared.id,
          senderId: 'Asend',
          orgUnitId: a,
        },
        managerA,
      ),
    );
    expect(senderA.orgUnitId).toBe(a);

    // B's gateway is invisible to A's manager: as if it did not exist.
    const withB = await send(
      'POST',
      '/api/senders',
      { name: 'A via B', providerAccountId: ofB.id, senderId: 'AviaB', orgUnitId: a },
      managerA,
    );
    expect(withB.status).toBe(404);
    expect(await code(withB)).toBe('gateway.not_found');
    const patchToB = await send(
      'PATCH',
      `/api/senders/${senderA.id}`,
      { providerAccountId: ofB.id },
      managerA,
    );
    expect(patchToB.status).toBe(404);
    // Even a system manager cannot make A's configuration send through B's gateway.
    const adminWithB = await send('PATCH', `/api/senders/${senderA.id}`, {
      fallbackProviderAccountId: ofB.id,
    });
    expect(adminWithB.status).toBe(422);
    expect(await code(adminWithB)).toBe('validation.failed');
    // Nor a shared configuration through a unit's gateway.
    const sharedWithA = await send('POST', '/api/senders', {
      name: 'Shared via A',
      providerAccountId: ofA.id,
      senderId: 'Shared',
    });
    expect(sharedWithA.status).toBe(422);

    // A manager of A cannot add a shared configuration, nor one for B, nor change the shared one.
    const [def] = (await senders()).filter((s) => s.orgUnitId === null);
    expect(
      (
        await send(
          'POST',
          '/api/senders',
          { name: 'S', providerAccountId: shared.id, senderId: 'S' },
          managerA,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await send(
          'POST',
          '/api/senders',
          { name: 'S', providerAccountId: shared.id, senderId: 'S', orgUnitId: b },
          managerA,
        )
      ).status,
    ).toBe(404);
    expect((await send('PATCH', `/api/senders/${def!.id}`, { senderId: 'Mine' }, managerA)).status).toBe(403);

    // Attaching: A's unit may use its own, or a shared one; not B's.
    const senderB = await created(
      await send(
        'POST',
        '/api/senders',
        { name: 'B sender', providerAccountId: ofB.id, senderId: 'Bsend', orgUnitId: b },
        managerB,
      ),
    );
    const attachB = await send(
      'PATCH',
      `/api/org-units/${a}/sender`,
      { senderConfigId: senderB.id },
      managerA,
    );
    expect(attachB.status).toBe(404);
    expect(await code(attachB)).toBe('sender.not_found');
    const adminAttachB = await send('PATCH', `/api/org-units/${a}/sender`, { senderConfigId: senderB.id });
    expect(adminAttachB.status).toBe(422);
    expect(
      (await send('PATCH', `/api/org-units/${a}/sender`, { senderConfigId: senderA.id }, managerA)).status,
    ).toBe(200);
    expect((await senderForOrgUnit(t.db.kysely, a))?.providerAccount.id).toBe(ofA.id);
    // A1 (below A) may use A's configuration; A may not use one owned by A1.
    expect(
      (await send('PATCH', `/api/org-units/${a1}/sender`, { senderConfigId: senderA.id }, managerA)).status,
    ).toBe(200);
    const senderA1 = await created(
      await send(
        'POST',
        '/api/senders',
        { name: 'A1 sender', providerAccountId: ofA.id, senderId: 'A1send', orgUnitId: a1 },
        managerA1,
      ),
    );
    const up = await send('PATCH', `/api/org-units/${a}/sender`, { senderConfigId: senderA1.id }, managerA);
    expect(up.status).toBe(422);
    expect((await senderForOrgUnit(t.db.kysely, a))?.senderConfig.id).toBe(senderA.id);
    // The shared configuration may be attached by the unit's manager.
    expect(
      (await send('PATCH', `/api/org-units/${a}/sender`, { senderConfigId: def!.id }, managerA)).status,
    ).toBe(200);
  });

  it('moving a gateway or configuration may not strand its users', async () => {
    const ofA = await created(await addGateway('A gateway', a, managerA));
    const senderA = await created(
      await send(
        'POST',
        '/api/senders',
        { name: 'A sender', providerAccountId: ofA.id, senderId: 'Asend', orgUnitId: a },
        managerA,
      ),
    );
    // The shared Default configuration uses the shared Simulator: it cannot become A's.
    const strand = await send('PATCH', `/api/gateways/${shared.id}`, { orgUnitId: a });
    expect(strand.status).toBe(422);
    expect(await code(strand)).toBe('validation.failed');
    // A's configuration uses A's gateway: moving the gateway down to A1 would strand it.
    expect((await send('PATCH', `/api/gateways/${ofA.id}`, { orgUnitId: a1 }, managerA)).status).toBe(422);
    // A1 sends with A's configuration: moving the configuration to B would strand A1 (system manager).
    await send('PATCH', `/api/org-units/${a1}/sender`, { senderConfigId: senderA.id }, managerA);
    expect((await send('PATCH', `/api/senders/${senderA.id}`, { orgUnitId: b })).status).toBe(422);
    // Making A's gateway shared is always possible for a system manager, and audited as such.
    const toShared = await send('PATCH', `/api/gateways/${ofA.id}`, { orgUnitId: null });
    expect(toShared.status).toBe(200);
    const updates = await t.db.kysely
      .selectFrom('security_events')
      .select('details')
      .where('type', '=', 'gateway_updated')
      .execute();
    expect(updates.map((u) => JSON.parse(u.details).changed)).toContainEqual(['orgUnitId']);
  });

  it('a user of a child unit of A sees A’s gateway; listing is scoped; the system manager sees all', async () => {
    const ofA = await created(await addGateway('A gateway', a, managerA));
    const ofA1 = await created(await addGateway('A1 gateway', a1, managerA1));
    const ofB = await created(await addGateway('B gateway', b, managerB));
    await created(
      await send(
        'POST',
        '/api/senders',
        { name: 'B sender', providerAccountId: ofB.id, senderId: 'Bsend', orgUnitId: b },
        managerB,
      ),
    );
    const names = (list: { name: string }[]) => list.map((g) => g.name).sort();

    // A user of A1 sees the shared gateway, A's (above) and A1's; not B's; and no settings.
    const forUser = await gateways(userA1);
    expect(names(forUser)).toEqual(['A gateway', 'A1 gateway', 'Simulator']);
    expect(forUser.every((g) => g.settings === undefined && g.callbackUrl === undefined)).toBe(true);
    expect((await get(`/api/gateways/${ofA.id}`, userA1)).status).toBe(200);
    expect((await get(`/api/gateways/${ofB.id}`, userA1)).status).toBe(404);
    expect(names(await senders(userA1))).toEqual(['Default']);

    // A's manager sees A's and A1's with settings, the shared one by name only, not B's.
    const forA = await gateways(managerA);
    expect(names(forA)).toEqual(['A gateway', 'A1 gateway', 'Simulator']);
    const byName = new Map(forA.map((g) => [g.name, g]));
    expect(byName.get('A1 gateway')?.callbackUrl).toBeDefined();
    expect(byName.get('Simulator')?.settings).toBeUndefined();
    expect(byName.get('Simulator')?.callbackUrl).toBeUndefined();
    expect(JSON.stringify(forA)).not.toContain(ofB.callbackUrl!);
    // A1's manager sees A's gateway by name only.
    const forA1 = new Map((await gateways(managerA1)).map((g) => [g.name, g]));
    expect(forA1.get('A gateway')?.settings).toBeUndefined();
    expect(forA1.get('A1 gateway')?.callbackUrl).toBe(ofA1.callbackUrl);

    // B's manager sees only the shared one and B's.
    expect(names(await gateways(managerB))).toEqual(['B gateway', 'Simulator']);
    expect(names(await senders(managerB))).toEqual(['B sender', 'Default']);

    // The system manager sees every gateway with its settings and callback URLs.
    const all = await gateways();
    expect(names(all)).toEqual(['A gateway', 'A1 gateway', 'B gateway', 'Simulator']);
    expect(all.every((g) => g.settings !== undefined && g.callbackUrl !== undefined)).toBe(true);
    expect(names(await senders())).toEqual(['B sender', 'Default']);
  });
});
