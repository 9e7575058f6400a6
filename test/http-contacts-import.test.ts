import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
interface Job {
  id: string;
  state: 'running' | 'done' | 'failed';
  rowsTotal: number;
  rowsImported: number;
  rowsDuplicate: number;
  rowsFailed: number;
  bytesRead: number;
  bytesTotal: number | null;
  error: string | null;
  options: {
    delimiter: string;
    columns: Record<string, string>;
    ignoredColumns: string[];
    consentColumn: boolean;
  };
}
interface RowError {
  rowNumber: number;
  lineNumber: number | null;
  kind: string;
  message: string;
  raw: string | null;
}
interface Contact {
  id: string;
  name: string;
  kind: string;
  party: string | null;
  status: string | null;
  attributes: Json;
  phones: { e164: string; primary: boolean; label: string; original: string }[];
}

/** Deterministic bytes, so a failure can be replayed. */
function junk(size: number, seed = 7): Buffer {
  const out = Buffer.alloc(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe.each(TEST_DIALECTS)('contact import and export on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let dataDir: string;
  const setup = async (env: Record<string, string> = {}) => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-import-'));
    t = await createTestApp(dialect, { HERALD_DATA_DIR: dataDir, ...env });
    admin = await t.setupAdmin();
  };
  beforeEach(async () => setup());
  afterEach(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (
    body: string | Buffer | ReadableStream,
    query: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) =>
    t.request(`/api/contacts/imports?${new URLSearchParams({ orgUnitId: admin.orgUnitId, ...query })}`, {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'text/csv', ...headers },
      body: body as BodyInit,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  const job = async (id: string) =>
    (await (await t.request(`/api/contacts/imports/${id}`, { headers: admin.headers })).json()) as Job;
  /** Polls the progress endpoint until the job has ended, as a client would. */
  const finished = async (id: string) => {
    for (let i = 0; i < 2000; i++) {
      const j = await job(id);
      if (j.state !== 'running') return j;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('import did not finish');
  };
  const imported = async (body: string | Buffer, query: Record<string, string> = {}) => {
    const res = await upload(body, query);
    if (res.status !== 202) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    const accepted = (await res.json()) as Job;
    expect(res.headers.get('location')).toBe(`/api/contacts/imports/${accepted.id}`);
    return finished(accepted.id);
  };
  const errorsOf = async (id: string) =>
    (
      (await (
        await t.request(`/api/contacts/imports/${id}/errors?limit=500`, { headers: admin.headers })
      ).json()) as { items: RowError[] }
    ).items;
  const contacts = async (query = '') =>
    (
      (await (await t.request(`/api/contacts?limit=500${query}`, { headers: admin.headers })).json()) as {
        items: Contact[];
      }
    ).items;
  const count = async (table: 'contacts' | 'import_jobs' | 'consent_events' | 'import_row_errors') =>
    Number(
      (
        await t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const spooled = () =>
    fs.existsSync(path.join(dataDir, 'imports')) ? fs.readdirSync(path.join(dataDir, 'imports')) : [];

  it('imports the good rows and lists each bad one with its data row and CSV line number', async () => {
    const csv = [
      'name,mobile,kind,status,party,attr_customer_no',
      'Anna,0151 11111111,customer,,ACME,C-1',
      '"Bernd ""The Boss""",0151 2,customer,,ACME,C-2', // row 2: too short
      '"Carla',
      'Zweizeilig",0151 33333333,lead,open,,C-3', // row 3 spans lines 4-5
      '',
      'Dora,0151 44444444,employee,open,,', // row 4 (line 7): status does not fit
      'Emil,,other,,,', // row 5: no phone
      'Fritz,0151 66666666,alien,,,', // row 6: unknown kind
      'Gina,0151 77777777,other', // row 7: too few fields
      'Hans,0151 88888888,lead,CONVERTED,,C-8',
    ].join('\n');
    const j = await imported(csv);
    expect(j).toMatchObject({
      state: 'done',
      rowsTotal: 8,
      rowsImported: 3,
      rowsFailed: 5,
      rowsDuplicate: 0,
      error: null,
    });
    expect(j.bytesRead).toBe(Buffer.byteLength(csv));
    const errors = await errorsOf(j.id);
    expect(errors.map((e) => [e.rowNumber, e.lineNumber, e.kind])).toEqual([
      [2, 3, 'invalid_phone'],
      [4, 7, 'invalid_status'],
      [5, 8, 'no_phone'],
      [6, 9, 'invalid'],
      [7, 10, 'columns'],
    ]);
    expect(errors[0]?.message).toContain('mobile');
    expect(errors[0]?.raw).toContain('Bernd');
    const list = await contacts();
    expect(list.map((c) => c.name)).toEqual(['Anna', 'Carla\nZweizeilig', 'Hans']);
    expect(list[0]).toMatchObject({
      kind: 'customer_contact',
      party: 'ACME',
      attributes: { customer_no: 'C-1' },
    });
    expect(list[0]?.phones).toMatchObject([
      { e164: '+4915111111111', primary: true, label: 'mobile', original: '0151 11111111' },
    ]);
    expect(list[2]).toMatchObject({ kind: 'lead', status: 'converted' });
    expect(spooled()).toEqual([]);
  });

  it('pages through the row errors with a cursor', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `Bad ${i},12`);
    const j = await imported(['name,phone', ...rows].join('\n'));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.request(
        `/api/contacts/imports/${j.id}/errors?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: admin.headers },
      );
      const page = (await res.json()) as { items: RowError[]; nextCursor: string | null };
      seen.push(...page.items.map((e) => e.rowNumber));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('counts a row whose primary number exists in the unit, or on an earlier row, as a duplicate and imports it once', async () => {
    const existing = await t.request('/api/contacts', {
      method: 'POST',
      headers: admin.headers,
      json: {
        orgUnitId: admin.orgUnitId,
        kind: 'other',
        name: 'Already Here',
        phones: [{ number: '+4915111111111' }],
      },
    });
    expect(existing.status).toBe(201);
    const csv = [
      'name,mobile,phone',
      'One,0151 11111111,', // exists already
      'Two,+49 151 22222222,030 1234567',
      'Three,0151-2222-2222,', // same as row 2
      'Four,030 1234567,', // row 2's second number
      'Five,0151 55555555,0151 55555555', // the same number twice in one row is one phone
    ].join('\n');
    const j = await imported(csv);
    expect(j).toMatchObject({
      state: 'done',
      rowsTotal: 5,
      rowsImported: 2,
      rowsDuplicate: 3,
      rowsFailed: 0,
    });
    const errors = await errorsOf(j.id);
    expect(errors.map((e) => [e.rowNumber, e.kind])).toEqual([
      [1, 'duplicate'],
      [3, 'duplicate'],
      [4, 'duplicate'],
    ]);
    expect(errors[1]?.message).toContain('row 2');
    expect((await contacts()).map((c) => [c.name, c.phones.length])).toEqual([
      ['Already Here', 1],
      ['Five', 1],
      ['Two', 2],
    ]);
    // The same file again: every row is now a duplicate, nothing is imported twice.
    const again = await imported(csv);
    expect(again).toMatchObject({ rowsImported: 0, rowsDuplicate: 5 });
    expect(await count('contacts')).toBe(3);
  });

  it('detects duplicates across chunks (earlier chunks are already committed)', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `P${i},+49151${String(10000000 + i)}`);
    rows.push('Late twin,+4915110000005');
    const j = await imported(['name,mobile', ...rows].join('\n'));
    expect(j).toMatchObject({ rowsTotal: 2501, rowsImported: 2500, rowsDuplicate: 1 });
    expect((await errorsOf(j.id)).map((e) => e.rowNumber)).toEqual([2501]);
  });

  it('reads a semicolon file with BOM, CRLF line ends and German headers recognised by name', async () => {
    const csv =
      '\uFEFFFull Name;Mobile No;Company;Department\r\n"Müller; Jörg";0151 11111111;"ACME ""Süd""";Vertrieb\r\nÖzil;0151 22222222;;\r\n';
    const j = await imported(csv);
    expect(j).toMatchObject({ state: 'done', rowsImported: 2, rowsFailed: 0 });
    expect(j.options.delimiter).toBe(';');
    expect(j.options.columns).toEqual({
      name: 'Full Name',
      mobile: 'Mobile No',
      party: 'Company',
      department: 'Department',
    });
    const list = await contacts();
    expect(list.map((c) => c.name)).toEqual(['Müller; Jörg', 'Özil']);
    expect(list[0]?.party).toBe('ACME "Süd"');
  });

  it('reads a tab-separated file and honours an explicit mapping, ignoring unmapped columns', async () => {
    const csv = 'Kunde\tHandy\tNotiz\tNr\nAnna\t0151 11111111\tegal\t42\n';
    const j = await imported(csv, {
      mapping: JSON.stringify({ name: 'kunde', mobile: 'HANDY', attr_customer_no: 'Nr' }),
    });
    expect(j).toMatchObject({ state: 'done', rowsImported: 1 });
    expect(j.options).toMatchObject({ delimiter: '\t', ignoredColumns: ['Notiz'] });
    expect((await contacts())[0]?.attributes).toEqual({ customer_no: '42' });
    const wrong = await upload(csv, { mapping: JSON.stringify({ name: 'Kunde', mobile: 'Telefon' }) });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as Json).code).toBe('import.invalid_csv');
    const unknown = await upload(csv, { mapping: JSON.stringify({ nickname: 'Kunde' }) });
    expect(unknown.status).toBe(422);
  });

  it('refuses a file without a header line (or without a name column) with 422 and writes nothing', async () => {
    for (const csv of [
      'Anna,+4915111111111\nBernd,+4915122222222\n',
      'mobile\n+4915111111111\n',
      '',
      '\n\n',
    ]) {
      const res = await upload(csv);
      expect(res.status, JSON.stringify(csv)).toBe(422);
      expect(((await res.json()) as Json).code).toBe('import.invalid_csv');
    }
    expect(await count('import_jobs')).toBe(0);
    expect(await count('contacts')).toBe(0);
    expect(spooled()).toEqual([]);
  });

  it('a binary file is refused up front; header plus 5 MB of junk ends within bounds with no contact imported', async () => {
    const bin = await upload(junk(1024 * 1024));
    expect(bin.status).toBe(422);
    const started = Date.now();
    const j = await imported(Buffer.concat([Buffer.from('name,mobile\n'), junk(5 * 1024 * 1024, 11)]));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(['done', 'failed']).toContain(j.state);
    expect(j.rowsImported).toBe(0);
    expect(j.rowsFailed).toBeGreaterThan(0);
    expect(j.rowsTotal).toBe(j.rowsFailed + j.rowsDuplicate);
    if (j.state === 'failed') expect(j.error).toMatch(/not valid CSV from line \d+/);
    expect(await count('contacts')).toBe(0);
    expect(spooled()).toEqual([]);
  });

  it('an unclosed quote ends the job failed at its line, keeping the rows before it', async () => {
    const j = await imported('name,mobile\nAnna,0151 11111111\n"Bernd,0151 22222222\nCarla,0151 33333333\n');
    expect(j).toMatchObject({ state: 'failed', rowsImported: 1, rowsFailed: 1 });
    expect(j.error).toContain('line 3');
    expect((await errorsOf(j.id)).map((e) => [e.rowNumber, e.lineNumber, e.kind])).toEqual([
      [2, 3, 'invalid_csv'],
    ]);
  });

  it('stores formula-looking names literally and neutralises them on export while phones stay exact', async () => {
    const csv = [
      'name,mobile,department',
      '"=HYPERLINK(""http://evil.example"",""click"")",0151 11111111,@SUM(A1)',
      '+cmd|/C calc!A0,0151 22222222,-2+3',
      'Normal Name,0151 33333333,Sales',
    ].join('\n');
    const j = await imported(csv);
    expect(j.rowsImported).toBe(3);
    const names = (await contacts()).map((c) => c.name).sort();
    expect(names).toEqual(['+cmd|/C calc!A0', '=HYPERLINK("http://evil.example","click")', 'Normal Name']);
    const res = await t.request('/api/contacts/export.csv', { headers: admin.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel then reads UTF-8
    const text = bytes.toString('utf8');
    expect(text.startsWith('\uFEFFid,name,')).toBe(true);
    expect(text).toContain('\r\n');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    const byPhone = Object.fromEntries(rows.map((r) => [r.phone, r]));
    expect(byPhone['+4915111111111']).toMatchObject({
      name: `'=HYPERLINK("http://evil.example","click")`,
      department: "'@SUM(A1)",
    });
    expect(byPhone['+4915122222222']).toMatchObject({ name: "'+cmd|/C calc!A0", department: "'-2+3" });
    expect(byPhone['+4915133333333']).toMatchObject({ name: 'Normal Name', department: 'Sales' });
    for (const r of rows) expect(r.phone).toMatch(/^\+49151\d{8}$/);
  });

  it('the export applies the search filters and streams every matching contact', async () => {
    const rows = Array.from(
      { length: 1203 },
      (_, i) => `Lead ${String(i).padStart(4, '0')},+49151${String(20000000 + i)},lead`,
    );
    rows.push('Staff,+4915199999999,employee');
    await imported(['name,mobile,kind', ...rows].join('\n'));
    const leads = parse(
      await (await t.request('/api/contacts/export.csv?kind=lead', { headers: admin.headers })).text(),
      { bom: true, columns: true },
    ) as Record<string, string>[];
    expect(leads).toHaveLength(1203);
    expect(new Set(leads.map((r) => r.id)).size).toBe(1203);
    expect(leads[0]).toMatchObject({
      name: 'Lead 0000',
      kind: 'lead',
      phone: '+4915120000000',
      attributes: '{}',
    });
    const staff = parse(
      await (
        await t.request('/api/contacts/export.csv?phone=0151%2099999999', { headers: admin.headers })
      ).text(),
      { bom: true, columns: true },
    ) as Record<string, string>[];
    expect(staff.map((r) => r.name)).toEqual(['Staff']);
  });

  it('a consent column with an attestation writes consent events with the import as evidence', async () => {
    const attestation = 'Opt-in box on the paper form, scanned copies in DMS folder 7';
    const csv = [
      'name,mobile,phone,consent',
      'Anna,0151 11111111,030 1234567,yes',
      'Bernd,0151 22222222,,No',
      'Carla,0151 33333333,,',
      'Dora,0151 44444444,,maybe',
    ].join('\n');
    const j = await imported(csv, { attestation });
    expect(j).toMatchObject({ rowsImported: 3, rowsFailed: 1 });
    expect(j.options.consentColumn).toBe(true);
    expect((await errorsOf(j.id)).map((e) => [e.rowNumber, e.kind])).toEqual([[4, 'invalid_consent']]);
    const read = async (n: string) =>
      (await (
        await t.request(`/api/consent/${encodeURIComponent(n)}`, { headers: admin.headers })
      ).json()) as {
        state: string;
        history: { source: string; actor: Json; evidence: Json }[];
      };
    const anna = await read('+4915111111111');
    expect(anna.state).toBe('opted_in');
    expect(anna.history[0]).toMatchObject({
      source: 'import',
      actor: { type: 'user', id: admin.session.userId },
      evidence: { importJobId: j.id, attestation, rowNumber: 1 },
    });
    expect((await read('+49301234567')).state).toBe('opted_in');
    expect((await read('+4915122222222')).state).toBe('opted_out');
    expect(await read('+4915133333333')).toMatchObject({ state: 'unknown', history: [] });
    expect(await count('consent_events')).toBe(3);
  });

  it('refuses a consent column without an attestation with 422 and writes nothing', async () => {
    const res = await upload('name,mobile,consent\nAnna,0151 11111111,yes\n');
    expect(res.status).toBe(422);
    expect(((await res.json()) as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(['attestation']);
    expect(await count('import_jobs')).toBe(0);
    expect(await count('consent_events')).toBe(0);
  });

  it('the progress endpoint shows a running import advancing until it is done', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `Person ${i},+49151${String(30000000 + i)}`);
    const res = await upload(['name,mobile', ...rows].join('\n'));
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as Job;
    expect(accepted).toMatchObject({ state: 'running', rowsTotal: 0 });
    const seen: Job[] = [];
    for (;;) {
      const j = await job(accepted.id);
      seen.push(j);
      if (j.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ state: 'done', rowsTotal: 6000, rowsImported: 6000 });
    const partial = seen.filter((j) => j.state === 'running' && j.rowsImported > 0 && j.rowsImported < 6000);
    expect(partial.length).toBeGreaterThan(0);
    const imported = seen.map((j) => j.rowsImported);
    expect(imported).toEqual([...imported].sort((a, b) => a - b));
  });

  it('an import into, or a job of, a unit outside the caller scope is not found', async () => {
    const j = await imported('name,mobile\nAnna,0151 11111111\n');
    const unit = (await (
      await t.request('/api/org-units', {
        method: 'POST',
        headers: admin.headers,
        json: { name: 'Wien', parentId: null, defaultRegion: 'AT', timezone: 'Europe/Vienna' },
      })
    ).json()) as { id: string };
    await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'w@example.com',
        name: 'W',
        password: 'twelve chars min',
        roles: ['sms_user'],
        orgUnitIds: [unit.id],
      },
    });
    const s = await t.loginAs('w@example.com', 'twelve chars min');
    const h = { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
    expect((await t.request(`/api/contacts/imports/${j.id}`, { headers: h })).status).toBe(404);
    expect((await t.request(`/api/contacts/imports/${j.id}/errors`, { headers: h })).status).toBe(404);
    const into = await upload('name,mobile\nX,0151 11111111\n', {}, h);
    expect(into.status).toBe(404);
    expect(((await into.json()) as Json).code).toBe('org_unit.not_found');
  });

  it('accepts CSV only as text/csv on the import route', async () => {
    expect((await upload('name,mobile\n', {}, { 'content-type': 'text/plain' })).status).toBe(415);
    const json = await t.request(`/api/contacts/imports?orgUnitId=${admin.orgUnitId}`, {
      method: 'POST',
      headers: admin.headers,
      json: { name: 'x' },
    });
    expect(json.status).toBe(415);
    // Elsewhere text/csv is still refused by the JSON guard.
    const elsewhere = await t.request('/api/contacts', {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'text/csv' },
      body: 'name\n',
    });
    expect(elsewhere.status).toBe(415);
  });

  it('defaults HERALD_IMPORT_MAX_BYTES to 50 MiB', () => {
    expect(loadConfig({}).importMaxBytes).toBe(50 * 1024 * 1024);
  });

  it('stops a streamed upload just over the default 50 MiB with 413, without a job or a file', async () => {
    const mib = junk(1024 * 1024, 3);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 50) return controller.close(); // 51 MiB in all, no Content-Length
        sent++;
        controller.enqueue(sent === 1 ? Buffer.concat([Buffer.from('name,mobile\n'), mib]) : mib);
      },
    });
    const res = await upload(stream);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { limitBytes: number }).limitBytes).toBe(50 * 1024 * 1024);
    expect(await count('import_jobs')).toBe(0);
    expect(spooled()).toEqual([]);
  });

  it('answers 413 for an upload over HERALD_IMPORT_MAX_BYTES, declared or streamed, and keeps no file', async () => {
    await t.close();
    await setup({ HERALD_IMPORT_MAX_BYTES: '4096' });
    const big = `name,mobile\n${'Anna,0151 11111111\n'.repeat(400)}`;
    const declared = await upload(big, {}, { 'content-length': String(Buffer.byteLength(big)) });
    expect(declared.status).toBe(413);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10) return controller.close();
        sent++;
        controller.enqueue(new TextEncoder().encode('Anna,0151 11111111\n'.repeat(50)));
      },
    });
    const streamed = await upload(stream);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as Json).code).toBe('request.too_large');
    expect(await count('import_jobs')).toBe(0);
    expect(spooled()).toEqual([]);
    // Under the limit the same route works.
    expect((await upload('name,mobile\nAnna,0151 11111111\n')).status).toBe(202);
    const jobId = (await t.db.kysely.selectFrom('import_jobs').select('id').executeTakeFirstOrThrow()).id;
    await finished(jobId);
  });
});
