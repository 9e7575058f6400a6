import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { templateDataForContact } from '../src/modules/templates/templates.data.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
type Template = {
  id: string;
  orgUnitId: string;
  name: string;
  category: string;
  body: string;
  variables: string[];
  analysis: { characters: number; encoding: string; parts: number; unitsLeftInPart: number };
  createdBy: string | null;
};

describe.each(TEST_DIALECTS)('templates on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
  });
  afterEach(async () => t.close());

  const post = (path: string, json: unknown, headers: Record<string, string> = admin.headers) =>
    t.request(path, { method: 'POST', headers, json });
  const create = (json: Json, headers?: Record<string, string>) =>
    post('/api/templates', { orgUnitId: admin.orgUnitId, category: 'transactional', ...json }, headers);
  const get = (path: string, headers: Record<string, string> = admin.headers) => t.request(path, { headers });
  const templateCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('templates')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const addUnit = async (name: string) => {
    const res = await post('/api/org-units', {
      name,
      parentId: admin.orgUnitId,
      defaultRegion: 'DE',
      timezone: 'Europe/Berlin',
    });
    return ((await res.json()) as { id: string }).id;
  };
  const addUser = async (email: string, roles: string[], orgUnitIds: string[]) => {
    await post('/api/users', { email, name: email, password: 'twelve chars min', roles, orgUnitIds });
    const s = await t.loginAs(email, 'twelve chars min');
    return { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
  };

  it('creates, reads, changes and deletes a template, storing the variables it uses', async () => {
    const res = await create({
      name: 'Invoice reminder',
      body: 'Hello {{contact.first_name}}, invoice {{document.number}} is due.\r\nRegards',
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Template;
    expect(created).toMatchObject({
      orgUnitId: admin.orgUnitId,
      name: 'Invoice reminder',
      category: 'transactional',
      body: 'Hello {{contact.first_name}}, invoice {{document.number}} is due.\nRegards',
      variables: ['contact.first_name', 'document.number'],
      createdBy: admin.session.userId,
    });
    const row = await t.db.kysely
      .selectFrom('templates')
      .select('variables')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.variables)).toEqual(['contact.first_name', 'document.number']);
    // Counter of the sample rendering: "Hello Anna, invoice INV-2026-00042 is due.\nRegards"
    expect(created.analysis).toMatchObject({
      characters: 50,
      encoding: 'GSM-7',
      parts: 1,
      unitsLeftInPart: 110,
    });

    expect(((await (await get(`/api/templates/${created.id}`)).json()) as Template).name).toBe(
      'Invoice reminder',
    );

    t.clock.advance(60_000);
    const patched = await t.request(`/api/templates/${created.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { body: 'Hi {{contact.attributes.customer_number}} 😀', category: 'marketing' },
    });
    expect(patched.status).toBe(200);
    const changed = (await patched.json()) as Template & { updatedAt: string };
    expect(changed).toMatchObject({
      name: 'Invoice reminder',
      category: 'marketing',
      variables: ['contact.attributes.customer_number'],
      analysis: { encoding: 'UCS-2' },
    });
    expect(changed.updatedAt).toBe('2026-11-22T09:01:00.000Z');

    const del = await t.request(`/api/templates/${created.id}`, { method: 'DELETE', headers: admin.headers });
    expect(del.status).toBe(204);
    const gone = await get(`/api/templates/${created.id}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as Json).code).toBe('template.not_found');
  });

  it('names are unique per org unit ignoring case; another unit may reuse a name', async () => {
    expect((await create({ name: 'Welcome', body: 'Hi' })).status).toBe(201);
    const dup = await create({ name: 'WELCOME', body: 'Hello' });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ code: 'template.name_taken', name: 'WELCOME' });
    const other = await addUnit('Branch');
    expect((await create({ name: 'welcome', body: 'Hi', orgUnitId: other })).status).toBe(201);

    const second = (await (await create({ name: 'Goodbye', body: 'Bye' })).json()) as Template;
    const rename = await t.request(`/api/templates/${second.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { name: 'welcome' },
    });
    expect(rename.status).toBe(409);
    expect(((await (await get(`/api/templates/${second.id}`)).json()) as Template).name).toBe('Goodbye');
  });

  it('refuses a template with syntax errors or blocks, listing each error with its position, and writes nothing', async () => {
    const res = await create({ name: 'Bad', body: 'Hi {{#if contact.first_name}}x{{/if}}\n{{> footer}}' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; errors: Json[] };
    expect(body.code).toBe('template.invalid');
    expect(body.errors).toEqual([
      expect.objectContaining({ code: 'template.block', line: 1, column: 4 }),
      expect.objectContaining({ code: 'template.partial', line: 2, column: 1 }),
    ]);
    expect(typeof body.errors[0]?.message).toBe('string');

    const unclosed = await create({ name: 'Bad', body: 'Hi {{contact.first_name' });
    expect(((await unclosed.json()) as { errors: Json[] }).errors[0]).toMatchObject({
      code: 'template.syntax',
    });
    expect(await templateCount()).toBe(0);
  });

  it('refuses unknown variables (listing them) but accepts contact attributes', async () => {
    const res = await create({
      name: 'Bad',
      body: '{{contact.favourite}} {{foo}} {{contact.first_name}} {{foo}}',
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'template.invalid',
      variables: ['contact.favourite', 'foo'],
    });
    expect(await templateCount()).toBe(0);
    expect((await create({ name: 'Good', body: 'No. {{contact.attributes.customer-no}}' })).status).toBe(201);

    const saved = (await (await create({ name: 'Edit me', body: 'x' })).json()) as Template;
    const patch = await t.request(`/api/templates/${saved.id}`, {
      method: 'PATCH',
      headers: admin.headers,
      json: { body: '{{sender.nickname}}' },
    });
    expect(await patch.json()).toMatchObject({ code: 'template.invalid', variables: ['sender.nickname'] });
    expect(((await (await get(`/api/templates/${saved.id}`)).json()) as Template).body).toBe('x');
  });

  it('validates the fields: body up to 1,600 characters, known category, no unknown fields', async () => {
    expect((await create({ name: 'Max', body: 'a'.repeat(1600) })).status).toBe(201);
    for (const bad of [
      { name: 'Long', body: 'a'.repeat(1601) },
      { name: 'Empty', body: '   ' },
      { name: 'Cat', body: 'x', category: 'spam' },
      { name: 'Extra', body: 'x', colour: 'red' },
      { name: '', body: 'x' },
    ]) {
      const res = await create(bad);
      expect(res.status, JSON.stringify(bad).slice(0, 60)).toBe(422);
      expect(((await res.json()) as Json).code).toBe('validation.failed');
    }
  });

  it('lists with filters (org unit, category, search) and keyset pages, with counters', async () => {
    const branch = await addUnit('Branch');
    await create({ name: 'B offer', body: 'Sale {{contact.name}}!', category: 'marketing' });
    await create({ name: 'A notice', body: 'Your parcel is here' });
    await create({ name: 'C branch', body: 'Branch text', orgUnitId: branch });
    const list = async (query: string) =>
      (await (await get(`/api/templates${query}`)).json()) as {
        items: Template[];
        nextCursor: string | null;
      };

    expect((await list('')).items.map((i) => i.name)).toEqual(['A notice', 'B offer', 'C branch']);
    expect((await list('?category=marketing')).items.map((i) => i.name)).toEqual(['B offer']);
    expect((await list(`?orgUnitId=${branch}`)).items.map((i) => i.name)).toEqual(['C branch']);
    expect((await list('?q=PARCEL')).items.map((i) => i.name)).toEqual(['A notice']);
    expect((await list('?q=100%25')).items).toEqual([]);
    const offer = (await list('?q=offer')).items[0]!;
    expect(offer.analysis).toMatchObject({ characters: 'Sale Anna Schmidt!'.length, parts: 1 });

    const p1 = await list('?limit=2');
    expect(p1.items.map((i) => i.name)).toEqual(['A notice', 'B offer']);
    const p2 = await list(`?limit=2&cursor=${p1.nextCursor}`);
    expect(p2.items.map((i) => i.name)).toEqual(['C branch']);
    expect(p2.nextCursor).toBeNull();
  });

  it('scopes templates to org units: others are not found, an sms user reads but cannot write', async () => {
    const north = await addUnit('North');
    const south = await addUnit('South');
    const hq = (await (await create({ name: 'HQ only', body: 'x' })).json()) as Template;
    const southT = (await (await create({ name: 'South', body: 'x', orgUnitId: south })).json()) as Template;
    const manager = await addUser('m@example.com', ['sms_manager'], [north]);

    expect(((await (await get('/api/templates', manager)).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await get(`/api/templates/${hq.id}`, manager)).status).toBe(404);
    expect((await get(`/api/templates/${southT.id}`, manager)).status).toBe(404);
    const edit = await t.request(`/api/templates/${southT.id}`, {
      method: 'PATCH',
      headers: manager,
      json: { name: 'Mine now' },
    });
    expect(edit.status).toBe(404);
    const del = await t.request(`/api/templates/${hq.id}`, { method: 'DELETE', headers: manager });
    expect(del.status).toBe(404);
    const outside = await create({ name: 'Sneaky', body: 'x', orgUnitId: south }, manager);
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as Json).code).toBe('org_unit.not_found');
    expect((await create({ name: 'North one', body: 'x', orgUnitId: north }, manager)).status).toBe(201);

    const user = await addUser('u@example.com', ['sms_user'], [north]);
    expect(((await (await get('/api/templates', user)).json()) as { items: Template[] }).items).toHaveLength(
      1,
    );
    const denied = await create({ name: 'Nope', body: 'x', orgUnitId: north }, user);
    expect(denied.status).toBe(403);
    expect(await templateCount()).toBe(3);
  });

  it('lists the standard variables for the composer', async () => {
    const res = await get('/api/templates/variables');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { path: string; group: string }[]; attributePrefix: string };
    expect(body.items).toContainEqual(
      expect.objectContaining({ path: 'contact.first_name', group: 'contact' }),
    );
    expect(body.items.map((v) => v.path)).toContain('document.due_date');
    expect(body.attributePrefix).toBe('contact.attributes.');
  });

  describe('preview', () => {
    const preview = (json: Json, headers?: Record<string, string>) =>
      post('/api/templates/preview', json, headers);

    const insertContact = async (orgUnitId: string, attributes: Json = { customer_number: 'K-7' }) => {
      const id = newId();
      await t.db.kysely
        .insertInto('contacts')
        .values({
          id,
          org_unit_id: orgUnitId,
          kind: 'customer_contact',
          name: 'Jörg Weber',
          first_name: 'Jörg',
          last_name: 'Weber',
          party: 'Weber Bau KG',
          department: null,
          branch: 'Köln',
          status: null,
          locale: null,
          timezone: null,
          attributes: JSON.stringify(attributes),
          created_at: '2026-11-22T09:00:00.000Z',
          updated_at: '2026-11-22T09:00:00.000Z',
        })
        .execute();
      for (const [position, e164, primary] of [
        [0, '+4915100000001', false],
        [1, '+4915100000002', true],
      ] as const) {
        await t.db.kysely
          .insertInto('contact_phones')
          .values({
            id: newId(),
            contact_id: id,
            org_unit_id: orgUnitId,
            label: 'mobile',
            is_primary: primary,
            e164,
            country: 'DE',
            line_type: 'mobile',
            original: e164,
            position,
          })
          .execute();
      }
      return id;
    };

    it('renders a body with sample data and counts characters and parts like the worker', async () => {
      const res = await preview({ body: 'Hi {{contact.first_name}} [{{document.number}}]' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        text: 'Hi Anna [INV-2026-00042]',
        variables: ['contact.first_name', 'document.number'],
        unknownVariables: [],
        characters: 24,
        encoding: 'GSM-7',
        parts: 1,
        units: 26, // [ and ] are extension characters: two septets each
        unitsPerPart: 160,
        unitsLeftInPart: 134,
        ucs2Characters: [],
      });
    });

    it('reports UCS-2, the characters that force it, multi-part counts and unknown variables', async () => {
      const body = `Grüße ✓ ${'x'.repeat(70)} {{contact.nickname}}`;
      const r = (await (await preview({ body })).json()) as Json;
      expect(r).toMatchObject({
        encoding: 'UCS-2',
        ucs2Characters: ['✓'],
        parts: 2,
        unitsPerPart: 67,
        unknownVariables: ['contact.nickname'],
      });
      expect(r.text).toBe(`Grüße ✓ ${'x'.repeat(70)} `);
    });

    it('renders a saved template with a contact of a visible unit: primary phone, attributes, sender', async () => {
      const contactId = await insertContact(admin.orgUnitId);
      const tpl = (await (
        await create({
          name: 'Full',
          body: '{{contact.name}}|{{contact.phone}}|{{contact.party}}|{{contact.attributes.customer_number}}|{{sender.name}}|{{org_unit.name}}|{{document.number}}',
        })
      ).json()) as Template;
      const res = await preview({ templateId: tpl.id, contactId, sample: { document: { number: 'R-1' } } });
      expect(res.status).toBe(200);
      const r = (await res.json()) as Json;
      expect(r.text).toBe('Jörg Weber|+4915100000002|Weber Bau KG|K-7|Ada Admin|Head Office|R-1');
      expect(r.encoding).toBe('GSM-7'); // ö and ü are in the GSM alphabet
    });

    it('sample values lay over the sample data field by field', async () => {
      const r = (await (
        await preview({
          body: '{{document.type}} {{document.number}}',
          sample: { document: { number: 'X-9' } },
        })
      ).json()) as Json;
      expect(r.text).toBe('Invoice X-9');
    });

    it('does not render contacts or templates the caller cannot see', async () => {
      const south = await addUnit('South');
      const north = await addUnit('North');
      const contactId = await insertContact(south);
      const tpl = (await (await create({ name: 'South', body: 'x', orgUnitId: south })).json()) as Template;
      const manager = await addUser('m@example.com', ['sms_manager'], [north]);
      const c = await preview({ body: '{{contact.name}}', contactId }, manager);
      expect(c.status).toBe(404);
      expect(((await c.json()) as Json).code).toBe('contact.not_found');
      const tr = await preview({ templateId: tpl.id }, manager);
      expect(((await tr.json()) as Json).code).toBe('template.not_found');
    });

    it('refuses an invalid body, and requires exactly one of body and templateId', async () => {
      const bad = await preview({ body: '{{#each x}}{{/each}}' });
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({
        code: 'template.invalid',
        errors: [{ code: 'template.block' }],
      });
      for (const json of [
        {},
        { body: 'x', templateId: 'y' },
        { body: 'x', sample: { contact: { a: { b: { c: 1 } } } } },
      ]) {
        const res = await preview(json);
        expect(res.status, JSON.stringify(json)).toBe(422);
        expect(((await res.json()) as Json).code).toBe('validation.failed');
      }
    });
  });
});

describe('templateDataForContact', () => {
  const contact = {
    name: 'Anna Schmidt',
    first_name: 'Anna',
    last_name: 'Schmidt',
    party: null,
    department: 'Purchasing',
    branch: null,
    attributes: '{"customer_number":"C-1","vip":true}',
  };
  const ctx = { senderName: 'Max', orgUnitName: 'Sales North' };

  it('maps the contact, picks the primary phone (else the first valid one) and parses attributes', () => {
    const d = templateDataForContact(
      contact,
      [
        { e164: null, is_primary: 1, position: 0 },
        { e164: '+4915100000009', is_primary: 0, position: 2 },
        { e164: '+4915100000008', is_primary: 0, position: 1 },
      ],
      { ...ctx, document: { number: 'INV-1' } },
    );
    expect(d).toEqual({
      contact: {
        first_name: 'Anna',
        last_name: 'Schmidt',
        name: 'Anna Schmidt',
        party: null,
        phone: '+4915100000008',
        department: 'Purchasing',
        branch: null,
        attributes: { customer_number: 'C-1', vip: true },
      },
      sender: { name: 'Max', org_unit: 'Sales North' },
      org_unit: { name: 'Sales North' },
      document: { number: 'INV-1' },
    });
  });

  it('uses the number given for the message, and survives broken attribute JSON', () => {
    const d = templateDataForContact({ ...contact, attributes: '[1,2]' }, [], {
      ...ctx,
      phone: '+4930123456',
    });
    expect(d.contact.phone).toBe('+4930123456');
    expect(d.contact.attributes).toEqual({});
    expect(templateDataForContact({ ...contact, attributes: 'nope' }, [], ctx).contact).toMatchObject({
      phone: null,
      attributes: {},
    });
  });
});
