import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'main.ts');

describe('herald send', { timeout: 90_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[], input?: string) =>
    spawnSync(TSX, [MAIN, ...args], { env, input, encoding: 'utf8', timeout: 30_000 });
  const rows = () => {
    const db = new SqliteDatabase(path.join(dataDir, 'herald.db'), { readonly: true });
    try {
      return db
        .prepare(
          'select to_input, to_e164, status, status_reason, body, reference_id from messages order by created_at, id',
        )
        .all() as Record<string, string | null>[];
    } finally {
      db.close();
    }
  };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cli-send-'));
    env = { ...process.env, HERALD_DATA_DIR: dataDir, HERALD_DATABASE_URL: '', HERALD_LOG_LEVEL: 'warn' };
    const created = run(
      ['admin', 'create', '--email', 'boss@example.com', '--name', 'Boss', '--password-stdin'],
      'a long enough password\n',
    );
    expect(created.status, created.stderr).toBe(0);
    const db = new SqliteDatabase(path.join(dataDir, 'herald.db'));
    const unit = db.prepare('select id from org_units').get() as { id: string };
    db.prepare(
      `insert into templates (id, org_unit_id, name, category, body, variables, created_by, created_at, updated_at)
       values ('t1', ?, 'Reminder', 'transactional', 'Hi {{contact.first_name}}, a reminder from {{sender.org_unit}}.', '[]', null, '2026-11-22T00:00:00Z', '2026-11-22T00:00:00Z')`,
    ).run(unit.id);
    db.prepare(
      `insert into contacts (id, org_unit_id, kind, name, first_name, attributes, created_at, updated_at)
       values ('c1', ?, 'customer_contact', 'Anna Schmidt', 'Anna', '{}', '2026-11-22T00:00:00Z', '2026-11-22T00:00:00Z')`,
    ).run(unit.id);
    db.prepare(
      `insert into contact_phones (id, contact_id, org_unit_id, label, is_primary, e164, country, line_type, original, position)
       values ('p1', 'c1', ?, 'mobile', 1, '+4915100000001', 'DE', 'mobile', '0151 00000001', 0)`,
    ).run(unit.id);
    db.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('queues a text to numbers through the default simulator route, with a reference', () => {
    const r = run([
      'send',
      '--to',
      '+4915123456789',
      '--to',
      '0151 23456780',
      '--text',
      'Your order shipped',
      '--reference',
      'order:SO-7',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /^Batch [0-9a-f-]+: 2 requested, 2 queued, 0 scheduled, 0 blocked, 0 duplicate\.\n$/,
    );
    expect(rows()).toEqual([
      {
        to_input: '+4915123456789',
        to_e164: '+4915123456789',
        status: 'queued',
        status_reason: null,
        body: 'Your order shipped',
        reference_id: 'SO-7',
      },
      {
        to_input: '0151 23456780',
        to_e164: '+4915123456780',
        status: 'queued',
        status_reason: null,
        body: 'Your order shipped',
        reference_id: 'SO-7',
      },
    ]);
  });

  it('sends a standard text to a group, rendered per contact', () => {
    const r = run(['send', '--group', 'all-customer-contacts', '--template', 'reminder']);
    expect(r.stdout).toContain(': 1 requested, 1 queued');
    expect(rows().at(-1)).toMatchObject({
      to_e164: '+4915100000001',
      body: 'Hi Anna, a reminder from Head Office.',
    });
  });

  it('refuses bad input with the error code and exit code 1, writing nothing', () => {
    const before = rows().length;
    for (const args of [
      ['send', '--to', '+4915123456789', '--text', '   '],
      ['send', '--to', '+49151; rm -rf /', '--text', 'x', '--at', '2020-01-01T00:00:00Z'],
      ['send', '--group', 'everyone', '--text', 'x'],
      ['send', '--group', 'all-customer-contacts', '--template', 'nope'],
    ]) {
      const r = run(args);
      expect(r.status, r.stdout).toBe(1);
      expect(r.stderr).toMatch(
        /^error \[(message\.empty_text|message\.invalid_schedule|validation\.failed|template\.not_found)\]/,
      );
    }
    expect(rows().length).toBe(before);
  });
});
