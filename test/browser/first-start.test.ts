import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { type RunningServer, startServer } from '../../src/start.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium)
  console.log(`Browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium).`);

describe.skipIf(!haveChromium)('first start in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-browser-'));
    server = await startServer(
      loadConfig({ HERALD_DATA_DIR: dataDir, HERALD_PORT: '0', HERALD_LOG_LEVEL: 'silent' }),
      {
        logger: silentLogger,
      },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks for the first administrator, then logs in with it; a wrong password shows the error', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('#setup').waitFor({ state: 'visible' });
    await page.fill('#s-name', 'Ada Admin');
    await page.fill('#s-email', 'ada@example.com');
    await page.fill('#s-password', 'correct horse battery');
    await page.click('#setup button[type=submit]');
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.inputValue('#l-email')).toBe('ada@example.com');

    await page.fill('#l-password', 'not the password');
    await page.click('#login button[type=submit]');
    await expect.poll(() => page.textContent('#error')).toBe('The email or password is not correct.');

    await page.fill('#l-password', 'correct horse battery');
    await page.click('#login button[type=submit]');
    await page.locator('#me').waitFor({ state: 'visible' });
    expect(await page.textContent('#me-text')).toBe('Logged in as Ada Admin (system_manager).');

    // A reload keeps the session (HttpOnly cookie), and setup is never offered again.
    await page.reload();
    await page.locator('#me').waitFor({ state: 'visible' });
    expect(await page.isHidden('#setup')).toBe(true);
  });

  it('renders the API reference from our own assets', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    await page.goto(`${server.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    expect(external.filter((u) => !u.startsWith('data:'))).toEqual([]);
  });
});
