import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/core/logger.js';
import { type RunningServer, startServer } from '../src/start.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'main.ts');
const run = promisify(execFile);

describe('herald inbound simulate / list', { timeout: 90_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let server: RunningServer;
  let accountId: string;
  // Asynchronous: the server answering the CLI runs in this process.
  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(TSX, [MAIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
      return { status: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { status: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cli-inbound-'));
    env = { ...process.env, HERALD_DATA_DIR: dataDir, HERALD_DATABASE_URL: '', HERALD_LOG_LEVEL: 'silent' };
    const created = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const p = execFile(
        TSX,
        [MAIN, 'admin', 'create', '--email', 'boss@example.com', '--name', 'Boss', '--password-stdin'],
        { env, encoding: 'utf8', timeout: 30_000 },
        (error, _stdout, stderr) => resolve({ status: error ? 1 : 0, stderr }),
      );
      p.stdin?.end('a long enough password\n');
    });
    expect(created.status, created.stderr).toBe(0);
    const db = new SqliteDatabase(path.join(dataDir, 'herald.db'));
    try {
      accountId = (db.prepare('select id from provider_accounts').get() as { id: string }).id;
    } finally {
      db.close();
    }
    // API only (no worker): the replies stay queued, nothing leaves the machine.
    server = await startServer(
      loadConfig({
        HERALD_DATA_DIR: dataDir,
        HERALD_DATABASE_URL: '',
        HERALD_PORT: '0',
        HERALD_LOG_LEVEL: 'silent',
      }),
      { logger: silentLogger, mode: 'api' },
    );
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a simulated handset sends STOP through the running server; list shows it newest first, masked', async () => {
    const hello = await cli([
      'inbound',
      'simulate',
      '--account',
      accountId,
      '--from',
      '+4915123456789',
      '--text',
      'Hello',
      '--url',
      server.url,
    ]);
    expect(hello.status, hello.stderr).toBe(0);
    expect(hello.stdout).toContain('answered 200');
    const stop = await cli([
      'inbound',
      'simulate',
      '--account',
      accountId,
      '--from',
      '+4915123456789',
      '--text',
      'STOP',
      '--url',
      server.url,
      '--id',
      'replay-1',
    ]);
    expect(stop.status, stop.stderr).toBe(0);
    // The same gateway id again: stored once.
    expect(
      (
        await cli([
          'inbound',
          'simulate',
          '--account',
          accountId,
          '--from',
          '+4915123456789',
          '--text',
          'STOP',
          '--url',
          server.url,
          '--id',
          'replay-1',
        ])
      ).status,
    ).toBe(0);

    const list = await cli(['inbound', 'list']);
    expect(list.status, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RECEIVED \(UTC\)\s+FROM\s+TO\s+KEYWORD\s+TEXT$/);
    expect(lines[1]).toContain('STOP → opted_out');
    expect(lines[2]).toContain('Hello');
    expect(list.stdout).not.toContain('+4915123456789');
    expect(list.stdout).toContain('2 inbound message(s).');

    const json = await cli(['inbound', 'list', '--json', '--full-numbers', '--keyword', 'opt_out']);
    const page = JSON.parse(json.stdout) as { items: { fromE164: string; text: string; to: string }[] };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ fromE164: '+4915123456789', text: 'STOP', to: 'Herald' });
  }, 120_000);

  it('refuses an account that is not a simulator, and bad list options', async () => {
    const missing = await cli([
      'inbound',
      'simulate',
      '--account',
      'nope',
      '--from',
      '+4915123456789',
      '--text',
      'x',
      '--url',
      server.url,
    ]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('gateway.not_found');
    const bad = await cli(['inbound', 'list', '--keyword', 'shout']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('validation.failed');
  }, 60_000);
});
