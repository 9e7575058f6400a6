import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { insertOrgUnit, messageFactory } from './helpers/message-factory.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
type Item = Json & { id: string; status: string; createdAt: string };
type Page = { items: Item[]; nextCursor: string | null };

const NOW = '2026-11-22T09:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString();

describe.each(TEST_DIALECTS)('messages on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let f: ReturnType<typeof messageFactory>;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
    f = messageFactory(t.db.kysely, { orgUnitId: admin.orgUnitId, now: NOW });
  });
  afterEach(async () => t.close());

  const get = (path: string, headers: Record<string, string> = admin.headers) => t.request(path, { headers });
  const list = async (query = '', headers: Record<string, string> = admin.headers) => {
    const res = await get(`/api/messages${query ? `?${query}` : ''}`, headers);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Page;
  };
  const ids = async (query = '') => (await list(query)).items.map((i) => i.id);

  it('shows every field of a message, with the status label and what may be done with it', async () => {
    const batch = await f.insertBatch();
    const m = await f.insertMessage({
      batch_id: batch.id,
      contact_id: 'c-1',
      to_input: '0151 23456789',
      to_e164: '+4915123456789',
      body: 'Invoice INV-0042 is due',
      encoding: 'gsm7',
      parts: 1,
      characters: 23,
      category: 'transactional',
      status: 'accepted',
      provider_account_id: 'pa-1',
      gateway_message_id: 'gw-77',
      attempts: 2,
      reference_type: 'invoice',
      reference_id: 'INV-0042',
      resent_of: 'older-message',
      submitted_at: '2026-11-22T09:00:01.000Z',
    });
    const page = await list();
    expect(page).toEqual({
      items: [
        {
          id: m.id,
          to: '+4915123456789',
          body: 'Invoice INV-0042 is due',
          encoding: 'gsm7',
          parts: 1,
          characters: 23,
          status: 'accepted',
          statusLabel: 'Accepted by gateway',
          statusReason: null,
          statusReasonLabel: null,
          category: 'transactional',
          orgUnitId: admin.orgUnitId,
          batchId: batch.id,
          contactId: 'c-1',
          reference: { type: 'invoice', id: 'INV-0042' },
          gateway: { providerAccountId: 'pa-1', messageId: 'gw-77' },
          attempts: 2,
          createdAt: NOW,
          scheduledAt: null,
          submittedAt: '2026-11-22T09:00:01.000Z',
          finalAt: null,
          resentOf: 'older-message',
          resentBy: null,
          canResend: true,
          canCancel: false,
        },
      ],
      nextCursor: null,
    });
  });

  it('labels statuses from the status table and explains block reasons; only scheduled/queued can be canceled', async () => {
    await f.insertMessage({ status: 'queued', created_at: daysAgo(1) });
    await f.insertMessage({ status: 'blocked', status_reason: 'no_consent', created_at: daysAgo(2) });
    await f.insertMessage({ status: 'status_timeout', created_at: daysAgo(3) });
    await f.insertMessage({ status: 'scheduled', created_at: daysAgo(4) });
    await f.insertMessage({ status: 'delivered', created_at: daysAgo(5) });
    await f.insertMessage({ to_input: 'call me', to_e164: null, status: 'blocked', created_at: daysAgo(6) });
    const items = (await list()).items;
    expect(items.map((i) => [i.status, i.statusLabel, i.canCancel, i.canResend])).toEqual([
      ['queued', 'To be sent', true, false],
      ['blocked', 'Blocked', false, false],
      ['status_timeout', 'Timeout during status check', false, true],
      ['scheduled', 'Scheduled', true, false],
      ['delivered', 'Received', false, false],
      ['blocked', 'Blocked', false, false],
    ]);
    expect(items[1]?.statusReasonLabel).toBe('No consent to send messages to this number');
    expect(items[5]?.to).toBe('call me');
  });

  it('documents the list, detail and cancel routes with every filter in the OpenAPI document', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    expect(doc.paths['/api/messages/{id}']?.get).toBeDefined();
    expect(doc.paths['/api/messages/{id}/cancel']?.post).toBeDefined();
    expect(doc.paths['/api/batches/{id}/cancel']?.post).toBeDefined();
    expect((doc.paths['/api/messages']?.get?.parameters ?? []).map((p) => p.name).sort()).toEqual(
      [
        'batchId',
        'category',
        'contactId',
        'cursor',
        'from',
        'limit',
        'orgUnitId',
        'phone',
        'q',
        'referenceId',
        'referenceType',
        'resent',
        'sort',
        'status',
        'to',
      ].sort(),
    );
  });

  describe('filters', () => {
    it('q finds text in the body, case-insensitively, with LIKE wildcards taken literally', async () => {
      const a = await f.insertMessage({ body: 'Your INVOICE INV-0042 is due' });
      const b = await f.insertMessage({ body: 'Save 50% today' });
      await f.insertMessage({ body: 'Save 500 today' });
      await f.insertMessage({ body: 'Hello' });
      expect(await ids('q=invoice')).toEqual([a.id]);
      expect(await ids(`q=${encodeURIComponent('50%')}`)).toEqual([b.id]);
      expect(await ids('q=_')).toEqual([]);
    });

    it('q searches the last 14 days unless from is given', async () => {
      const recent = await f.insertMessage({ body: 'reminder', created_at: daysAgo(13) });
      const old = await f.insertMessage({ body: 'reminder', created_at: daysAgo(15) });
      expect(await ids('q=reminder')).toEqual([recent.id]);
      expect(await ids(`q=reminder&from=${daysAgo(365).slice(0, 10)}`)).toEqual([recent.id, old.id]);
      // without q the list is not limited in time
      expect(await ids()).toEqual([recent.id, old.id]);
    });

    it('phone matches the normalised number whatever its format, national numbers in the filtered unit', async () => {
      const m = await f.insertMessage({ to_input: '0151 23456789', to_e164: '+4915123456789' });
      await f.insertMessage({ to_e164: '+4915123456780' });
      const junk = await f.insertMessage({ to_input: 'not a number', to_e164: null });
      expect(await ids(`phone=${encodeURIComponent('+49 151 2345 6789')}`)).toEqual([m.id]);
      expect(
        await ids(`phone=${encodeURIComponent('0049 151 23456789')}&orgUnitId=${admin.orgUnitId}`),
      ).toEqual([m.id]);
      expect(await ids(`phone=${encodeURIComponent('0151 23456789')}&orgUnitId=${admin.orgUnitId}`)).toEqual([
        m.id,
      ]);
      // no region to parse it in: compared with the number as it was requested
      expect(await ids(`phone=${encodeURIComponent('0151 23456789')}`)).toEqual([m.id]);
      expect(await ids(`phone=${encodeURIComponent('not a number')}`)).toEqual([junk.id]);
    });

    it('from is inclusive, to exclusive, and a bare to date includes that whole day', async () => {
      const a = await f.insertMessage({ created_at: '2026-11-01T00:00:00.000Z' });
      const b = await f.insertMessage({ created_at: '2026-11-10T23:59:59.999Z' });
      const c = await f.insertMessage({ created_at: '2026-11-11T00:00:00.000Z' });
      expect(await ids('from=2026-11-01&to=2026-11-10')).toEqual([b.id, a.id]);
      expect(await ids('from=2026-11-01T00:00:00.001Z')).toEqual([c.id, b.id]);
      expect(await ids('to=2026-11-11T00:00:00Z')).toEqual([b.id, a.id]);
      expect(await ids(`from=${encodeURIComponent('2026-11-11T01:00:00+01:00')}`)).toEqual([c.id]);
      for (const bad of [
        'from=yesterday',
        'to=2026-13-01',
        'from=2026-11-10&to=2026-11-01',
        'from=2026-11-01T10:00',
      ]) {
        const res = await get(`/api/messages?${bad}`);
        expect(res.status, bad).toBe(422);
        expect(((await res.json()) as Json).code).toBe('validation.failed');
      }
    });

    it('status takes one or more values, comma-separated or repeated; an unknown status is refused', async () => {
      const failed = await f.insertMessage({ status: 'failed', created_at: daysAgo(1) });
      const timeout = await f.insertMessage({ status: 'status_timeout', created_at: daysAgo(2) });
      await f.insertMessage({ status: 'delivered', created_at: daysAgo(3) });
      expect(await ids('status=failed')).toEqual([failed.id]);
      expect(await ids('status=failed,status_timeout')).toEqual([failed.id, timeout.id]);
      expect(await ids('status=failed&status=status_timeout')).toEqual([failed.id, timeout.id]);
      const res = await get('/api/messages?status=failed,DELIVRD');
      expect(res.status).toBe(422);
    });

    it('batchId, contactId, category and resent narrow the list', async () => {
      const batch = await f.insertBatch();
      const inBatch = await f.insertMessage({ batch_id: batch.id, created_at: daysAgo(1) });
      const ofContact = await f.insertMessage({ contact_id: 'contact-9', created_at: daysAgo(2) });
      const marketing = await f.insertMessage({ category: 'marketing', created_at: daysAgo(3) });
      const original = await f.insertMessage({
        resent_by: 'resend-1',
        status: 'failed',
        created_at: daysAgo(4),
      });
      const resend = await f.insertMessage({ resent_of: original.id, created_at: daysAgo(5) });
      expect(await ids(`batchId=${batch.id}`)).toEqual([inBatch.id]);
      expect(await ids('contactId=contact-9')).toEqual([ofContact.id]);
      expect(await ids('category=marketing')).toEqual([marketing.id]);
      expect(await ids('resent=true')).toEqual([original.id, resend.id]);
      expect(await ids('resent=false')).toEqual([inBatch.id, ofContact.id, marketing.id]);
      expect((await get('/api/messages?resent=yes')).status).toBe(422);
    });

    it('answers "what did we send about invoice INV-0042?"', async () => {
      const a = await f.insertMessage({
        reference_type: 'invoice',
        reference_id: 'INV-0042',
        created_at: daysAgo(1),
      });
      const b = await f.insertMessage({
        reference_type: 'invoice',
        reference_id: 'INV-0042',
        created_at: daysAgo(9),
      });
      await f.insertMessage({ reference_type: 'invoice', reference_id: 'INV-0043' });
      await f.insertMessage({ reference_type: 'ticket', reference_id: 'INV-0042' });
      expect(await ids('referenceType=invoice&referenceId=INV-0042')).toEqual([a.id, b.id]);
      expect((await ids('referenceType=invoice')).length).toBe(3);
      const res = await get('/api/messages?referenceId=INV-0042');
      expect(res.status).toBe(422);
      expect(((await res.json()) as { issues: { path: string[] }[] }).issues[0]?.path).toEqual([
        'referenceId',
      ]);
    });

    it('filters combine with AND', async () => {
      const hit = await f.insertMessage({
        status: 'failed',
        body: 'Invoice reminder',
        created_at: daysAgo(1),
      });
      await f.insertMessage({ status: 'delivered', body: 'Invoice reminder', created_at: daysAgo(1) });
      await f.insertMessage({ status: 'failed', body: 'Hello', created_at: daysAgo(1) });
      expect(await ids('status=failed&q=invoice')).toEqual([hit.id]);
    });
  });

  describe('org units', () => {
    let other: string;
    let child: string;
    let userHeaders: Record<string, string>;
    beforeEach(async () => {
      other = await insertOrgUnit(t.db.kysely, { name: 'Other Company', now: NOW });
      child = await insertOrgUnit(t.db.kysely, { name: 'Branch', parentId: admin.orgUnitId, now: NOW });
      const res = await t.request('/api/users', {
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
      expect(res.status).toBe(201);
      const s = await t.loginAs('clerk@example.com', 'twelve chars min');
      userHeaders = { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
    });

    it("a user sees the messages of its units and their descendants, never another unit's", async () => {
      const own = await f.insertMessage({ created_at: daysAgo(1) });
      const ofChild = await f.insertMessage({ org_unit_id: child, created_at: daysAgo(2) });
      const foreign = await f.insertMessage({ org_unit_id: other, status: 'queued', created_at: daysAgo(3) });
      expect((await list('', userHeaders)).items.map((i) => i.id)).toEqual([own.id, ofChild.id]);
      expect((await list(`orgUnitId=${other}`, userHeaders)).items).toEqual([]);
      expect((await list(`orgUnitId=${child}`, userHeaders)).items.map((i) => i.id)).toEqual([ofChild.id]);
      expect((await get(`/api/messages/${foreign.id}`, userHeaders)).status).toBe(404);
      const cancel = await t.request(`/api/messages/${foreign.id}/cancel`, {
        method: 'POST',
        headers: userHeaders,
      });
      expect(cancel.status).toBe(404);
      const row = await t.db.kysely
        .selectFrom('messages')
        .select('status')
        .where('id', '=', foreign.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('queued');
      // the system manager sees everything, and can pick units
      expect((await ids()).length).toBe(3);
      expect(await ids(`orgUnitId=${other},${child}`)).toEqual([ofChild.id, foreign.id]);
      expect(await ids(`orgUnitId=${other}&orgUnitId=${admin.orgUnitId}`)).toEqual([own.id, foreign.id]);
    });
  });

  describe('permissions', () => {
    const keyWith = async (permissions: string[]) => {
      const res = await t.request('/api/api-keys', {
        method: 'POST',
        headers: admin.headers,
        json: { name: `k-${permissions.join('-')}`, permissions, orgUnitIds: [admin.orgUnitId] },
      });
      expect(res.status).toBe(201);
      return { authorization: `Bearer ${((await res.json()) as { key: string }).key}` };
    };

    it('reading needs messages.read or log.read; cancelling needs messages.send', async () => {
      const m = await f.insertMessage({ status: 'queued' });
      const logReader = await keyWith(['log.read']);
      const messageReader = await keyWith(['messages.read']);
      const neither = await keyWith(['contacts.read']);
      expect((await get('/api/messages', logReader)).status).toBe(200);
      expect((await get(`/api/messages/${m.id}`, logReader)).status).toBe(200);
      expect((await get('/api/messages', messageReader)).status).toBe(200);
      const denied = await get('/api/messages', neither);
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as Json).code).toBe('auth.forbidden');
      expect((await get(`/api/messages/${m.id}`, neither)).status).toBe(403);
      expect(
        (await t.request(`/api/messages/${m.id}/cancel`, { method: 'POST', headers: messageReader })).status,
      ).toBe(403);
      const sender = await keyWith(['messages.send']);
      expect(
        (await t.request(`/api/messages/${m.id}/cancel`, { method: 'POST', headers: sender })).status,
      ).toBe(200);
    });

    it('refuses anonymous callers', async () => {
      expect((await t.request('/api/messages')).status).toBe(401);
    });
  });

  describe('keyset pagination', () => {
    // 23 messages over 9 timestamps (ties on created_at) and 5 statuses.
    const seed = async () => {
      const statuses = ['delivered', 'failed', 'queued', 'accepted', 'blocked'];
      const rows = [];
      for (let i = 0; i < 23; i++) {
        rows.push(
          await f.insertMessage({
            status: statuses[(i * 7) % 5]!,
            created_at: daysAgo(i % 9),
            body: `m${i}`,
          }),
        );
      }
      return rows.map((r) => ({ id: r.id, status: r.status as string, created_at: r.created_at as string }));
    };
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    type R = { id: string; status: string; created_at: string };
    const orders: Record<string, (a: R, b: R) => number> = {
      '-createdAt': (a, b) => cmp(b.created_at, a.created_at) || cmp(b.id, a.id),
      createdAt: (a, b) => cmp(a.created_at, b.created_at) || cmp(a.id, b.id),
      status: (a, b) => cmp(a.status, b.status) || cmp(b.created_at, a.created_at) || cmp(b.id, a.id),
    };

    for (const sort of Object.keys(orders)) {
      it(`walks every message exactly once, in order, sorted by ${sort}`, async () => {
        const rows = await seed();
        const expected = [...rows].sort(orders[sort]).map((r) => r.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Page = await list(
            `sort=${sort}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          expect(page.items.length).toBeLessThanOrEqual(4);
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor && pages < 20);
        expect(pages).toBe(6);
        expect(seen).toEqual(expected);
      });
    }

    for (const sort of Object.keys(orders)) {
      it(`walks the messages of several statuses exactly once, sorted by ${sort}`, async () => {
        const wanted = ['failed', 'queued', 'accepted'];
        const rows = await seed();
        const expected = rows
          .filter((r) => wanted.includes(r.status))
          .sort(orders[sort])
          .map((r) => r.id);
        expect(expected.length).toBeGreaterThan(9);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page = await list(
            `sort=${sort}&status=${wanted.join(',')}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
        } while (cursor && seen.length < 100);
        expect(seen).toEqual(expected);
      });
    }

    it('keeps its place when new messages arrive between pages (newest first)', async () => {
      const rows = await seed();
      const first = await list('limit=5');
      t.clock.advance(60_000);
      await f.insertMessage({ created_at: t.clock.now().toISOString() });
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await list(`limit=5&cursor=${encodeURIComponent(cursor)}`);
        rest.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      }
      const expected = [...rows].sort(orders['-createdAt']).map((r) => r.id);
      expect([...first.items.map((i) => i.id), ...rest]).toEqual(expected);
    });

    it('refuses a tampered cursor and a cursor of another sort', async () => {
      await seed();
      const page = await list('sort=createdAt&limit=2');
      for (const q of [
        `sort=status&cursor=${page.nextCursor}`,
        `cursor=${page.nextCursor}`,
        'cursor=garbage',
      ]) {
        const res = await get(`/api/messages?${q}`);
        expect(res.status, q).toBe(422);
      }
      expect((await get('/api/messages?limit=501')).status).toBe(422);
      expect((await get('/api/messages?limit=0')).status).toBe(422);
    });
  });

  describe('detail', () => {
    it('has the full status history, oldest first, including reports that were not applied', async () => {
      const m = await f.insertMessage({ status: 'delivered', error_code: null });
      // inserted out of order on purpose
      await f.insertEvent(m.id, {
        occurred_at: '2026-11-22T09:00:05.000Z',
        from_status: 'delivered',
        to_status: 'sent',
        applied: false,
        reason: 'final',
        source: 'delivery_report',
      });
      await f.insertEvent(m.id, {
        occurred_at: '2026-11-22T09:00:00.000Z',
        from_status: null,
        to_status: 'queued',
      });
      await f.insertEvent(m.id, {
        occurred_at: '2026-11-22T09:00:03.000Z',
        from_status: 'accepted',
        to_status: 'delivered',
        source: 'delivery_report',
        details: JSON.stringify({ dlr: 'DELIVRD' }),
      });
      const other = await f.insertMessage();
      await f.insertEvent(other.id, { to_status: 'failed' });
      const res = await get(`/api/messages/${m.id}`);
      expect(res.status).toBe(200);
      const d = (await res.json()) as Json & { history: Json[] };
      expect(d.id).toBe(m.id);
      expect(d.error).toBeNull();
      expect(d.history.map((h) => [h.toStatus, h.toStatusLabel, h.applied, h.reason])).toEqual([
        ['queued', 'To be sent', true, null],
        ['delivered', 'Received', true, null],
        ['sent', 'Sent', false, 'final'],
      ]);
      expect(d.history[1]).toMatchObject({
        fromStatus: 'accepted',
        source: 'delivery_report',
        details: { dlr: 'DELIVRD' },
      });
    });

    it('answers 404 message.not_found for an unknown id', async () => {
      const res = await get('/api/messages/does-not-exist');
      expect(res.status).toBe(404);
      expect(((await res.json()) as Json).code).toBe('message.not_found');
    });
  });
});
