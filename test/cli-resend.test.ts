import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'main.ts');

describe('herald resend', { timeout: 90_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[], input?: string) =>
    spawnSync(TSX, [MAIN, ...args], { env, input, encoding: 'utf8', timeout: 30_000 });
  const withDb = <T>(fn: (db: SqliteDatabase.Database) => T): T => {
    const db = new SqliteDatabase(path.join(dataDir, 'herald.db'));
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  let original: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cli-resend-'));
    env = { ...process.env, HERALD_DATA_DIR: dataDir, HERALD_DATABASE_URL: '', HERALD_LOG_LEVEL: 'warn' };
    const created = run(
      ['admin', 'create', '--email', 'boss@example.com', '--name', 'Boss', '--password-stdin'],
      'a long enough password\n',
    );
    expect(created.status, created.stderr).toBe(0);
    const sent = run([
      'send',
      '--to',
      '+4915123456789',
      '--text',
      'Your order shipped',
      '--reference',
      'order:SO-7',
    ]);
    expect(sent.status, sent.stderr).toBe(0);
    original = withDb((db) => {
      const m = db.prepare('select id from messages').get() as { id: string };
      db.prepare("update messages set status = 'failed', final_at = created_at where id = ?").run(m.id);
      return m.id;
    });
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('resends a failed message: a new queued message linked both ways', () => {
    const r = run(['resend', original]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const match = r.stdout.match(/^Resent ([0-9a-f-]+) as ([0-9a-f-]+): To be sent\.\n$/);
    expect(match?.[1]).toBe(original);
    const rows = withDb(
      (db) =>
        db
          .prepare(
            'select id, status, body, to_e164, reference_id, resent_of, resent_by from messages order by id',
          )
          .all() as Record<string, string | null>[],
    );
    expect(rows).toEqual([
      {
        id: original,
        status: 'failed',
        body: 'Your order shipped',
        to_e164: '+4915123456789',
        reference_id: 'SO-7',
        resent_of: null,
        resent_by: match?.[2],
      },
      {
        id: match?.[2],
        status: 'queued',
        body: 'Your order shipped',
        to_e164: '+4915123456789',
        reference_id: 'SO-7',
        resent_of: original,
        resent_by: null,
      },
    ]);
  });

  it('refuses a second resend and a message that cannot be resent, with exit code 1', () => {
    const again = run(['resend', original]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^error \[message\.already_resent\]: This message was already resent\.\n$/);
    const queued = withDb(
      (db) => (db.prepare("select id from messages where status = 'queued'").get() as { id: string }).id,
    );
    const notResendable = run(['resend', queued]);
    expect(notResendable.status).toBe(1);
    expect(notResendable.stderr).toMatch(/\[message\.not_resendable\].*To be sent/);
    const unknown = run(['resend', 'no-such-id']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/\[message\.not_found\]/);
    expect(withDb((db) => (db.prepare('select count(*) as n from messages').get() as { n: number }).n)).toBe(
      2,
    );
  });
});
