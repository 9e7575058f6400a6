import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { MessageStats } from '../src/modules/stats/stats.usecases.js';
import { ensureRoute } from './helpers/sms-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

let seq = 0;

/** Writes one message row as the worker would have left it. */
async function insertMessage(
  t: TestApp,
  m: { orgUnitId: string; gatewayId: string | null; status: string; createdAt: string; parts?: number },
) {
  seq++;
  await t.db.kysely
    .insertInto('messages')
    .values({
      id: `msg-stats-${seq}`,
      org_unit_id: m.orgUnitId,
      batch_id: null,
      contact_id: null,
      phone_id: null,
      to_input: `+49151000${String(seq).padStart(5, '0')}`,
      to_e164: `+49151000${String(seq).padStart(5, '0')}`,
      body: 'Hello',
      encoding: 'GSM-7',
      parts: m.parts ?? 1,
      characters: 5,
      category: 'transactional',
      status: m.status,
      status_reason: m.status === 'blocked' ? 'no_consent' : null,
      sender_config_id: null,
      provider_account_id: m.gatewayId,
      sender_id: null,
      gateway_message_id: null,
      attempts: 0,
      scheduled_at: null,
      due_at: null,
      expires_at: '2026-12-31T00:00:00.000Z',
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
      created_by_id: 'u',
      created_at: m.createdAt,
      updated_at: m.createdAt,
      submitted_at: null,
      final_at: null,
    })
    .execute();
}

