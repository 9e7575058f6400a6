import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/core/logger.js';
import { type RunningServer, startServer } from '../src/start.js';

/** Browser tests for the web app: a real `herald serve` (fresh SQLite, simulator gateway) and Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = fs.existsSync(CHROMIUM);
// Every browser test file imports this module: each says once why its tests are skipped.
if (!haveChromium) {
  console.log(
    `Browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it).`,
  );
}
const repo = fileURLToPath(new URL('..', import.meta.url));
export const SCREENSHOTS = path.join(repo, '.screenshots');

let built: Promise<void> | undefined;
/**
 * Builds web/ into dist/web (what the server serves) unless that build is newer than every source file.
 * Test files run in parallel processes: a lock file makes one of them build while the others wait.
 */
export function buildWebApp(): Promise<void> {
  built ??= (async () => {
    const lock = path.join(repo, 'dist', '.web-build.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        fs.closeSync(fs.openSync(lock, 'wx'));
        break;
      } catch {
        // Another process builds; a lock older than 3 minutes is left over from a crash.
        const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
        if (age > 180_000 || Date.now() > deadline) fs.rmSync(lock, { force: true });
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    try {
      if (webBuildIsCurrent()) return;
      const { build } = await import('vite');
      await build({ configFile: path.join(repo, 'web/vite.config.ts'), logLevel: 'error' });
    } finally {
      fs.rmSync(lock, { force: true });
    }
  })();
  return built;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function webBuildIsCurrent(): boolean {
  const index = path.join(repo, 'dist/web/index.html');
  if (!fs.existsSync(index)) return false;
  const sources = Math.max(newestMtime(path.join(repo, 'web')), newestMtime(path.join(repo, 'src/core')));
  return fs.statSync(index).mtimeMs > sources;
}

export interface Herald {
  server: RunningServer;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A free port on 127.0.0.1: the simulator posts its reports to HERALD_PUBLIC_URL, so the port is known up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startHerald(env: Record<string, string> = {}): Promise<Herald> {
  const port = String(await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-web-'));
  const server = await startServer(
    loadConfig({
      HERALD_DATA_DIR: dataDir,
      HERALD_HOST: '127.0.0.1',
      HERALD_PORT: port,
      HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
      HERALD_LOG_LEVEL: 'silent',
      HERALD_WORKER_POLL_MS: '50',
      ...env,
    }),
    { logger: silentLogger },
  );
  return {
    server,
    url: server.url,
    dataDir,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Chromium {
  context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile (its own cookies: one per signed-in user). */
export async function launchChromium(): Promise<Chromium> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as .screenshots/<name>.png (git-ignored; look at them). */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fails the test on any request that leaves the Herald origin (no CDNs, fonts or trackers). */
export function watchExternalRequests(page: Page, origin: string): string[] {
  const external: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) external.push(u);
  });
  return external;
}
