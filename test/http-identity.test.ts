import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { ADMIN, createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

describe.each(TEST_DIALECTS)('identity and org units on %s', (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(dialect);
  });
  afterEach(async () => t.close());

  const setupBody = {
    ...ADMIN,
    orgUnit: { name: 'Head Office', defaultRegion: 'DE', timezone: 'Europe/Berlin' },
  };

  it('asks for the first administrator once; a second setup is refused', async () => {
    expect(await (await t.request('/api/setup')).json()).toEqual({ needed: true });
    expect((await t.request('/api/setup', { method: 'POST', json: setupBody })).status).toBe(201);
    expect(await (await t.request('/api/setup')).json()).toEqual({ needed: false });
    const again = await t.request('/api/setup', {
      method: 'POST',
      json: { ...setupBody, email: 'evil@example.com' },
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as Json).code).toBe('setup.already_done');
    expect((await t.counts()).users).toBe(1);
  });

  it('two concurrent setups create exactly one administrator', async () => {
    const results = await Promise.all([
      t.request('/api/setup', { method: 'POST', json: setupBody }),
      t.request('/api/setup', { method: 'POST', json: { ...setupBody, email: 'second@example.com' } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await t.counts()).users).toBe(1);
  });

  it('logs in, reports who I am, logs out; the old cookie then stops working', async () => {
    const { session } = await t.setupAdmin();
    const me = (await (
      await t.request('/api/auth/me', { headers: { cookie: session.cookie } })
    ).json()) as Json;
    expect(me).toMatchObject({ kind: 'user', name: ADMIN.name, roles: ['system_manager'], orgUnits: 'all' });
    expect(me.permissions).toContain('users.manage');
    const out = await t.request('/api/auth/logout', {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session['x-csrf-token'] },
    });
    expect(out.status).toBe(204);
    expect((await t.request('/api/auth/me', { headers: { cookie: session.cookie } })).status).toBe(401);
  });

  it('a wrong password and an unknown email give the same answer, and both are audited', async () => {
    const { headers } = await t.setupAdmin();
    const wrong = await t.request('/api/auth/login', {
      method: 'POST',
      json: { email: ADMIN.email, password: 'nope nope nope' },
    });
    const unknown = await t.request('/api/auth/login', {
      method: 'POST',
      json: { email: 'who@example.com', password: 'x' },
    });
    const a = (await wrong.json()) as Json;
    const b = (await unknown.json()) as Json;
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect([a.code, a.detail]).toEqual([b.code, b.detail]);
    const ev = (await (await t.request('/api/security-events?type=login_failed', { headers })).json()) as {
      items: { details: Json }[];
    };
    expect(ev.items.map((e) => e.details.email)).toEqual(['who@example.com', ADMIN.email]);
    expect(JSON.stringify(ev.items)).not.toContain('nope nope nope');
  });

  it('sessions expire after the configured idle time', async () => {
    const { session } = await t.setupAdmin();
    t.clock.advance(11 * 3_600_000);
    expect((await t.request('/api/auth/me', { headers: { cookie: session.cookie } })).status).toBe(200);
    t.clock.advance(11 * 3_600_000); // activity above slid the expiry
    expect((await t.request('/api/auth/me', { headers: { cookie: session.cookie } })).status).toBe(200);
    t.clock.advance(13 * 3_600_000);
    expect((await t.request('/api/auth/me', { headers: { cookie: session.cookie } })).status).toBe(401);
  });

  it('a user sees only their org units and the units below them', async () => {
    const { orgUnitId: hq, headers } = await t.setupAdmin();
    const mk = async (name: string, parentId: string) =>
      (
        (await (
          await t.request('/api/org-units', {
            method: 'POST',
            headers,
            json: { name, parentId, defaultRegion: 'DE', timezone: 'Europe/Berlin' },
          })
        ).json()) as { id: string }
      ).id;
    const north = await mk('North', hq);
    const hamburg = await mk('Hamburg', north);
    const south = await mk('South', hq);
    const res = await t.request('/api/users', {
      method: 'POST',
      headers,
      json: {
        email: 'm@example.com',
        name: 'Manager North',
        password: 'twelve chars min',
        roles: ['sms_manager'],
        orgUnitIds: [north],
      },
    });
    expect(res.status).toBe(201);
    const m = await t.loginAs('m@example.com', 'twelve chars min');
    const units = (await (await t.request('/api/org-units', { headers: { cookie: m.cookie } })).json()) as {
      items: { id: string }[];
    };
    expect(units.items.map((u) => u.id).sort()).toEqual([hamburg, north].sort());
    expect((await t.request(`/api/org-units/${south}`, { headers: { cookie: m.cookie } })).status).toBe(404);
    // Users list: the manager sees colleagues of their units, not the admin of HQ only.
    const users = (await (await t.request('/api/users', { headers: { cookie: m.cookie } })).json()) as {
      items: { email: string }[];
    };
    expect(users.items.map((u) => u.email)).toEqual(['m@example.com']);
  });

  it('an org unit cannot be moved below itself', async () => {
    const { orgUnitId: hq, headers } = await t.setupAdmin();
    const a = (await (
      await t.request('/api/org-units', {
        method: 'POST',
        headers,
        json: { name: 'A', parentId: hq, defaultRegion: 'DE', timezone: 'UTC' },
      })
    ).json()) as { id: string };
    const b = (await (
      await t.request('/api/org-units', {
        method: 'POST',
        headers,
        json: { name: 'B', parentId: a.id, defaultRegion: 'DE', timezone: 'UTC' },
      })
    ).json()) as { id: string };
    const res = await t.request(`/api/org-units/${a.id}`, {
      method: 'PATCH',
      headers,
      json: { parentId: b.id },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).code).toBe('org_unit.invalid_parent');
    const ok = await t.request(`/api/org-units/${b.id}`, {
      method: 'PATCH',
      headers,
      json: { parentId: hq, sendingEnabled: false },
    });
    expect(await ok.json()).toMatchObject({ parentId: hq, sendingEnabled: false });
  });

  it('duplicate sibling names are refused with org_unit.name_taken', async () => {
    const { orgUnitId: hq, headers } = await t.setupAdmin();
    const body = { name: 'Sales', parentId: hq, defaultRegion: 'DE', timezone: 'UTC' };
    expect((await t.request('/api/org-units', { method: 'POST', headers, json: body })).status).toBe(201);
    const dup = await t.request('/api/org-units', {
      method: 'POST',
      headers,
      json: { ...body, name: 'sales' },
    });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as Json).code).toBe('org_unit.name_taken');
  });

  it('an API key is shown once, stored hashed, and cannot exceed its creator', async () => {
    const { orgUnitId: hq, headers } = await t.setupAdmin();
    await t.request('/api/users', {
      method: 'POST',
      headers,
      json: {
        email: 'u@example.com',
        name: 'User',
        password: 'twelve chars min',
        roles: ['sms_manager'],
        orgUnitIds: [hq],
      },
    });
    const u = await t.loginAs('u@example.com', 'twelve chars min');
    const uh = { cookie: u.cookie, 'x-csrf-token': u['x-csrf-token'] };
    const tooStrong = await t.request('/api/api-keys', {
      method: 'POST',
      headers: uh,
      json: { name: 'k', permissions: ['users.manage'], orgUnitIds: [hq] },
    });
    expect(tooStrong.status).toBe(403);
    expect(((await tooStrong.json()) as Json).code).toBe('api_key.exceeds_creator');
    const created = await t.request('/api/api-keys', {
      method: 'POST',
      headers: uh,
      json: { name: 'crm', permissions: ['org_units.read', 'messages.send'], orgUnitIds: [hq] },
    });
    expect(created.status).toBe(201);
    const k = (await created.json()) as { key: string; prefix: string; id: string };
    expect(k.key).toMatch(/^hk_[A-Za-z0-9_-]{43}$/);
    expect(k.key.startsWith(k.prefix)).toBe(true);
    const row = await t.db.kysely
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', k.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(k.key);
    const list = await (await t.request('/api/api-keys', { headers: uh })).json();
    expect(JSON.stringify(list)).not.toContain(k.key);
    // The key acts with at most the creator's rights, and loses them when the creator is deactivated.
    const me = (await (
      await t.request('/api/auth/me', { headers: { authorization: `Bearer ${k.key}` } })
    ).json()) as Json;
    expect(me.permissions).toEqual(['messages.send', 'org_units.read']);
    await t.request(`/api/users/${u.userId}`, { method: 'PATCH', headers, json: { active: false } });
    const after = await t.request('/api/auth/me', { headers: { authorization: `Bearer ${k.key}` } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as Json).code).toBe('auth.key_revoked');
  });

  it('records key creation and revocation in the security log, without the secret', async () => {
    const { orgUnitId: hq, headers } = await t.setupAdmin();
    const k = (await (
      await t.request('/api/api-keys', {
        method: 'POST',
        headers,
        json: { name: 'k', permissions: ['log.read'], orgUnitIds: [hq] },
      })
    ).json()) as { key: string; id: string };
    await t.request(`/api/api-keys/${k.id}`, { method: 'DELETE', headers });
    const ev = (await (await t.request('/api/security-events', { headers })).json()) as {
      items: { type: string; target: string | null }[];
    };
    expect(ev.items.map((e) => e.type)).toEqual([
      'api_key_revoked',
      'api_key_created',
      'login',
      'setup_completed',
    ]);
    expect(ev.items[0]?.target).toBe(`api_key:${k.id}`);
    expect(JSON.stringify(ev)).not.toContain(k.key);
  });

  it('paginates users with a keyset cursor', async () => {
    const { orgUnitId: hq, headers } = await t.setupAdmin();
    for (const n of ['b', 'c', 'd']) {
      await t.request('/api/users', {
        method: 'POST',
        headers,
        json: {
          email: `${n}@example.com`,
          name: n,
          password: 'twelve chars min',
          roles: ['auditor'],
          orgUnitIds: [hq],
        },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = (await (
        await t.request(`/api/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { headers })
      ).json()) as { items: { email: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((u) => u.email));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['admin@example.com', 'b@example.com', 'c@example.com', 'd@example.com']);
  });
});
