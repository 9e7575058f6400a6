import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'main.ts');

describe('herald CLI', { timeout: 90_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cli-'));
    env = { ...process.env, HERALD_DATA_DIR: dataDir, HERALD_DATABASE_URL: '', HERALD_LOG_LEVEL: 'info' };
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const run = (args: string[], input?: string, extraEnv: Record<string, string> = {}) =>
    spawnSync(TSX, [MAIN, ...args], {
      env: { ...env, ...extraEnv },
      input,
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('--help lists each command on one line', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    const commands = r.stdout
      .split('\n')
      .filter((l) => /^\s{2}(serve|migrate|admin)\b/.test(l))
      .map((l) => l.trim().split(/\s+/)[0]);
    expect(commands).toEqual(['serve', 'migrate', 'admin']);
  });

  it('migrate creates the SQLite file under the data directory, and a second run has nothing to do', () => {
    expect(run(['migrate']).stdout).toMatch(/Applied \d+ migration\(s\) on sqlite: 0001_identity, /);
    expect(fs.existsSync(path.join(dataDir, 'herald.db'))).toBe(true);
    expect(run(['migrate']).stdout).toContain('is up to date');
  });

  it('admin create makes the first administrator, then further ones; a weak password is refused', () => {
    const first = run(
      ['admin', 'create', '--email', 'Boss@Example.com', '--name', 'Boss', '--password-stdin'],
      'a long enough password\n',
    );
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(
      'Created the first administrator boss@example.com and the org unit "Head Office"',
    );
    const second = run(
      ['admin', 'create', '--email', 'two@example.com', '--name', 'Two', '--password-stdin'],
      'another long password\n',
    );
    expect(second.stdout).toContain('Created the administrator two@example.com');
    const weak = run(
      ['admin', 'create', '--email', 'three@example.com', '--name', 'Three', '--password-stdin'],
      'short\n',
    );
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('[validation.failed]');
    const dup = run(
      ['admin', 'create', '--email', 'two@example.com', '--name', 'Two', '--password-stdin'],
      'another long password\n',
    );
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('[user.email_taken]');
  });

  it('a bad setting stops the CLI with exit code 78 naming the variable', () => {
    const r = run(['migrate'], undefined, { HERALD_DATABASE_POOL_SIZE: 'lots' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('HERALD_DATABASE_POOL_SIZE');
  });

  it('an unknown command exits 2 with help', () => {
    const r = run(['launch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'launch'");
  });

  describe('serve', () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      child?.kill('SIGKILL');
    });

    it('starts on the embedded database, says how to create the first admin, and stops on SIGTERM', async () => {
      child = spawn(TSX, [MAIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in: ${out}`)), 20_000);
        child!.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = out.match(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
          if (m && out.includes('no administrator yet')) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      expect(out).toContain('herald admin create');
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', database: 'sqlite' });
      expect((await fetch(`${url}/api/docs`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    });
  });
});