describe.each(TEST_DIALECTS)('GET /api/stats/messages (%s)', (dialect) => {
  let t: TestApp;
  let headers: Record<string, string>;
  let head: string;
  let branch: string;
  let priced: string;
  let unpriced: string;

  const stats = async (query: string, h = headers) => {
    const res = await t.request(`/api/stats/messages?${query}`, { headers: h });
    return { status: res.status, body: (await res.json()) as MessageStats & { code?: string } };
  };

  beforeEach(async () => {
    t = await createTestApp(dialect);
    const admin = await t.setupAdmin();
    headers = admin.headers;
    head = admin.orgUnitId;
    const res = await t.request('/api/org-units', {
      method: 'POST',
      headers,
      json: { name: 'Branch', parentId: null, defaultRegion: 'DE', timezone: 'Europe/Berlin' },
    });
    branch = ((await res.json()) as { id: string }).id;
    priced = (await ensureRoute(t.db, head, { pricePerPart: 7, currency: 'EUR' })).providerAccountId;
    unpriced = (await ensureRoute(t.db, branch)).providerAccountId;

    // Head office, priced gateway: Nov 20 — 2 delivered (1 and 2 parts), 1 undelivered, 1 blocked;
    // Nov 21 — 1 delivered (3 parts), 1 failed, 1 queued. Branch, unpriced gateway: Nov 21 — 1 delivered.
    const m = (orgUnitId: string, gatewayId: string | null, status: string, createdAt: string, parts = 1) =>
      insertMessage(t, { orgUnitId, gatewayId, status, createdAt, parts });
    await m(head, priced, 'delivered', '2026-11-20T08:00:00.000Z');
    await m(head, priced, 'delivered', '2026-11-20T09:00:00.000Z', 2);
    await m(head, priced, 'undelivered', '2026-11-20T10:00:00.000Z');
    await m(head, null, 'blocked', '2026-11-20T11:00:00.000Z');
    await m(head, priced, 'delivered', '2026-11-21T08:00:00.000Z', 3);
    await m(head, priced, 'failed', '2026-11-21T09:00:00.000Z');
    await m(head, priced, 'queued', '2026-11-21T23:30:00.000Z');
    await m(branch, unpriced, 'delivered', '2026-11-21T12:00:00.000Z');
    // Outside the period: not counted.
    await m(head, priced, 'delivered', '2026-11-18T12:00:00.000Z');
    await m(head, priced, 'delivered', '2026-11-23T00:00:00.000Z');
  });
  afterEach(async () => {
    await t.close();
  });

  it('counts per day and status, with delivery rate, parts used and cost; days without messages are listed', async () => {
    const { status, body } = await stats('from=2026-11-19T00:00:00Z&to=2026-11-23T00:00:00Z');
    expect(status).toBe(200);
    expect(body.totals).toEqual({
      messages: 8,
      delivered: 4,
      notDelivered: 2,
      blocked: 1,
      pending: 1,
      deliveryRate: 4 / 6,
      // delivered 1+2+3+1 and undelivered 1; failed, queued and blocked used no parts of a gateway.
      partsUsed: 8,
      // 7 parts through the priced gateway at 7 cents each; the branch's gateway has no price.
      cost: [{ currency: 'EUR', amount: 49 }],
    });
    expect(body.days.map((d) => [d.day, d.messages])).toEqual([
      ['2026-11-19', 0],
      ['2026-11-20', 4],
      ['2026-11-21', 4],
      ['2026-11-22', 0],
    ]);
    expect(body.days[1]!.byStatus).toEqual({ delivered: 2, undelivered: 1, blocked: 1 });
    expect(body.days[2]!.byStatus).toEqual({ delivered: 2, failed: 1, queued: 1 });
    expect(body.days[1]!.deliveryRate).toBeCloseTo(2 / 3);

    const units = Object.fromEntries(body.orgUnits.map((u) => [u.orgUnitId, u]));
    expect(units[head]).toMatchObject({ messages: 7, delivered: 3, partsUsed: 7 });
    expect(units[branch]).toMatchObject({ messages: 1, delivered: 1, deliveryRate: 1, cost: [] });
    const gateways = Object.fromEntries(body.gateways.map((g) => [String(g.gatewayId), g]));
    expect(gateways[priced]).toMatchObject({
      messages: 6,
      partsUsed: 7,
      cost: [{ currency: 'EUR', amount: 49 }],
    });
    expect(gateways[priced]!.name).toBe('Simulator');
    expect(gateways.null).toMatchObject({ messages: 1, blocked: 1, name: null });
  });

  it('counts days in the viewer’s time zone when given its UTC offset', async () => {
    // At UTC+1 the queued message of 23:30 UTC on Nov 21 belongs to Nov 22.
    const { body } = await stats('from=2026-11-19T23:00:00Z&to=2026-11-22T23:00:00Z&tzOffsetMinutes=60');
    expect(body.days.map((d) => [d.day, d.messages])).toEqual([
      ['2026-11-20', 4],
      ['2026-11-21', 3],
      ['2026-11-22', 1],
    ]);
    expect(body.days[2]!.byStatus).toEqual({ queued: 1 });
  });

  it('filters by org unit and by gateway', async () => {
    const byUnit = await stats(`from=2026-11-19T00:00:00Z&to=2026-11-23T00:00:00Z&orgUnitId=${branch}`);
    expect(byUnit.body.totals.messages).toBe(1);
    expect(byUnit.body.orgUnits.map((u) => u.orgUnitId)).toEqual([branch]);
    const byGateway = await stats(`from=2026-11-19T00:00:00Z&to=2026-11-23T00:00:00Z&gatewayId=${priced}`);
    expect(byGateway.body.totals).toMatchObject({ messages: 6, delivered: 3, notDelivered: 2, pending: 1 });
  });

  it('counts only the caller’s org units; another unit named explicitly is refused', async () => {
    await t.request('/api/users', {
      method: 'POST',
      headers,
      json: {
        name: 'Bob Branch',
        email: 'bob@example.com',
        password: 'another long password',
        orgUnitIds: [branch],
        roles: ['sms_user'],
      },
    });
    const bob = await t.loginAs('bob@example.com', 'another long password');
    const bobHeaders = { cookie: bob.cookie };
    const own = await stats('from=2026-11-19T00:00:00Z&to=2026-11-23T00:00:00Z', bobHeaders);
    expect(own.status).toBe(200);
    expect(own.body.totals.messages).toBe(1);
    expect(own.body.orgUnits.map((u) => u.orgUnitId)).toEqual([branch]);
    const other = await stats(
      `from=2026-11-19T00:00:00Z&to=2026-11-23T00:00:00Z&orgUnitId=${head}`,
      bobHeaders,
    );
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('auth.org_unit_forbidden');
  });

  it('refuses a period that ends before it starts, or is too long, or has no dates', async () => {
    const backwards = await stats('from=2026-11-22T00:00:00Z&to=2026-11-20T00:00:00Z');
    expect(backwards.status).toBe(422);
    expect(backwards.body.code).toBe('validation.failed');
    const long = await stats('from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(long.status).toBe(422);
    const missing = await stats('from=yesterday');
    expect(missing.status).toBe(422);
    const anonymous = await t.request(
      '/api/stats/messages?from=2026-11-19T00:00:00Z&to=2026-11-23T00:00:00Z',
    );
    expect(anonymous.status).toBe(401);
  });
});

describe('GET /api/gateway-kinds', () => {
  it('describes every kind’s settings with its secret fields, for gateway managers only', async () => {
    const t = await createTestApp('sqlite');
    try {
      const { headers } = await t.setupAdmin();
      const res = await t.request('/api/gateway-kinds', { headers });
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as {
        items: {
          kind: string;
          secretFields: string[];
          settingsSchema: { properties: Record<string, unknown>; required?: string[] };
        }[];
      };
      expect(items.map((k) => k.kind).sort()).toEqual([
        'http',
        'kannel',
        'simulator',
        'smpp',
        'twilio',
        'vonage',
      ]);
      const twilio = items.find((k) => k.kind === 'twilio')!;
      expect(twilio.secretFields).toEqual(['authToken']);
      expect(twilio.settingsSchema.required).toEqual(['accountSid', 'authToken']);
      expect(Object.keys(twilio.settingsSchema.properties)).toContain('timeoutMs');
      expect(items.find((k) => k.kind === 'simulator')!.settingsSchema.properties).toHaveProperty(
        'deliveryRate',
      );
    } finally {
      await t.close();
    }
  });
});
