import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The bad inputs every endpoint must survive: each gets a precise problem+json error with a 4xx status,
 * and no domain table changes.
 */
describe.each(TEST_DIALECTS)('bad input on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  beforeEach(async () => {
    t = await createTestApp(dialect, { HERALD_BODY_LIMIT_BYTES: '4096' });
    admin = await t.setupAdmin();
  });
  afterEach(async () => t.close());

  async function expectProblem(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { code: string; status: number; detail: string; requestId: string };
    expect(body.code).toBe(code);
    expect(body.status).toBe(status);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    return body;
  }

  const validUnit = () => ({
    name: 'Branch North',
    parentId: admin.orgUnitId,
    defaultRegion: 'DE',
    timezone: 'Europe/Berlin',
  });

  async function postRaw(path: string, body: BodyInit, contentType = 'application/json') {
    return t.request(path, {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': contentType },
      body,
    });
  }

  it('malformed JSON → 400 request.malformed_json, nothing written', async () => {
    const before = await t.counts();
    await expectProblem(await postRaw('/api/org-units', '{"name": "x",'), 400, 'request.malformed_json');
    expect(await t.counts()).toEqual(before);
  });

  it('wrong types → 422 validation.failed naming each field', async () => {
    const before = await t.counts();
    const res = await t.request('/api/org-units', {
      method: 'POST',
      headers: admin.headers,
      json: {
        name: 42,
        parentId: admin.orgUnitId,
        defaultRegion: 'XX',
        timezone: 'Mars/Olympus',
        sendingEnabled: 'yes',
      },
    });
    const body = (await expectProblem(res, 422, 'validation.failed')) as unknown as {
      issues: { path: string[] }[];
    };
    expect(body.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'defaultRegion',
      'name',
      'sendingEnabled',
      'timezone',
    ]);
    expect(await t.counts()).toEqual(before);
  });

  it('unknown fields → 422 validation.failed', async () => {
    const before = await t.counts();
    const res = await t.request('/api/org-units', {
      method: 'POST',
      headers: admin.headers,
      json: { ...validUnit(), isAdmin: true },
    });
    const body = await expectProblem(res, 422, 'validation.failed');
    expect(body.detail).toContain('isAdmin');
    expect(await t.counts()).toEqual(before);
  });

  it('oversized body → 413 request.too_large', async () => {
    const before = await t.counts();
    const big = JSON.stringify({ ...validUnit(), name: 'x'.repeat(10_000) });
    await expectProblem(await postRaw('/api/org-units', big), 413, 'request.too_large');
    expect(await t.counts()).toEqual(before);
  });

  it('a body that is not JSON → 415', async () => {
    await expectProblem(
      await postRaw('/api/org-units', 'name=x', 'application/x-www-form-urlencoded'),
      415,
      'request.unsupported_media_type',
    );
  });

  it('invalid UTF-8 → 400 request.invalid_utf8', async () => {
    const before = await t.counts();
    const bytes = Buffer.concat([
      Buffer.from('{"name":"Caf'),
      Buffer.from([0xc3, 0x28]), // a broken two-byte sequence
      Buffer.from(`","parentId":"${admin.orgUnitId}","defaultRegion":"DE","timezone":"UTC"}`),
    ]);
    await expectProblem(await postRaw('/api/org-units', bytes), 400, 'request.invalid_utf8');
    expect(await t.counts()).toEqual(before);
  });

  it('a lone surrogate in a text → 400 request.invalid_text naming the field', async () => {
    const before = await t.counts();
    const raw = `{"name":"Branch \\ud800 North","parentId":"${admin.orgUnitId}","defaultRegion":"DE","timezone":"UTC"}`;
    const body = (await expectProblem(
      await postRaw('/api/org-units', raw),
      400,
      'request.invalid_text',
    )) as unknown as {
      issues: { path: string[] }[];
    };
    expect(body.issues[0]?.path).toEqual(['name']);
    expect(await t.counts()).toEqual(before);
  });

  it('a 10 kB search string → 422, not a slow query', async () => {
    const res = await t.request(`/api/users?q=${'a'.repeat(10_240)}`, { headers: admin.headers });
    const body = await expectProblem(res, 422, 'validation.failed');
    expect(body.detail).toContain('longer than 200');
  });

  it('SQL metacharacters in every text field are stored and found literally', async () => {
    const evil = `O'Brien"; DROP TABLE users;-- %_\\`;
    const unit = await t.request('/api/org-units', {
      method: 'POST',
      headers: admin.headers,
      json: { ...validUnit(), name: evil },
    });
    expect(unit.status).toBe(201);
    expect(((await unit.json()) as { name: string }).name).toBe(evil);
    const user = await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'x@example.com',
        name: evil,
        password: `${evil}${evil}`,
        roles: ['sms_user'],
        orgUnitIds: [admin.orgUnitId],
      },
    });
    expect(user.status).toBe(201);
    const key = await t.request('/api/api-keys', {
      method: 'POST',
      headers: admin.headers,
      json: { name: evil, permissions: ['messages.read'], orgUnitIds: [admin.orgUnitId] },
    });
    expect(key.status).toBe(201);
    // Searching with the metacharacters finds exactly the row that contains them; `%` and `_` are not wildcards.
    const found = await t.request(`/api/org-units?q=${encodeURIComponent('\'Brien"; DROP')}`, {
      headers: admin.headers,
    });
    expect(((await found.json()) as { items: { name: string }[] }).items.map((u) => u.name)).toEqual([evil]);
    const wildcard = await t.request(`/api/users?q=${encodeURIComponent('%')}`, { headers: admin.headers });
    expect(((await wildcard.json()) as { items: { name: string }[] }).items.map((u) => u.name)).toEqual([
      evil,
    ]);
    const c = await t.counts();
    expect(c.users).toBe(2);
  });

  it('a key in the query string is refused, even a valid one', async () => {
    const created = await t.request('/api/api-keys', {
      method: 'POST',
      headers: admin.headers,
      json: { name: 'crm', permissions: ['org_units.read'], orgUnitIds: [admin.orgUnitId] },
    });
    const { key } = (await created.json()) as { key: string };
    await expectProblem(await t.request(`/api/org-units?api_key=${key}`), 400, 'auth.key_in_query');
    await expectProblem(await t.request(`/api/org-units?x=${key}`), 400, 'auth.key_in_query');
    expect((await t.request('/api/org-units', { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      200,
    );
  });

  it('an expired key → 401 auth.key_expired; a revoked key → 401 auth.key_revoked; junk → auth.key_invalid', async () => {
    const mk = async (expiresAt: string | null) => {
      const r = await t.request('/api/api-keys', {
        method: 'POST',
        headers: admin.headers,
        json: { name: 'k', permissions: ['org_units.read'], orgUnitIds: [admin.orgUnitId], expiresAt },
      });
      return (await r.json()) as { key: string; id: string };
    };
    const expiring = await mk('2026-11-22T10:00:00Z');
    const revoked = await mk(null);
    expect(
      (await t.request('/api/org-units', { headers: { authorization: `Bearer ${expiring.key}` } })).status,
    ).toBe(200);
    t.clock.advance(2 * 3_600_000);
    const del = await t.request(`/api/api-keys/${revoked.id}`, { method: 'DELETE', headers: admin.headers });
    expect(del.status).toBe(200);
    const before = await t.counts();
    await expectProblem(
      await t.request('/api/org-units', {
        method: 'POST',
        headers: { authorization: `Bearer ${expiring.key}` },
        json: validUnit(),
      }),
      401,
      'auth.key_expired',
    );
    await expectProblem(
      await t.request('/api/org-units', { headers: { 'x-api-key': revoked.key } }),
      401,
      'auth.key_revoked',
    );
    await expectProblem(
      await t.request('/api/org-units', { headers: { authorization: 'Bearer hk_nope' } }),
      401,
      'auth.key_invalid',
    );
    expect(await t.counts()).toEqual(before);
  });

  it('a key for another org unit cannot see or act in this one', async () => {
    const other = await t.request('/api/org-units', {
      method: 'POST',
      headers: admin.headers,
      json: { ...validUnit(), name: 'Branch South' },
    });
    const south = (await other.json()) as { id: string };
    const north = (await (
      await t.request('/api/org-units', { method: 'POST', headers: admin.headers, json: validUnit() })
    ).json()) as { id: string };
    const created = await t.request('/api/api-keys', {
      method: 'POST',
      headers: admin.headers,
      json: {
        name: 'south crm',
        permissions: ['org_units.read', 'org_units.manage'],
        orgUnitIds: [south.id],
      },
    });
    const { key } = (await created.json()) as { key: string };
    const h = { authorization: `Bearer ${key}` };
    const list = (await (await t.request('/api/org-units', { headers: h })).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((u) => u.id)).toEqual([south.id]);
    await expectProblem(
      await t.request(`/api/org-units/${north.id}`, { headers: h }),
      404,
      'org_unit.not_found',
    );
    const before = await t.counts();
    await expectProblem(
      await t.request(`/api/org-units/${north.id}`, {
        method: 'PATCH',
        headers: h,
        json: { name: 'Hijacked' },
      }),
      404,
      'org_unit.not_found',
    );
    await expectProblem(
      await t.request('/api/org-units', {
        method: 'POST',
        headers: h,
        json: { ...validUnit(), name: 'Under North', parentId: north.id },
      }),
      422,
      'org_unit.invalid_parent',
    );
    expect(await t.counts()).toEqual(before);
  });

  it('a user without the permission → 403 auth.forbidden, audited, nothing written', async () => {
    await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'clerk@example.com',
        name: 'Clerk',
        password: 'twelve chars min',
        roles: ['sms_user'],
        orgUnitIds: [admin.orgUnitId],
      },
    });
    const clerk = await t.loginAs('clerk@example.com', 'twelve chars min');
    const h = { cookie: clerk.cookie, 'x-csrf-token': clerk['x-csrf-token'] };
    const before = await t.counts();
    const body = await expectProblem(
      await t.request('/api/org-units', { method: 'POST', headers: h, json: validUnit() }),
      403,
      'auth.forbidden',
    );
    expect(body.detail).toContain('org_units.manage');
    await expectProblem(
      await t.request('/api/users', {
        method: 'POST',
        headers: h,
        json: {
          email: 'y@example.com',
          name: 'Y',
          password: 'twelve chars min',
          roles: ['system_manager'],
          orgUnitIds: [],
        },
      }),
      403,
      'auth.forbidden',
    );
    expect(await t.counts()).toEqual(before);
    const events = await t.request('/api/security-events?type=permission_denied', { headers: admin.headers });
    const items = (
      (await events.json()) as { items: { actor: { id: string }; details: { permission: string } }[] }
    ).items;
    expect(items.map((e) => [e.actor.id, e.details.permission])).toEqual([
      [clerk.userId, 'users.manage'],
      [clerk.userId, 'org_units.manage'],
    ]);
  });

  it('no credentials → 401; a session without the CSRF header cannot write', async () => {
    await expectProblem(await t.request('/api/org-units'), 401, 'auth.unauthenticated');
    const before = await t.counts();
    await expectProblem(
      await t.request('/api/org-units', {
        method: 'POST',
        headers: { cookie: admin.headers.cookie },
        json: validUnit(),
      }),
      403,
      'auth.csrf_failed',
    );
    expect(await t.counts()).toEqual(before);
  });

  it('an unknown route → 404 problem', async () => {
    await expectProblem(await t.request('/api/nope', { headers: admin.headers }), 404, 'route.not_found');
  });

  it('a tampered cursor → 422, not a 500', async () => {
    await expectProblem(
      await t.request('/api/users?cursor=bm9wZQ', { headers: admin.headers }),
      422,
      'validation.failed',
    );
  });
});
