import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSession, firstStart } from './web-admin-support.js';
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
const adminApi = (url: string) => apiSession(url, ADMIN.email, ADMIN.password);

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
      const { orgUnitId } = await firstStart(herald, ADMIN);
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

/** The Edit button of a gateway card or a sender configuration row (its label names the row). */
const editButton = (page: Page, name: string) =>
  page.getByRole('button', { name: `Edit ${name}`, exact: true });

async function signIn(page: Page, url: string, who: { email: string; password: string }) {
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByRole('textbox', { name: /^Password/ }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SMS Center' }).waitFor();
  await page.getByRole('link', { name: 'Gateways' }).click();
  await page.getByRole('heading', { name: 'Sender configurations' }).waitFor();
  // The lists have arrived once the shared Simulator and the shared Default configuration show.
  await page.locator('[data-testid=gateway-card][data-name="Simulator"]').waitFor();
  await page.getByTestId('senders-table').getByRole('cell', { name: 'Default', exact: true }).waitFor();
}

describe.skipIf(!haveChromium)(
  'sender configurations and edit actions follow who owns them, in a real browser',
  { timeout: 90_000 },
  () => {
    // Head Office → North (unit B) → Hamburg (unit A). Nils manages Hamburg: he sees North's gateway and
    // sender (usable below North) and the shared ones, but manages only Hamburg's.
    let herald: Herald;
    let managerBrowser: Chromium;
    let adminBrowser: Chromium;
    let manager: Page;
    let admin: Page;
    let external: string[];
    let api: Awaited<ReturnType<typeof adminApi>>;
    let north: string;
    let hamburg: string;

    type SenderRow = { id: string; name: string; orgUnitId: string | null; providerAccountId: string };
    const senders = async () => (await api<{ items: SenderRow[] }>('GET', '/api/senders')).items;

    beforeAll(async () => {
      await buildWebApp();
      herald = await startHerald();
      const { orgUnitId } = await firstStart(herald, ADMIN);
      api = await adminApi(herald.url);
      const unit = async (name: string, parentId: string) =>
        (
          await api<{ id: string }>('POST', '/api/org-units', {
            name,
            parentId,
            defaultRegion: 'DE',
            timezone: 'Europe/Berlin',
          })
        ).id;
      north = await unit('North', orgUnitId);
      hamburg = await unit('Hamburg', north);
      const gateway = async (name: string, owner: string) =>
        (await api<{ id: string }>('POST', '/api/gateways', { name, kind: 'simulator', orgUnitId: owner }))
          .id;
      const northGateway = await gateway('North gateway', north);
      await gateway('Hamburg gateway', hamburg);
      await api('POST', '/api/senders', {
        name: 'North sender',
        senderId: 'NorthCo',
        providerAccountId: northGateway,
        orgUnitId: north,
      });
      await api('POST', '/api/users', {
        ...MANAGER,
        name: 'Nils North',
        roles: ['sms_manager'],
        orgUnitIds: [hamburg],
      });
      managerBrowser = await launchChromium();
      manager = await managerBrowser.newPage();
      external = watchExternalRequests(manager, herald.url);
      await signIn(manager, herald.url, MANAGER);
      adminBrowser = await launchChromium();
      admin = await adminBrowser.newPage();
      watchExternalRequests(admin, herald.url);
      await signIn(admin, herald.url, ADMIN);
    }, 180_000);

    afterAll(async () => {
      await managerBrowser?.close();
      await adminBrowser?.close();
      await herald?.stop();
    });

    it('the unit manager sees Edit only on their unit’s gateway; test sends stay on every listed gateway', async () => {
      for (const name of ['Simulator', 'North gateway', 'Hamburg gateway']) {
        await manager.locator(`[data-testid=gateway-card][data-name="${name}"]`).waitFor();
        expect(await manager.getByRole('button', { name: `Test send ${name}`, exact: true }).count()).toBe(1);
      }
      expect(await editButton(manager, 'Hamburg gateway').count()).toBe(1);
      expect(await editButton(manager, 'Simulator').count()).toBe(0);
      expect(await editButton(manager, 'North gateway').count()).toBe(0);
      // The owner is shown, so a missing Edit has a visible reason.
      const simulator = manager.locator('[data-testid=gateway-card][data-name="Simulator"]');
      expect(await simulator.getByTestId('gateway-owner').textContent()).toBe(
        'Org unit: Shared (every unit)',
      );
      const northCard = manager.locator('[data-testid=gateway-card][data-name="North gateway"]');
      expect(await northCard.getByTestId('gateway-owner').textContent()).toBe('Org unit: a unit above yours');
    });

    it('the unit manager adds a sender configuration for their unit; it is saved as Hamburg’s, and only it is editable', async () => {
      await manager.getByRole('button', { name: 'Add sender configuration' }).click();
      const dialog = manager.getByRole('dialog', { name: 'Add sender configuration' });
      await dialog.waitFor();
      const owner = dialog.getByRole('combobox', { name: 'Org unit', exact: true });
      // The unit chosen in the header (his only one), and no "Shared" to pick.
      expect(await manager.getByRole('combobox', { name: 'Current org unit' }).inputValue()).toBe('Hamburg');
      expect(await owner.inputValue()).toBe('Hamburg');
      await owner.click();
      await manager.getByRole('option', { name: 'Hamburg' }).waitFor();
      expect(await manager.getByRole('option', { name: 'Shared (every unit)' }).count()).toBe(0);
      await manager.keyboard.press('Escape');
      await dialog.getByLabel(/^Name/).fill('Hamburg sender');
      await dialog.getByLabel(/^Sender ID/).fill('HamburgCo');
      await dialog.getByRole('combobox', { name: 'Gateway', exact: true }).click();
      await manager.getByRole('option', { name: 'Hamburg gateway' }).click();
      await shot(manager, 'g02-unit-manager-sender-form');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const table = manager.getByTestId('senders-table');
      await table.getByRole('cell', { name: 'Hamburg sender', exact: true }).waitFor();
      const saved = (await senders()).find((s) => s.name === 'Hamburg sender');
      expect(saved?.orgUnitId).toBe(hamburg);
      const gateways = (await api<{ items: { id: string; name: string }[] }>('GET', '/api/gateways')).items;
      expect(saved?.providerAccountId).toBe(gateways.find((g) => g.name === 'Hamburg gateway')?.id);

      expect(await editButton(manager, 'Hamburg sender').count()).toBe(1);
      expect(await editButton(manager, 'Default').count()).toBe(0);
      expect(await editButton(manager, 'North sender').count()).toBe(0);
      await shot(manager, 'g03-unit-manager-gateways');
      expect(external).toEqual([]);
    });

    it('a refusal from the server stays in the sender form with what was typed', async () => {
      await manager.getByRole('button', { name: 'Add sender configuration' }).click();
      const dialog = manager.getByRole('dialog', { name: 'Add sender configuration' });
      await dialog.waitFor();
      await dialog.getByLabel(/^Name/).fill('North sender');
      await dialog.getByLabel(/^Sender ID/).fill('Taken');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/already has this name/);
      expect(await dialog.getByLabel(/^Name/).inputValue()).toBe('North sender');
      expect((await senders()).filter((s) => s.name === 'North sender')).toHaveLength(1);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
    });

    it('the system manager sees Edit on every gateway and sender configuration and adds a shared one', async () => {
      await admin.reload();
      await admin
        .getByTestId('senders-table')
        .getByRole('cell', { name: 'Hamburg sender', exact: true })
        .waitFor();
      for (const name of [
        'Simulator',
        'North gateway',
        'Hamburg gateway',
        'Default',
        'North sender',
        'Hamburg sender',
      ]) {
        expect(await editButton(admin, name).count(), name).toBe(1);
      }

      await admin.getByRole('button', { name: 'Add sender configuration' }).click();
      const dialog = admin.getByRole('dialog', { name: 'Add sender configuration' });
      await dialog.waitFor();
      const owner = dialog.getByRole('combobox', { name: 'Org unit', exact: true });
      // Defaults to the unit chosen in the header; "Shared" is offered.
      const current = await admin.getByRole('combobox', { name: 'Current org unit' }).inputValue();
      expect(await owner.inputValue()).toBe(current);
      await owner.click();
      await admin.getByRole('option', { name: 'Shared (every unit)' }).click();
      // A shared configuration may only use shared gateways.
      const gateway = dialog.getByRole('combobox', { name: 'Gateway', exact: true });
      expect(await gateway.inputValue()).toBe('Simulator');
      await gateway.click();
      await admin.getByRole('option', { name: 'Simulator' }).waitFor();
      expect(await admin.getByRole('option', { name: 'North gateway' }).count()).toBe(0);
      await admin.getByRole('option', { name: 'Simulator' }).click();
      await dialog.getByLabel(/^Name/).fill('Company sender');
      await dialog.getByLabel(/^Sender ID/).fill('Company');
      await shot(admin, 'g04-system-manager-shared-sender-form');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await admin
        .getByTestId('senders-table')
        .getByRole('cell', { name: 'Company sender', exact: true })
        .waitFor();
      expect((await senders()).find((s) => s.name === 'Company sender')?.orgUnitId).toBeNull();
      expect(await editButton(admin, 'Company sender').count()).toBe(1);
      await shot(admin, 'g05-system-manager-gateways');
    });
  },
);
