import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

describe.each(TEST_DIALECTS)('consent on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
  });
  afterEach(async () => t.close());

  const record = (body: Json, headers = admin.headers) =>
    t.request('/api/consent', { method: 'POST', headers, json: body });

  it('records opt-in then opt-out; the state follows the newest event and the history keeps both', async () => {
    const a = await record({
      phone: '0151 23456789',
      orgUnitId: admin.orgUnitId,
      state: 'opted_in',
      textVersion: 'mkt-2026-01',
    });
    expect(a.status).toBe(201);
    expect(((await a.json()) as Json).e164).toBe('+4915123456789');
    t.clock.advance(60_000);
    expect(
      (
        await record({
          phone: '+49 151 23456789',
          state: 'opted_out',
          evidence: { note: 'called the hotline' },
        })
      ).status,
    ).toBe(201);
    const read = (await (
      await t.request('/api/consent/+4915123456789', { headers: admin.headers })
    ).json()) as {
      state: string;
      history: { state: string; source: string; textVersion: string | null; evidence: Json; actor: Json }[];
    };
    expect(read.state).toBe('opted_out');
    expect(read.history.map((h) => h.state)).toEqual(['opted_out', 'opted_in']);
    expect(read.history[1]).toMatchObject({
      source: 'ui',
      textVersion: 'mkt-2026-01',
      actor: { type: 'user', id: admin.session.userId },
    });
    expect(read.history[0]?.evidence.note).toBe('called the hotline');
  });

  it('an unknown number reads as unknown with an empty history', async () => {
    const read = (await (
      await t.request('/api/consent/+4915123456789', { headers: admin.headers })
    ).json()) as Json;
    expect(read).toEqual({ e164: '+4915123456789', state: 'unknown', history: [] });
  });

  it('refuses an invalid or junk-suffixed number and writes nothing', async () => {
    for (const phone of ['12', '+49 151 23456789; DROP TABLE consent_events', 'abc']) {
      const res = await record({ phone, state: 'opted_in' });
      expect(res.status).toBe(422);
      expect(((await res.json()) as Json).code).toBe('consent.invalid_phone');
    }
    const n = await t.db.kysely
      .selectFrom('consent_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('offers no way to edit or delete an event', async () => {
    await record({ phone: '+4915123456789', state: 'opted_in' });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await t.request('/api/consent/+4915123456789', {
        method,
        headers: admin.headers,
        json: { state: 'unknown' },
      });
      expect(res.status).toBe(404);
    }
    const read = (await (
      await t.request('/api/consent/+4915123456789', { headers: admin.headers })
    ).json()) as Json;
    expect(read.state).toBe('opted_in');
  });

  it('an API key records consent with source api; an auditor may read but not record', async () => {
    const key = (await (
      await t.request('/api/api-keys', {
        method: 'POST',
        headers: admin.headers,
        json: { name: 'crm', permissions: ['consent.manage'], orgUnitIds: [admin.orgUnitId] },
      })
    ).json()) as { key: string };
    const res = await t.request('/api/consent', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}` },
      json: { phone: '+4915123456789', state: 'opted_in' },
    });
    expect(((await res.json()) as { event: Json }).event.source).toBe('api');
    await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'aud@example.com',
        name: 'Aud',
        password: 'twelve chars min',
        roles: ['auditor'],
        orgUnitIds: [admin.orgUnitId],
      },
    });
    const aud = await t.loginAs('aud@example.com', 'twelve chars min');
    const h = { cookie: aud.cookie, 'x-csrf-token': aud['x-csrf-token'] };
    expect((await t.request('/api/consent/+4915123456789', { headers: h })).status).toBe(200);
    expect((await record({ phone: '+4915123456789', state: 'opted_out' }, h)).status).toBe(403);
  });
});
