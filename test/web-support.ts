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
const repo = fileURLToPath(new URL('..', import.meta.url));
export const SCREENSHOTS = path.join(repo, '.screenshots');

let built: Promise<void> | undefined;
/** Builds web/ into dist/web (what the server serves) once per test process. */
export function buildWebApp(): Promise<void> {
  built ??= (async () => {
    const { build } = await import('vite');
    await build({ configFile: path.join(repo, 'web/vite.config.ts'), logLevel: 'error' });
  })();
  return built;
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
