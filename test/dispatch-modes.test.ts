import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../src/db/db.js';
import { statusCounts, waitFor } from './helpers/dispatch-fixtures.js';
import { type HeraldProcess, startHerald, waitForOutput } from './helpers/dispatch-process.js';

/** `herald serve` (API + worker), `herald serve --mode api` (no worker) and `herald worker`, as real processes on one SQLite file. */
describe('herald serve and herald worker modes', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let db: Db;
  const running: HeraldProcess[] = [];
  const herald = (args: string[]) => {
    const p = startHerald(args, env);
    running.push(p);
    return p;
  };
  const run = async (args: string[]) => {
    const p = herald(args);
    return { code: await p.exited, output: p.output() };
  };
  const queue = async (n: number) => {
    const to = Array.from({ length: n }, (_, i) => [
      '--to',
      `+49151${String(Date.now() % 1e7).padStart(7, '0')}${i}`,
    ]);
    const r = await run(['send', ...to.flat(), '--text', 'Your parcel is on its way']);
    expect(r.code, r.output).toBe(0);
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-modes-'));
    env = {
      HERALD_DATA_DIR: dataDir,
      HERALD_DATABASE_URL: '',
      HERALD_PORT: '0',
      HERALD_WORKER_POLL_MS: '50',
      HERALD_LOG_LEVEL: 'info',
    };
    const p = startHerald(
      ['admin', 'create', '--email', 'boss@example.com', '--name', 'Boss', '--password-stdin'],
      env,
      'a long enough password\n',
    );
    expect(await p.exited, p.output()).toBe(0);
    db = openDb({ kind: 'sqlite', file: path.join(dataDir, 'herald.db') });
    // The default Simulator account, made predictable: every submit accepted quickly, no reports.
    await db.kysely
      .updateTable('provider_accounts')
      .set({
        settings: JSON.stringify({ latencyMs: { min: 5, max: 20 }, acceptanceRate: 1, noReportRate: 1 }),
      })
      .execute();
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.kill('SIGKILL');
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('--mode api serves the API but sends nothing; herald serve (mode all) sends', async () => {
    await queue(3);
    const api = herald(['serve', '--mode', 'api']);
    await waitForOutput(api, /herald listening/);
    await new Promise((r) => setTimeout(r, 1500)); // thirty poll intervals of a worker
    expect(await statusCounts(db)).toEqual({ queued: 3 });
    expect(api.output()).not.toContain('worker started');
    expect(await api.kill('SIGTERM')).toBe(0);

    const all = herald(['serve']);
    await waitForOutput(all, /worker started/);
    await waitFor(async () => (await statusCounts(db)).accepted === 3, 15_000, 'three accepted');
    expect(await all.kill('SIGTERM')).toBe(0);
    expect(all.output()).toContain('worker stopped');
  }, 60_000);

  it('herald worker sends without an HTTP server and stops gracefully on SIGTERM', async () => {
    const before = (await statusCounts(db)).accepted ?? 0;
    await queue(2);
    const worker = herald(['worker']);
    await waitForOutput(worker, /worker started/);
    await waitFor(async () => (await statusCounts(db)).accepted === before + 2, 15_000, 'two more accepted');
    expect(worker.output()).not.toContain('herald listening');
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(worker.output()).toContain('worker stopped');
  }, 60_000);

  it('an unknown mode is a usage error', async () => {
    const r = await run(['serve', '--mode', 'worker']);
    expect(r.code).toBe(2);
    expect(r.output).toContain('--mode');
  });
});
