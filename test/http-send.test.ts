import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { ensureRoute, insertContact } from './helpers/sms-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

describe.each(TEST_DIALECTS)('SMS Center send path on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let unit: string;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
    unit = admin.orgUnitId;
    await ensureRoute(t.db, unit);
  });
  afterEach(async () => t.close());

  const post = (path: string, json: unknown, headers: Record<string, string> = admin.headers) =>
    t.request(path, { method: 'POST', headers, json });
  const messages = () =>
    t.db.kysely.selectFrom('messages').selectAll().orderBy('created_at').orderBy('id').execute();
  const countRows = async () => ({
    batches: (await t.db.kysely.selectFrom('batches').select('id').execute()).length,
    messages: (await messages()).length,
  });

  async function problem(res: Response, status: number, code: string) {
    const body = (await res.json()) as Json;
    expect({ status: res.status, code: body.code }).toEqual({ status, code });
    return body;
  }

  describe('counter', () => {
    it('reports characters, parts, units left and the characters that force UCS-2', async () => {
      const gsm = (await (await post('/api/messages/count', { text: 'a'.repeat(161) })).json()) as Json;
      expect(gsm).toMatchObject({
        encoding: 'GSM-7',
        characters: 161,
        parts: 2,
        unitsLeftInPart: 153 * 2 - 161,
      });
      const ucs = (await (
        await post('/api/messages/count', { text: 'Grüße 👍 from Жenya', orgUnitId: unit })
      ).json()) as Json;
      expect(ucs).toMatchObject({
        encoding: 'UCS-2',
        parts: 1,
        ucs2Characters: ['👍', 'Ж'],
        maxLength: 1000,
        tooLong: false,
      });
    });

    it('estimates the cost from the route price and flags texts over the unit limit', async () => {
      await ensureRoute(t.db, unit, { pricePerPart: 7, currency: 'EUR', maxParts: 2 });
      await t.request(`/api/org-units/${unit}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { maxTextLength: 300 },
      });
      const r = (await (
        await post('/api/messages/count', { text: 'x'.repeat(400), orgUnitId: unit })
      ).json()) as Json;
      expect(r).toMatchObject({
        parts: 3,
        estimatedCost: { amount: 21, currency: 'EUR' },
        tooLong: true,
        tooManyParts: true,
        maxParts: 2,
      });
    });
  });

  describe('POST /api/messages', () => {
    it("queues one message to a number written in the unit's national format", async () => {
      const res = await post('/api/messages', {
        orgUnitId: unit,
        to: '0151 23456789',
        text: 'Your order\r\nhas shipped',
      });
      expect(res.status).toBe(201);
      const m = (await res.json()) as Json;
      expect(m).toMatchObject({
        to: '+4915123456789',
        status: 'queued',
        body: 'Your order\nhas shipped',
        parts: 1,
        encoding: 'GSM-7',
      });
      const rows = await messages();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        status: 'queued',
        to_input: '0151 23456789',
        due_at: '2026-11-22T09:00:00.000Z',
        expires_at: '2026-11-24T09:00:00.000Z',
      });
      const batch = await t.db.kysely.selectFrom('batches').selectAll().executeTakeFirstOrThrow();
      expect(batch).toMatchObject({
        requested_count: 1,
        sender_name: 'Ada Admin',
        message: 'Your order\r\nhas shipped',
      });
    });

    it('refuses invalid, short, long, junk-suffixed and foreign national numbers; nothing is written', async () => {
      for (const to of [
        '12',
        '+49 151 234567890123456',
        '+49 151 23456789; DROP TABLE messages',
        'call me',
        '1 212 555 0123',
      ]) {
        const res = await post('/api/messages', { orgUnitId: unit, to, text: 'Hello' });
        await problem(res, 422, 'message.invalid_recipient');
      }
      expect(await countRows()).toEqual({ batches: 0, messages: 0 });
    });

    it("refuses empty, whitespace-only and over-long texts, and texts over the route's parts", async () => {
      await problem(
        await post('/api/messages', { orgUnitId: unit, to: '+4915123456789', text: '' }),
        422,
        'message.empty_text',
      );
      await problem(
        await post('/api/messages', { orgUnitId: unit, to: '+4915123456789', text: ' \n\t ' }),
        422,
        'message.empty_text',
      );
      const long = await problem(
        await post('/api/messages', { orgUnitId: unit, to: '+4915123456789', text: 'x'.repeat(1001) }),
        422,
        'message.too_long',
      );
      expect(long).toMatchObject({ maxLength: 1000, length: 1001 });
      await ensureRoute(t.db, unit, { maxParts: 2 });
      const parts = await problem(
        await post('/api/messages', { orgUnitId: unit, to: '+4915123456789', text: 'y'.repeat(400) }),
        422,
        'message.too_many_parts',
      );
      expect(parts).toMatchObject({ maxParts: 2, parts: 3 });
      expect(await countRows()).toEqual({ batches: 0, messages: 0 });
    });

    it('refuses a lone surrogate in the text', async () => {
      const raw = `{"orgUnitId":"${unit}","to":"+4915123456789","text":"Hi \\udc00"}`;
      const res = await t.request('/api/messages', {
        method: 'POST',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        body: raw,
      });
      await problem(res, 400, 'request.invalid_text');
    });

    it('refuses unknown template variables and template code', async () => {
      const a = await problem(
        await post('/api/messages', {
          orgUnitId: unit,
          to: '+4915123456789',
          text: 'Hi {{contact.nickname}}',
        }),
        422,
        'template.invalid',
      );
      expect(a.variables).toEqual(['contact.nickname']);
      await problem(
        await post('/api/messages', {
          orgUnitId: unit,
          to: '+4915123456789',
          text: '{{#each contact}}x{{/each}}',
        }),
        422,
        'template.invalid',
      );
      expect(await countRows()).toEqual({ batches: 0, messages: 0 });
    });

    it('schedules in the future; refuses the past and beyond the horizon', async () => {
      const ok = await post('/api/messages', {
        orgUnitId: unit,
        to: '+4915123456789',
        text: 'Later',
        scheduledAt: '2026-11-23T08:00:00+01:00',
      });
      expect(await ok.json()).toMatchObject({
        status: 'scheduled',
        scheduledAt: '2026-11-23T07:00:00.000Z',
        expiresAt: '2026-11-25T07:00:00.000Z',
      });
      await problem(
        await post('/api/messages', {
          orgUnitId: unit,
          to: '+4915123456789',
          text: 'x',
          scheduledAt: '2026-11-21T09:00:00Z',
        }),
        422,
        'message.invalid_schedule',
      );
      await problem(
        await post('/api/messages', {
          orgUnitId: unit,
          to: '+4915123456789',
          text: 'x',
          scheduledAt: '2028-01-01T00:00:00Z',
        }),
        422,
        'message.invalid_schedule',
      );
      expect((await countRows()).messages).toBe(1);
    });

    it("renders a contact's variables and the business document, and keeps the reference", async () => {
      const c = await insertContact(t.db, {
        orgUnitId: unit,
        name: 'Anna Schmidt',
        firstName: 'Anna',
        e164: '+4915100000001',
        attributes: { tier: 'gold' },
      });
      const res = await post('/api/messages', {
        contactId: c.id,
        text: 'Hi {{contact.first_name}} ({{contact.attributes.tier}}), invoice {{document.number}} is due. {{contact.name}}',
        document: { number: 'INV-0042' },
        reference: { type: 'invoice', id: 'INV-0042' },
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).body).toBe('Hi Anna (gold), invoice INV-0042 is due. Anna Schmidt');
      expect((await messages())[0]).toMatchObject({
        contact_id: c.id,
        reference_type: 'invoice',
        reference_id: 'INV-0042',
        to_e164: '+4915100000001',
      });
    });

    it('a value that looks like a template is inserted literally', async () => {
      const c = await insertContact(t.db, {
        orgUnitId: unit,
        name: '{{sender.name}}',
        firstName: '{{sender.name}}',
        e164: '+4915100000002',
      });
      const res = await post('/api/messages', { contactId: c.id, text: 'Hi {{contact.first_name}}' });
      expect(((await res.json()) as Json).body).toBe('Hi {{sender.name}}');
    });

    it('cannot address a contact of another org unit', async () => {
      const other = (await (
        await post('/api/org-units', { name: 'Other', parentId: unit, defaultRegion: 'DE', timezone: 'UTC' })
      ).json()) as { id: string };
      const c = await insertContact(t.db, { orgUnitId: other.id, name: 'Elsewhere', e164: '+4915100000003' });
      await post('/api/users', {
        email: 'u@example.com',
        name: 'User',
        password: 'twelve chars min',
        roles: ['sms_user'],
        orgUnitIds: [unit],
      });
      // Scope is the unit and its descendants: move the contact's unit under a new root the user cannot see.
      const root = (await (
        await post('/api/org-units', { name: 'Far', parentId: null, defaultRegion: 'DE', timezone: 'UTC' })
      ).json()) as { id: string };
      await t.request(`/api/org-units/${other.id}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { parentId: root.id },
      });
      const u = await t.loginAs('u@example.com', 'twelve chars min');
      const h = { cookie: u.cookie, 'x-csrf-token': u['x-csrf-token'] };
      await problem(
        await post('/api/messages', { contactId: c.id, text: 'Hi' }, h),
        404,
        'contact.not_found',
      );
      await problem(
        await post('/api/messages', { orgUnitId: root.id, to: '+4915123456789', text: 'Hi' }, h),
        404,
        'org_unit.not_found',
      );
      expect(await countRows()).toEqual({ batches: 0, messages: 0 });
    });

    it('blocks by policy and says why: opted out, no consent for marketing, sending disabled, no sender', async () => {
      await post('/api/consent', { phone: '+4915100000010', state: 'opted_out' });
      const optedOut = (await (
        await post('/api/messages', { orgUnitId: unit, to: '+4915100000010', text: 'Receipt' })
      ).json()) as Json;
      expect(optedOut).toMatchObject({ status: 'blocked', statusReason: 'opted_out' });
      const marketing = (await (
        await post('/api/messages', {
          orgUnitId: unit,
          to: '+4915100000011',
          text: 'Sale!',
          category: 'marketing',
        })
      ).json()) as Json;
      expect(marketing).toMatchObject({ status: 'blocked', statusReason: 'no_consent' });
      await t.request(`/api/org-units/${unit}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { sendingEnabled: false },
      });
      expect(
        await (await post('/api/messages', { orgUnitId: unit, to: '+4915100000012', text: 'x' })).json(),
      ).toMatchObject({ statusReason: 'sending_disabled' });
      await t.request(`/api/org-units/${unit}`, {
        method: 'PATCH',
        headers: admin.headers,
        json: { sendingEnabled: true },
      });
      await t.db.kysely
        .updateTable('org_units')
        .set({ sender_config_id: null })
        .where('id', '=', unit)
        .execute();
      expect(
        await (await post('/api/messages', { orgUnitId: unit, to: '+4915100000013', text: 'x' })).json(),
      ).toMatchObject({ statusReason: 'sender_not_configured' });
      const rows = await messages();
      expect(rows.map((r) => [r.status, r.status_reason, r.final_at !== null])).toEqual([
        ['blocked', 'opted_out', true],
        ['blocked', 'no_consent', true],
        ['blocked', 'sending_disabled', true],
        ['blocked', 'sender_not_configured', true],
      ]);
    });
  });

  describe('POST /api/batches and the receiver list', () => {
    async function seedContacts() {
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'A Customer',
        kind: 'customer_contact',
        party: 'ACME',
        e164: '+4915100000101',
      });
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'B Customer',
        kind: 'customer_contact',
        party: 'Other GmbH',
        e164: '+4915100000102',
      });
      await insertContact(t.db, { orgUnitId: unit, name: 'C No Phone', kind: 'customer_contact' });
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'D Bad Phone',
        kind: 'customer_contact',
        e164: null,
        original: '12345',
      });
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'E Duplicate',
        kind: 'customer_contact',
        e164: '+4915100000101',
      });
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'F Supplier',
        kind: 'supplier_contact',
        e164: '+4915100000103',
      });
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'G Lead open',
        kind: 'lead',
        status: 'open',
        e164: '+4915100000104',
      });
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'H Lead lost',
        kind: 'lead',
        status: 'lost',
        e164: '+4915100000105',
      });
      await insertContact(t.db, {
        orgUnitId: unit,
        name: 'I Employee',
        kind: 'employee',
        status: 'active',
        department: 'Sales',
        e164: '+4915100000106',
      });
    }

    it('creates a receiver list with eligibility and totals, and writes nothing', async () => {
      await seedContacts();
      await post('/api/consent', { phone: '+4915100000102', state: 'opted_out' });
      const res = await post('/api/batches/receivers', {
        orgUnitId: unit,
        recipients: { group: 'all_customer_contacts' },
      });
      const list = (await res.json()) as { totals: Json; items: { name: string; eligibility: string }[] };
      expect(list.items.map((i) => [i.name, i.eligibility])).toEqual([
        ['A Customer', 'ok'],
        ['B Customer', 'opted_out'],
        ['C No Phone', 'no_phone'],
        ['D Bad Phone', 'invalid_phone'],
        ['E Duplicate', 'duplicate'],
      ]);
      expect(list.totals).toMatchObject({
        requested: 5,
        ok: 1,
        opted_out: 1,
        no_phone: 1,
        invalid_phone: 1,
        duplicate: 1,
      });
      expect(await countRows()).toEqual({ batches: 0, messages: 0 });
    });

    it('resolves each group and filter', async () => {
      await seedContacts();
      const names = async (recipients: Json) =>
        (
          (await (await post('/api/batches/receivers', { orgUnitId: unit, recipients })).json()) as {
            items: { name: string }[];
          }
        ).items.map((i) => i.name);
      expect(await names({ group: 'all_leads_open' })).toEqual(['G Lead open']);
      expect(await names({ group: 'all_employees_active' })).toEqual(['I Employee']);
      expect(await names({ group: 'all_supplier_contacts' })).toEqual(['F Supplier']);
      expect(await names({ group: 'all_contacts', filters: { customer: 'ACME' } })).toEqual(['A Customer']);
      expect(await names({ group: 'all_contacts', filters: { department: 'Sales' } })).toEqual([
        'I Employee',
      ]);
      expect((await names({ group: 'all_contacts' })).length).toBe(9);
    });

    it('sends to a group: one message per distinct number, blocked ones with their reason', async () => {
      await seedContacts();
      const res = await post('/api/batches', {
        orgUnitId: unit,
        recipients: { group: 'all_customer_contacts' },
        text: 'Dear {{contact.name}}, we moved.',
      });
      expect(res.status).toBe(201);
      const r = (await res.json()) as Json;
      expect(r).toMatchObject({
        requestedCount: 5,
        queuedCount: 2,
        blockedCount: 2,
        duplicateCount: 1,
        blocked: { no_phone: 1, invalid_phone: 1 },
      });
      const rows = await messages();
      expect(
        rows
          .map((m) => [m.to_input, m.status, m.status_reason, m.body])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ).toEqual([
        ['', 'blocked', 'no_phone', 'Dear C No Phone, we moved.'],
        ['+4915100000101', 'queued', null, 'Dear A Customer, we moved.'],
        ['+4915100000102', 'queued', null, 'Dear B Customer, we moved.'],
        ['12345', 'blocked', 'invalid_phone', 'Dear D Bad Phone, we moved.'],
      ]);
      const batch = await t.db.kysely.selectFrom('batches').selectAll().executeTakeFirstOrThrow();
      expect(batch).toMatchObject({
        requested_count: 5,
        blocked_count: 2,
        message: 'Dear {{contact.name}}, we moved.',
      });
    });

    it('accepts a batch whose recipients are all ineligible, and reports them blocked', async () => {
      await post('/api/consent', { phone: '+4915100000201', state: 'opted_out' });
      const r = (await (
        await post('/api/batches', {
          orgUnitId: unit,
          recipients: { numbers: ['+4915100000201', 'nope'] },
          text: 'x',
        })
      ).json()) as Json;
      expect(r).toMatchObject({
        requestedCount: 2,
        queuedCount: 0,
        blockedCount: 2,
        blocked: { opted_out: 1, invalid_phone: 1 },
      });
    });

    it('an empty group is refused with batch.no_recipients and nothing is written', async () => {
      await problem(
        await post('/api/batches', {
          orgUnitId: unit,
          recipients: { group: 'all_sales_persons' },
          text: 'x',
        }),
        422,
        'batch.no_recipients',
      );
      expect(await countRows()).toEqual({ batches: 0, messages: 0 });
    });

    it('refuses contacts the caller cannot see, naming one', async () => {
      const root = (await (
        await post('/api/org-units', { name: 'Far', parentId: null, defaultRegion: 'DE', timezone: 'UTC' })
      ).json()) as { id: string };
      const c = await insertContact(t.db, { orgUnitId: root.id, name: 'Far away', e164: '+4915100000301' });
      await post('/api/users', {
        email: 'u@example.com',
        name: 'User',
        password: 'twelve chars min',
        roles: ['sms_user'],
        orgUnitIds: [unit],
      });
      const u = await t.loginAs('u@example.com', 'twelve chars min');
      const res = await post(
        '/api/batches',
        { orgUnitId: unit, recipients: { contactIds: [c.id] }, text: 'x' },
        { cookie: u.cookie, 'x-csrf-token': u['x-csrf-token'] },
      );
      await problem(res, 404, 'contact.not_found');
      expect(await countRows()).toEqual({ batches: 0, messages: 0 });
    });
  });

  describe('Idempotency-Key', () => {
    const body = () => ({ orgUnitId: unit, to: '+4915123456789', text: 'Once only' });

    it('the same key and body returns the first response, marked as a replay, and sends once', async () => {
      const first = await post('/api/messages', body(), { ...admin.headers, 'idempotency-key': 'order-1' });
      const again = await post('/api/messages', body(), { ...admin.headers, 'idempotency-key': 'order-1' });
      const a = (await first.json()) as Json;
      const b = (await again.json()) as Json;
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(b).toEqual({ ...a, replayed: true });
      expect(a.replayed).toBe(false);
      expect((await countRows()).messages).toBe(1);
    });

    it('the same key with a different body is refused', async () => {
      await post('/api/messages', body(), { ...admin.headers, 'idempotency-key': 'order-2' });
      const res = await post(
        '/api/messages',
        { ...body(), text: 'Changed' },
        { ...admin.headers, 'idempotency-key': 'order-2' },
      );
      await problem(res, 422, 'idempotency.key_reused');
      expect((await countRows()).messages).toBe(1);
    });

    it('a second request while the first still runs gets 409', async () => {
      const { requestHash } = await import('../src/modules/idempotency/idempotency.usecases.js');
      await t.db.kysely
        .insertInto('idempotency_keys')
        .values({
          scope: `user:${admin.session.userId}`,
          key: 'busy',
          endpoint: 'POST /api/messages',
          request_hash: requestHash('POST /api/messages', body()),
          state: 'in_progress',
          response_status: null,
          response_body: null,
          created_at: '2026-11-22T09:00:00.000Z',
          expires_at: '2026-11-23T09:00:00.000Z',
        })
        .execute();
      await problem(
        await post('/api/messages', body(), { ...admin.headers, 'idempotency-key': 'busy' }),
        409,
        'idempotency.in_progress',
      );
      expect((await countRows()).messages).toBe(0);
    });

    it('keys are scoped per caller, expire after 24 h, and a failed request releases its key', async () => {
      const key = (await (
        await post('/api/api-keys', { name: 'erp', permissions: ['messages.send'], orgUnitIds: [unit] })
      ).json()) as { key: string };
      await post('/api/messages', body(), { ...admin.headers, 'idempotency-key': 'k' });
      const viaKey = await post('/api/messages', body(), {
        authorization: `Bearer ${key.key}`,
        'idempotency-key': 'k',
      });
      expect(viaKey.headers.get('idempotent-replayed')).toBeNull();
      expect((await countRows()).messages).toBe(2);
      t.clock.advance(24 * 3_600_000 + 1000);
      const fresh = await t.loginAs('admin@example.com', 'correct horse battery staple');
      const h = { cookie: fresh.cookie, 'x-csrf-token': fresh['x-csrf-token'] };
      const later = await post('/api/messages', body(), { ...h, 'idempotency-key': 'k' });
      expect(later.headers.get('idempotent-replayed')).toBeNull();
      expect((await countRows()).messages).toBe(3);
      await problem(
        await post('/api/messages', { ...body(), to: 'junk' }, { ...h, 'idempotency-key': 'fix-me' }),
        422,
        'message.invalid_recipient',
      );
      expect((await post('/api/messages', body(), { ...h, 'idempotency-key': 'fix-me' })).status).toBe(201);
    });

    it('works on batches too', async () => {
      const b = { orgUnitId: unit, recipients: { numbers: ['+4915100000401', '+4915100000402'] }, text: 'x' };
      const a = (await (
        await post('/api/batches', b, { ...admin.headers, 'idempotency-key': 'b1' })
      ).json()) as Json;
      const r = (await (
        await post('/api/batches', b, { ...admin.headers, 'idempotency-key': 'b1' })
      ).json()) as Json;
      expect(r.batchId).toBe(a.batchId);
      expect(await countRows()).toEqual({ batches: 1, messages: 2 });
    });
  });
});
