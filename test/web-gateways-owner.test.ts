import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWebApp,
  type Chromium,
  type Herald,
  haveChromium,
  launchChromium,
  shot,
  startHerald,
  watchExternalRequests,
} from './web-support.js';

const ADMIN = { name: 'Olga Owner', email: 'olga@example.com', password: 'correct horse battery' };
const MANAGER = { email: 'nils@example.com', password: 'twelve chars min' };

/** A node-side API session of the system manager, to arrange units and users and check the result. */
async function adminApi(url: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  };
}

describe.skipIf(!haveChromium)(
  'a unit manager adds a gateway for their unit in a real browser',
  { timeout: 90_000 },
  () => {
    let herald: Herald;
    let browser: Chromium;
    let page: Page;
    let external: string[];
    let api: Awaited<ReturnType<typeof adminApi>>;
    let north: string;

    beforeAll(async () => {
      await buildWebApp();
      herald = await startHerald();
      const setup = await fetch(`${herald.url}/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...ADMIN,
          orgUnit: { name: 'Head Office', defaultRegion: 'DE', timezone: 'Europe/Berlin' },
        }),
      });
      const { orgUnitId } = (await setup.json()) as { orgUnitId: string };
      api = await adminApi(herald.url);
      north = (
        await api<{ id: string }>('POST', '/api/org-units', {
          name: 'North',
          parentId: orgUnitId,
          defaultRegion: 'DE',
          timezone: 'Europe/Berlin',
        })
      ).id;
      await api('POST', '/api/users', {
        ...MANAGER,
        name: 'Nils North',
        roles: ['sms_manager'],
        orgUnitIds: [north],
      });
      browser = await launchChromium();
      page = await browser.newPage();
      external = watchExternalRequests(page, herald.url);
      await page.goto(`${herald.url}/`);
      await page.getByLabel('Email').fill(MANAGER.email);
      await page.getByRole('textbox', { name: /^Password/ }).fill(MANAGER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'SMS Center' }).waitFor();
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await herald?.stop();
    });

    it('the form offers their unit (not "Shared"); the saved gateway is North’s, with its callback URL', async () => {
      await page.getByRole('link', { name: 'Gateways' }).click();
      await page.getByRole('heading', { name: 'Gateways', exact: true }).waitFor();
      // The shared Simulator is listed by name, without its callback URL.
      const simulator = page.locator('[data-testid=gateway-card][data-name="Simulator"]');
      await simulator.waitFor();
      expect(await simulator.getByRole('textbox', { name: 'Delivery report URL' }).count()).toBe(0);

      await page.getByRole('button', { name: 'Add gateway' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add gateway' });
      await dialog.waitFor();
      const owner = dialog.getByRole('combobox', { name: 'Org unit', exact: true });
      expect(await owner.inputValue()).toBe('North');
      await owner.click();
      expect(await page.getByRole('option', { name: 'Shared (every unit)' }).count()).toBe(0);
      await page.getByRole('option', { name: 'North' }).click();
      await dialog.getByLabel(/^Name/).fill('North simulator');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const card = page.locator('[data-testid=gateway-card][data-name="North simulator"]');
      await card.waitFor();
      expect(await card.getByRole('textbox', { name: 'Delivery report URL' }).inputValue()).toMatch(
        /\/api\/callbacks\/[\w-]{43}$/,
      );
      await shot(page, 'g01-unit-manager-gateway');
      const all = await api<{ items: { name: string; orgUnitId: string | null }[] }>('GET', '/api/gateways');
      expect(all.items.find((g) => g.name === 'North simulator')?.orgUnitId).toBe(north);
      expect(external).toEqual([]);
    });
  },
);
