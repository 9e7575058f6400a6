import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'main.ts');

describe('herald messages list', { timeout: 90_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[], input?: string) =>
    spawnSync(TSX, [MAIN, ...args], { env, input, encoding: 'utf8', timeout: 30_000 });

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cli-messages-'));
    env = { ...process.env, HERALD_DATA_DIR: dataDir, HERALD_DATABASE_URL: '', HERALD_LOG_LEVEL: 'info' };
    const created = run(
      ['admin', 'create', '--email', 'boss@example.com', '--name', 'Boss', '--password-stdin'],
      'a long enough password\n',
    );
    expect(created.status, created.stderr).toBe(0);

    const db = new SqliteDatabase(path.join(dataDir, 'herald.db'));
    try {
      const unit = db.prepare('select id from org_units').get() as { id: string };
      db.prepare(
        `insert into batches (id, org_unit_id, sender_type, sender_ref, sender_name, message, category, request,
           requested_count, blocked_count, created_at)
         values ('batch-1', ?, 'user', 'u', 'Boss', 'Storm warning', 'transactional', '{}', 2, 0, '2026-11-20T10:00:00.000Z')`,
      ).run(unit.id);
      const insert = db.prepare(
        `insert into messages (id, org_unit_id, batch_id, to_input, to_e164, body, encoding, parts, characters,
           category, status, status_reason, expires_at, reference_type, reference_id, created_by_type, created_by_id,
           created_at, updated_at)
         values (@id, @unit, @batch, @input, @e164, @body, 'gsm7', @parts, 20, 'transactional', @status, @reason,
           '2026-12-31T00:00:00.000Z', @refType, @refId, 'user', 'u', @at, @at)`,
      );
      const rows = [
        [
          'm1',
          null,
          '+4915123456789',
          'Invoice INV-0042 is overdue',
          1,
          'failed',
          null,
          'invoice',
          'INV-0042',
          '2026-11-21T08:00:00.000Z',
        ],
        [
          'm2',
          'batch-1',
          '+4917612345678',
          'Storm warning for\nyour area',
          1,
          'delivered',
          null,
          null,
          null,
          '2026-11-20T10:00:00.000Z',
        ],
        [
          'm3',
          'batch-1',
          '+4930123456789',
          'Storm warning for your area',
          2,
          'blocked',
          'no_consent',
          null,
          null,
          '2026-11-20T10:00:00.000Z',
        ],
        [
          'm4',
          null,
          '+4915199999999',
          'Invoice INV-0043 paid, thank you',
          1,
          'delivered',
          null,
          'invoice',
          'INV-0043',
          '2026-11-19T07:00:00.000Z',
        ],
      ] as const;
      for (const [id, batch, e164, body, parts, status, reason, refType, refId, at] of rows) {
        insert.run({
          id,
          unit: unit.id,
          batch,
          input: e164,
          e164,
          body,
          parts,
          status,
          reason,
          refType,
          refId,
          at,
        });
      }
    } finally {
      db.close();
    }
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints a table, newest first, with the phone numbers masked', () => {
    const r = run(['messages', 'list']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CREATED \(UTC\)\s+TO\s+STATUS\s+PARTS\s+REFERENCE\s+TEXT$/);
    expect(lines.slice(1, 5).map((l) => l.slice(0, 16))).toEqual([
      '2026-11-21 08:00',
      '2026-11-20 10:00',
      '2026-11-20 10:00',
      '2026-11-19 07:00',
    ]);
    expect(r.stdout).toContain('+49151******89');
    expect(r.stdout).toContain('Sending failed');
    expect(r.stdout).toContain('Blocked (no_consent)');
    expect(r.stdout).toContain('invoice INV-0042');
    expect(r.stdout).toContain('Storm warning for your area'); // line breaks flattened
    for (const full of ['+4915123456789', '+4917612345678', '+4930123456789', '+4915199999999']) {
      expect(r.stdout).not.toContain(full);
    }
    expect(r.stdout).toContain('4 message(s).');
  });

  it('filters by status, phone, batch and reference, like the API', () => {
    const failed = run(['messages', 'list', '--status', 'failed', '--json']);
    expect(failed.status, failed.stderr).toBe(0);
    const ids = (out: string) => (JSON.parse(out) as { items: { id: string }[] }).items.map((i) => i.id);
    expect(ids(failed.stdout)).toEqual(['m1']);
    expect(ids(run(['messages', 'list', '--phone', '+49 176 12345678', '--json']).stdout)).toEqual(['m2']);
    expect(ids(run(['messages', 'list', '--batch', 'batch-1', '--json']).stdout)).toEqual(['m3', 'm2']); // same time: id descending;
    const ref = run([
      'messages',
      'list',
      '--reference-type',
      'invoice',
      '--reference-id',
      'INV-0043',
      '--json',
    ]);
    expect(ids(ref.stdout)).toEqual(['m4']);
  });

  it('--json masks numbers too unless --full-numbers; --limit pages', () => {
    const masked = JSON.parse(run(['messages', 'list', '--json', '--limit', '1']).stdout) as {
      items: { to: string }[];
      nextCursor: string | null;
    };
    expect(masked.items).toHaveLength(1);
    expect(masked.items[0]?.to).toBe('+49151******89');
    expect(masked.nextCursor).not.toBeNull();
    const full = run(['messages', 'list', '--full-numbers', '--status', 'failed']);
    expect(full.stdout).toContain('+4915123456789');
  });

  it('says so when nothing matches, and refuses a bad option with exit 1', () => {
    const none = run(['messages', 'list', '--status', 'expired']);
    expect(none.status).toBe(0);
    expect(none.stdout.trim()).toBe('No messages match.');
    const bad = run(['messages', 'list', '--status', 'gone']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('[validation.failed]');
  });
});
