import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
interface Phone {
  id: string;
  label: string;
  primary: boolean;
  e164: string | null;
  country: string | null;
  lineType: string | null;
  original: string;
}
interface Contact {
  id: string;
  orgUnitId: string;
  kind: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  party: string | null;
  department: string | null;
  branch: string | null;
  status: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Json;
  phones: Phone[];
}
interface Page {
  items: Contact[];
  nextCursor: string | null;
}

describe.each(TEST_DIALECTS)('contacts API on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
  });
  afterEach(async () => t.close());

  const create = (body: Json, headers: Record<string, string> = admin.headers) =>
    t.request('/api/contacts', { method: 'POST', headers, json: { orgUnitId: admin.orgUnitId, ...body } });
  const created = async (body: Json) => {
    const res = await create(body);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as Contact;
  };
  const list = async (query: string, headers: Record<string, string> = admin.headers) => {
    const res = await t.request(`/api/contacts${query}`, { headers });
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as Page;
  };
  const count = async (table: 'contacts' | 'contact_phones') =>
    Number(
      (
        await t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A second top-level unit and an sms_user who belongs only to it. */
  const otherUnitUser = async () => {
    const unit = (await (
      await t.request('/api/org-units', {
        method: 'POST',
        headers: admin.headers,
        json: { name: 'Vienna', parentId: null, defaultRegion: 'AT', timezone: 'Europe/Vienna' },
      })
    ).json()) as { id: string };
    const res = await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'vienna@example.com',
        name: 'Vi',
        password: 'twelve chars min',
        roles: ['sms_user'],
        orgUnitIds: [unit.id],
      },
    });
    expect(res.status).toBe(201);
    const s = await t.loginAs('vienna@example.com', 'twelve chars min');
    return { unitId: unit.id, headers: { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] } };
  };

  it('creates a contact whose national numbers are read in the unit region; the first is primary and the input is kept', async () => {
    const c = await created({
      kind: 'customer_contact',
      name: 'Erika Mustermann',
      firstName: 'Erika',
      party: 'ACME GmbH',
      locale: 'de_de',
      timezone: 'Europe/Berlin',
      attributes: { customer_no: 'C-1042', vip: true, credit: 1500 },
      phones: [{ number: '0151 23456789' }, { number: '+49 30 1234567', label: 'office' }],
    });
    expect(c.phones).toMatchObject([
      {
        label: 'mobile',
        primary: true,
        e164: '+4915123456789',
        country: 'DE',
        lineType: 'mobile',
        original: '0151 23456789',
      },
      { label: 'office', primary: false, e164: '+49301234567', lineType: 'fixed_line' },
    ]);
    expect(c.locale).toBe('de-DE');
    const read = (await (
      await t.request(`/api/contacts/${c.id}`, { headers: admin.headers })
    ).json()) as Contact;
    expect(read).toEqual(c);
    expect(read.attributes).toEqual({ customer_no: 'C-1042', vip: true, credit: 1500 });
  });

  it('the phone marked primary is primary, and two primaries are refused', async () => {
    const c = await created({
      kind: 'other',
      name: 'P',
      phones: [{ number: '+4915123456789' }, { number: '+4915123456780', primary: true }],
    });
    expect(c.phones.map((p) => p.primary)).toEqual([false, true]);
    const res = await create({
      kind: 'other',
      name: 'Q',
      phones: [
        { number: '+4915123456789', primary: true },
        { number: '+4915123456780', primary: true },
      ],
    });
    expect(res.status).toBe(422);
  });

  it('refuses a number that does not parse with 422 naming the index and reason, and stores nothing', async () => {
    const res = await create({
      kind: 'lead',
      name: 'Bad Number',
      phones: [{ number: '+4915123456789' }, { number: '+49 15' }],
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as {
      code: string;
      detail: string;
      issues: { path: unknown[]; message: string }[];
    };
    expect(body.code).toBe('contact.invalid_phone');
    expect(body.detail).toContain('phones[1]');
    expect(body.issues).toEqual([{ path: ['phones', 1, 'number'], message: 'too_short' }]);
    for (const number of ['+49 151 23456789; DROP TABLE contacts', 'call me']) {
      const r = await create({ kind: 'lead', name: 'X', phones: [{ number }] });
      expect(((await r.json()) as Json).code).toBe('contact.invalid_phone');
    }
    const dup = await create({
      kind: 'lead',
      name: 'Twice',
      phones: [{ number: '+4915123456789' }, { number: '0151 23456789' }],
    });
    expect(((await dup.json()) as { issues: unknown }).issues).toEqual([
      { path: ['phones', 1, 'number'], message: 'duplicate' },
    ]);
    expect(await count('contacts')).toBe(0);
    expect(await count('contact_phones')).toBe(0);
  });

  it('checks the status against the kind on create and on change', async () => {
    expect((await create({ kind: 'lead', name: 'L', status: 'open' })).status).toBe(201);
    expect((await create({ kind: 'employee', name: 'E', status: 'active' })).status).toBe(201);
    for (const [kind, status] of [
      ['employee', 'open'],
      ['lead', 'active'],
      ['customer_contact', 'open'],
    ]) {
      const res = await create({ kind, name: 'S', status });
      expect(res.status).toBe(422);
      expect(((await res.json()) as Json).code).toBe('contact.invalid_status');
    }
    const lead = await created({ kind: 'lead', name: 'Lead', status: 'open' });
    const moved = await t.request(`/api/contacts/${lead.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { kind: 'employee' },
    });
    expect(((await moved.json()) as Json).code).toBe('contact.invalid_status');
    const ok = await t.request(`/api/contacts/${lead.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { kind: 'employee', status: 'left' },
    });
    expect(((await ok.json()) as Contact).status).toBe('left');
  });

  it('refuses attribute keys that cannot be template variables, nested values and more than 50 keys', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    for (const attributes of [
      { '1st': 'x' },
      { 'a b': 'x' },
      { nested: { a: 1 } },
      { list: [1] },
      many,
      { __proto__x: 1, constructor: 'x' },
    ]) {
      const res = await create({ kind: 'other', name: 'A', attributes });
      expect(res.status, JSON.stringify(Object.keys(attributes))).toBe(422);
    }
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect((await create({ kind: 'other', name: 'A', attributes: fifty })).status).toBe(201);
  });

  it('refuses unknown fields, a bad time zone and a bad locale', async () => {
    for (const extra of [{ nickname: 'x' }, { timezone: 'Mars/Olympus' }, { locale: 'not a locale!' }]) {
      expect((await create({ kind: 'other', name: 'A', ...extra })).status).toBe(422);
    }
  });

  it('PATCH changes only the given fields, null clears one, and phones replace all phones', async () => {
    const c = await created({
      kind: 'customer_contact',
      name: 'Max',
      firstName: 'Max',
      department: 'Sales',
      phones: [{ number: '+4915123456789' }, { number: '+49301234567', label: 'office' }],
    });
    const res = await t.request(`/api/contacts/${c.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { firstName: null, phones: [{ number: '0170 1234567', label: 'new' }] },
    });
    expect(res.status).toBe(200);
    const changed = (await res.json()) as Contact;
    expect(changed).toMatchObject({ name: 'Max', firstName: null, department: 'Sales' });
    expect(changed.phones).toHaveLength(1);
    expect(changed.phones[0]).toMatchObject({ label: 'new', e164: '+491701234567', primary: true });
    expect(await count('contact_phones')).toBe(1);
    const bad = await t.request(`/api/contacts/${c.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { name: 'Renamed', phones: [{ number: 'nope' }] },
    });
    expect(bad.status).toBe(422);
    const read = (await (
      await t.request(`/api/contacts/${c.id}`, { headers: admin.headers })
    ).json()) as Contact;
    expect(read.name).toBe('Max');
    expect(read.phones[0]?.e164).toBe('+491701234567');
  });

  it('DELETE removes the contact and its phones; afterwards it is not found', async () => {
    const c = await created({ kind: 'other', name: 'Gone', phones: [{ number: '+4915123456789' }] });
    const del = await t.request(`/api/contacts/${c.id}`, { method: 'DELETE', headers: admin.headers });
    expect(del.status).toBe(204);
    expect((await t.request(`/api/contacts/${c.id}`, { headers: admin.headers })).status).toBe(404);
    expect(
      (await t.request(`/api/contacts/${c.id}`, { method: 'DELETE', headers: admin.headers })).status,
    ).toBe(404);
    expect(await count('contact_phones')).toBe(0);
  });

  it('a user of another unit gets 404 for the contact and an empty list, and cannot create in our unit', async () => {
    const c = await created({ kind: 'other', name: 'Ours', phones: [{ number: '+4915123456789' }] });
    const other = await otherUnitUser();
    expect((await t.request(`/api/contacts/${c.id}`, { headers: other.headers })).status).toBe(404);
    const patch = await t.request(`/api/contacts/${c.id}`, {
      method: 'PATCH',
      headers: other.headers,
      json: { name: 'Theirs' },
    });
    expect(patch.status).toBe(404);
    expect(
      (await t.request(`/api/contacts/${c.id}`, { method: 'DELETE', headers: other.headers })).status,
    ).toBe(404);
    expect((await list('', other.headers)).items).toEqual([]);
    expect((await list(`?orgUnitId=${admin.orgUnitId}`, other.headers)).items).toEqual([]);
    expect((await list('?phone=%2B4915123456789', other.headers)).items).toEqual([]);
    const into = await create({ kind: 'other', name: 'Sneaky' }, other.headers);
    expect(into.status).toBe(404);
    // In its own unit the same user works normally, with the unit's region (AT) for national numbers.
    const own = await create(
      { orgUnitId: other.unitId, kind: 'other', name: 'Wien', phones: [{ number: '0664 1234567' }] },
      other.headers,
    );
    expect(((await own.json()) as Contact).phones[0]?.e164).toBe('+436641234567');
    expect((await list('', admin.headers)).items).toHaveLength(2);
  });

  it('an auditor reads contacts but cannot create them', async () => {
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
    const s = await t.loginAs('aud@example.com', 'twelve chars min');
    const h = { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
    expect((await t.request('/api/contacts', { headers: h })).status).toBe(200);
    expect((await create({ kind: 'other', name: 'No' }, h)).status).toBe(403);
  });

  it('the OpenAPI document describes the contact routes and the CSV upload body', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Json } }>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/contacts',
        '/api/contacts/{id}',
        '/api/contacts/export.csv',
        '/api/contacts/imports',
        '/api/contacts/imports/{id}',
        '/api/contacts/imports/{id}/errors',
      ]),
    );
    expect(Object.keys(doc.paths['/api/contacts/imports']?.post?.requestBody?.content ?? {})).toEqual([
      'text/csv',
    ]);
  });

  describe('search', () => {
    beforeEach(async () => {
      await created({
        kind: 'customer_contact',
        name: 'Anna Alt',
        party: 'ACME GmbH',
        department: 'Sales',
        branch: 'Berlin',
        phones: [{ number: '0151 11111111' }],
      });
      await created({
        kind: 'customer_contact',
        name: 'Bernd 50%_off',
        party: 'Other AG',
        department: 'Purchasing',
        branch: 'Hamburg',
        phones: [{ number: '0151 22222222' }],
      });
      await created({
        kind: 'lead',
        name: 'Carla Lead',
        status: 'open',
        branch: 'Berlin',
        phones: [{ number: '0151 33333333' }, { number: '030 1234567' }],
      });
      await created({ kind: 'lead', name: 'Dora Lost', status: 'lost' });
      await created({ kind: 'employee', name: 'Emil Staff', status: 'active', department: 'sales' });
    });
    const names = async (query: string) => (await list(query)).items.map((c) => c.name);

    it('q matches a part of the name, case-insensitively, with LIKE wildcards taken literally', async () => {
      expect(await names('?q=ALT')).toEqual(['Anna Alt']);
      expect(await names(`?q=${encodeURIComponent('%_')}`)).toEqual(['Bernd 50%_off']);
      expect(await names('?q=_')).toEqual(['Bernd 50%_off']);
    });

    it('phone matches any notation of the number exactly, on any of the contact phones', async () => {
      expect(await names(`?phone=${encodeURIComponent('0151 3333 3333')}`)).toEqual(['Carla Lead']);
      expect(await names(`?phone=${encodeURIComponent('+49 30 1234567')}`)).toEqual(['Carla Lead']);
      expect(await names(`?phone=${encodeURIComponent('+4915133333334')}`)).toEqual([]);
      const res = await t.request('/api/contacts?phone=abc', { headers: admin.headers });
      expect(res.status).toBe(422);
      expect(((await res.json()) as Json).code).toBe('contact.invalid_phone');
    });

    it('party, department and branch match whole values case-insensitively', async () => {
      expect(await names('?party=acme%20gmbh')).toEqual(['Anna Alt']);
      expect(await names('?party=ACME')).toEqual([]);
      expect(await names('?department=SALES')).toEqual(['Anna Alt', 'Emil Staff']);
      expect(await names('?branch=berlin')).toEqual(['Anna Alt', 'Carla Lead']);
    });

    it('kind takes one or many (repeated or comma-separated); status and orgUnitId narrow further', async () => {
      expect(await names('?kind=employee')).toEqual(['Emil Staff']);
      expect(await names('?kind=employee&kind=lead')).toEqual(['Carla Lead', 'Dora Lost', 'Emil Staff']);
      expect(await names('?kind=employee,lead&status=open')).toEqual(['Carla Lead']);
      expect(await names(`?orgUnitId=${admin.orgUnitId}&kind=customer_contact`)).toEqual([
        'Anna Alt',
        'Bernd 50%_off',
      ]);
      expect((await t.request('/api/contacts?kind=alien', { headers: admin.headers })).status).toBe(422);
    });

    it('pages by (name, id) with an opaque cursor: no contact twice, none left out', async () => {
      for (const n of ['Anna Alt', 'Anna Alt', 'Anna Alt']) await created({ kind: 'other', name: n });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((c) => `${c.name}|${c.id}`));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(4);
      expect(seen).toHaveLength(8);
      expect(new Set(seen).size).toBe(8);
      expect(seen.map((s) => s.split('|')[0])).toEqual([
        'Anna Alt',
        'Anna Alt',
        'Anna Alt',
        'Anna Alt',
        'Bernd 50%_off',
        'Carla Lead',
        'Dora Lost',
        'Emil Staff',
      ]);
      const ids = seen.slice(0, 4).map((s) => s.split('|')[1]!);
      expect(ids).toEqual([...ids].sort());
      expect((await t.request('/api/contacts?cursor=garbage', { headers: admin.headers })).status).toBe(422);
    });
  });
});
