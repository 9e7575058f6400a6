import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { PRINCIPAL_CACHE_MS } from '../src/modules/auth/auth.principal-cache.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

/**
 * API-key principals are reused for a few seconds (every API request needs one). A change made through
 * this process takes effect at once; one made elsewhere (another API node, the CLI, the database)
 * within PRINCIPAL_CACHE_MS.
 */
describe.each(TEST_DIALECTS)('cached API-key principals on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
  });
  afterEach(async () => t.close());

  const clock = () => t.clock;

  async function newKey(json: Json = {}) {
    const res = await t.request('/api/api-keys', {
      method: 'POST',
      headers: admin.headers,
      json: { name: 'crm', permissions: ['org_units.read'], orgUnitIds: [admin.orgUnitId], ...json },
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { key: string; id: string };
  }
  const me = (key: string) => t.request('/api/auth/me', { headers: { authorization: `Bearer ${key}` } });
  async function refusedWith(res: Response, code: string) {
    expect({ status: res.status, code: ((await res.json()) as Json).code }).toEqual({ status: 401, code });
  }

  it('a key revoked through the API stops working at once, even with its principal cached', async () => {
    const k = await newKey();
    expect((await me(k.key)).status).toBe(200);
    expect((await me(k.key)).status).toBe(200);
    const revoked = await t.request(`/api/api-keys/${k.id}`, { method: 'DELETE', headers: admin.headers });
    expect(revoked.status).toBeLessThan(300);
    await refusedWith(await me(k.key), 'auth.key_revoked');
  });

  it('a key revoked by another process stops working within PRINCIPAL_CACHE_MS', async () => {
    const k = await newKey();
    expect((await me(k.key)).status).toBe(200);
    // Another process (a second API node, a database edit) revokes it: this process does not hear of it.
    await t.db.kysely
      .updateTable('api_keys')
      .set({ revoked_at: '2026-11-22T09:00:00.000Z' })
      .where('id', '=', k.id)
      .execute();
    clock().advance(PRINCIPAL_CACHE_MS - 1);
    expect((await me(k.key)).status).toBe(200);
    clock().advance(1);
    await refusedWith(await me(k.key), 'auth.key_revoked');
  });

  it('the key of a creator deactivated through the API stops working at once', async () => {
    await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'u@example.com',
        name: 'User',
        password: 'twelve chars min',
        roles: ['sms_manager'],
        orgUnitIds: [admin.orgUnitId],
      },
    });
    const u = await t.loginAs('u@example.com', 'twelve chars min');
    const res = await t.request('/api/api-keys', {
      method: 'POST',
      headers: { cookie: u.cookie, 'x-csrf-token': u['x-csrf-token'] },
      json: { name: 'crm', permissions: ['org_units.read'], orgUnitIds: [admin.orgUnitId] },
    });
    const k = (await res.json()) as { key: string };
    expect((await me(k.key)).status).toBe(200);
    await t.request(`/api/users/${u.userId}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { active: false },
    });
    await refusedWith(await me(k.key), 'auth.key_revoked');
  });

  it('a cached key still expires on its own expiry time', async () => {
    const k = await newKey({ expiresAt: '2026-11-22T09:00:01.000Z' });
    expect((await me(k.key)).status).toBe(200);
    clock().advance(1_000);
    await refusedWith(await me(k.key), 'auth.key_expired');
  });

  it('a key never seen before, or a wrong one, is checked against the database', async () => {
    const k = await newKey();
    const wrong = `${k.key.slice(0, -1)}${k.key.endsWith('A') ? 'B' : 'A'}`;
    await refusedWith(await me(wrong), 'auth.key_invalid');
    expect((await me(k.key)).status).toBe(200);
  });
});
