import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'main.ts');

describe('herald contacts import', { timeout: 60_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let orgUnitId: string;
  const run = (args: string[], input?: string) =>
    spawnSync(TSX, [MAIN, ...args], { env, input, encoding: 'utf8', timeout: 60_000 });
  const query = <T>(sql: string): T[] => {
    const db = new SqliteDatabase(path.join(dataDir, 'herald.db'), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  const write = (name: string, text: string) => {
    const file = path.join(dataDir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cli-contacts-'));
    env = { ...process.env, HERALD_DATA_DIR: dataDir, HERALD_DATABASE_URL: '', HERALD_LOG_LEVEL: 'warn' };
    const admin = run(
      ['admin', 'create', '--email', 'boss@example.com', '--name', 'Boss', '--password-stdin'],
      'a long enough password\n',
    );
    expect(admin.status).toBe(0);
    orgUnitId = query<{ id: string }>('select id from org_units')[0]!.id;
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('imports the good rows, prints totals and the failed rows, and exits 1 because a row failed', () => {
    const file = write(
      'contacts.csv',
      'name;mobile;kind\nAnna;0151 11111111;customer\nBernd;12;lead\nCarla;0151 33333333;lead\n',
    );
    const r = run(['contacts', 'import', file, '--org-unit', orgUnitId]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Import \S+ done: 3 rows — 2 imported, 0 duplicate, 1 failed\./);
    expect(r.stdout).toContain('row 2 (line 3) invalid_phone: mobile: "12" is too short');
    const rows = query<{ name: string; kind: string; e164: string }>(
      'select c.name, c.kind, p.e164 from contacts c join contact_phones p on p.contact_id = c.id order by c.name',
    );
    expect(rows).toEqual([
      { name: 'Anna', kind: 'customer_contact', e164: '+4915111111111' },
      { name: 'Carla', kind: 'lead', e164: '+4915133333333' },
    ]);
    expect(query<{ created_by: string; state: string }>('select created_by, state from import_jobs')).toEqual(
      [{ created_by: 'system', state: 'done' }],
    );
  });

  it('exits 0 when every row is imported or a duplicate, and prints a progress line per 10,000 rows when stderr is no terminal', () => {
    const rows = Array.from({ length: 10_500 }, (_, i) => `P${i},+49151${String(10000000 + i)}`);
    const file = write('many.csv', ['name,mobile', ...rows, 'Twin,+4915110000000'].join('\n'));
    const r = run(['contacts', 'import', file, '--org-unit', 'head office', '--kind', 'employee']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/done: 10501 rows — 10500 imported, 1 duplicate, 0 failed\./);
    expect(r.stdout).toContain('row 10501 (line 10502) duplicate');
    expect(r.stderr.match(/^progress: \d+% \d+ rows/gm)).toHaveLength(1);
    expect(query<{ n: number }>("select count(*) as n from contacts where kind = 'employee'")[0]!.n).toBe(
      10_500,
    );
  });

  it('refuses a consent column without --attestation and an unknown org unit without creating a job; with it, consent is recorded for the system actor', () => {
    const file = write('consent.csv', 'name,mobile,consent\nAnna,0151 11111111,yes\n');
    const noAttestation = run(['contacts', 'import', file, '--org-unit', orgUnitId]);
    expect(noAttestation.status).toBe(1);
    expect(noAttestation.stderr).toContain('[validation.failed]');
    const withIt = run([
      'contacts',
      'import',
      file,
      '--org-unit',
      orgUnitId,
      '--attestation',
      'signed forms',
    ]);
    expect(withIt.status).toBe(0);
    expect(
      query<{ source: string; actor_id: string }>('select source, actor_id from consent_events'),
    ).toEqual([{ source: 'import', actor_id: 'system' }]);
    const unknown = run(['contacts', 'import', file, '--org-unit', 'nowhere']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('[org_unit.not_found]');
    expect(query<{ n: number }>('select count(*) as n from import_jobs')[0]!.n).toBe(1);
  });
});
