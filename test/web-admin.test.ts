import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from './helpers/webhook-receiver.js';
import { setupAndSignIn } from './web-admin-support.js';
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

const ADMIN = { name: 'Greta Gateways', email: 'greta@example.com', password: 'correct horse battery' };
const KANNEL_PASSWORD = 'kannel-Secret-4711';

describe.skipIf(!haveChromium)(
  'gateways, administration and dashboard in a real browser',
  { timeout: 90_000 },
  () => {
    let herald: Herald;
    let browser: Chromium;
    let page: Page;
    let external: string[];
    let api: Awaited<ReturnType<typeof setupAndSignIn>>;
    let headOffice: string;
    let receiver: Receiver;

    beforeAll(async () => {
      await buildWebApp();
      // A Kannel on this machine is a private address: allowed here, as for a self-hosted gateway.
      receiver = await startReceiver();
      herald = await startHerald({
        HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
        // The webhook receiver of the test is on 127.0.0.1 over http.
        HERALD_WEBHOOKS_ALLOW_PRIVATE: 'true',
        HERALD_WEBHOOKS_ALLOW_HTTP: 'true',
      });
      browser = await launchChromium();
      page = await browser.newPage();
      external = watchExternalRequests(page, herald.url);
      api = await setupAndSignIn(herald, page, ADMIN);
      headOffice = (await api<{ items: { id: string }[] }>('GET', '/api/org-units')).items[0]!.id;
      // The built-in simulator delivers every message it takes, reporting after a short while.
      const gateways = await api<{ items: { id: string }[] }>('GET', '/api/gateways');
      await api('PATCH', `/api/gateways/${gateways.items[0]!.id}`, {
        settings: {
          acceptanceRate: 1,
          deliveryRate: 1,
          noReportRate: 0,
          latencyMs: { min: 10, max: 20 },
          reportDelayMs: { min: 300, max: 600 },
        },
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await herald?.stop();
      await receiver?.close();
    });

    it('adds a gateway with a secret that is masked after saving; a test send goes through the simulator', async () => {
      await page.getByRole('link', { name: 'Gateways' }).click();
      await page.getByRole('heading', { name: 'Gateways', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Add gateway' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add gateway' });
      await dialog.waitFor();
      await dialog.getByRole('combobox', { name: 'Kind', exact: true }).click();
      await page.getByRole('option', { name: 'Kannel' }).click();
      await dialog.getByLabel(/^Name/).fill('Kannel office');
      await dialog.getByLabel('sendsmsUrl').fill('http://127.0.0.1:13013/cgi-bin/sendsms');
      await dialog.getByLabel('username').fill('herald');
      await dialog.getByLabel(/^password/).fill(KANNEL_PASSWORD);
      await dialog.getByLabel('Throughput limit (messages per second)').fill('25');
      // A missing setting is refused next to its field, and nothing typed is lost.
      await dialog.getByLabel('username').fill('');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByTestId('gateway-check').waitFor();
      expect(await dialog.getByLabel('username').getAttribute('aria-invalid')).toBe('true');
      expect(await dialog.textContent()).toContain('Fill in this setting.');
      // The server refuses what the form cannot know: a price without a currency, next to the currency.
      await dialog.getByLabel('username').fill('herald');
      await dialog.getByLabel('Price per part (in cents)').fill('7');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => dialog.getByTestId('gateway-error').textContent()).toContain('currency');
      expect(await dialog.getByLabel(/^Currency/).getAttribute('aria-invalid')).toBe('true');
      expect(await dialog.getByLabel(/^password/).inputValue()).toBe(KANNEL_PASSWORD);
      await shot(page, 'a01-gateway-form-error');
      await dialog.getByLabel(/^Currency/).fill('EUR');
      await dialog.getByLabel('username').fill('herald');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const card = page.locator('[data-testid=gateway-card][data-name="Kannel office"]');
      await card.waitFor();
      expect(await card.textContent()).toContain('25 messages per second');
      expect(await card.getByRole('textbox', { name: 'Delivery report URL' }).inputValue()).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/api\/callbacks\//,
      );
      // The secret never comes back: masked by the API, an empty "keep it" field in the form.
      const saved = await api<{ items: { name: string; settings: Record<string, unknown> }[] }>(
        'GET',
        '/api/gateways',
      );
      expect(saved.items.find((g) => g.name === 'Kannel office')!.settings.password).toBe('********');
      await card.getByRole('button', { name: 'Edit Kannel office' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit Kannel office' });
      await edit.waitFor();
      const secret = edit.getByLabel(/^password/);
      expect(await secret.inputValue()).toBe('');
      expect(await edit.textContent()).toContain('Set — leave empty to keep it');
      expect(await edit.getByLabel('username').inputValue()).toBe('herald');
      expect(await page.content()).not.toContain(KANNEL_PASSWORD);
      await shot(page, 'a02-gateway-edit-masked');
      // Saving without touching the secret keeps it.
      await edit.getByLabel(/^Name/).fill('Kannel office 2');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'hidden' });
      await page.locator('[data-testid=gateway-card][data-name="Kannel office 2"]').waitFor();
      const after = await api<{ items: { name: string; settings: Record<string, unknown> }[] }>(
        'GET',
        '/api/gateways',
      );
      expect(after.items.find((g) => g.name === 'Kannel office 2')!.settings.password).toBe('********');

      // Test send through the built-in simulator.
      const simulator = page.locator('[data-testid=gateway-card][data-name="Simulator"]');
      await simulator.getByRole('button', { name: 'Test send Simulator' }).click();
      const test = page.getByRole('dialog', { name: 'Test send through Simulator' });
      await test.getByLabel('To (phone number)').fill('+4915133330001');
      await test.getByRole('button', { name: 'Send test' }).click();
      await expect
        .poll(() => test.getByTestId('test-send-result').textContent())
        .toMatch(/^The gateway took the message \((accepted|sent)\)/);
      await shot(page, 'a03-test-send');
      await test.getByRole('button', { name: 'Close' }).first().click();
    });

    it('creates an API key that is shown once, and works', async () => {
      await page.getByRole('link', { name: 'Administration' }).click();
      await page.getByRole('heading', { name: 'Administration' }).waitFor();
      await page.getByRole('tab', { name: 'API keys' }).click();
      await page.getByRole('button', { name: 'Create API key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create API key' });
      await dialog.getByLabel(/^Name/).fill('ERP production');
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const value = dialog.getByTestId('api-key-value');
      await value.waitFor();
      const key = await value.inputValue();
      expect(key).toMatch(/^hk_/);
      expect(await dialog.textContent()).toContain('shown only this once');
      await shot(page, 'a04-api-key-once');
      const me = await fetch(`${herald.url}/api/auth/me`, { headers: { authorization: `Bearer ${key}` } });
      expect(me.status).toBe(200);
      await dialog.getByRole('button', { name: 'I have stored the key' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const row = page.locator('[data-testid=api-keys-table] tbody tr[data-name="ERP production"]');
      await row.waitFor();
      expect(await page.content()).not.toContain(key);
      // Opening the dialog again starts empty: the key cannot be shown a second time.
      await page.getByRole('button', { name: 'Create API key' }).click();
      expect(
        await page.getByRole('dialog', { name: 'Create API key' }).getByLabel(/^Name/).inputValue(),
      ).toBe('');
      await page.keyboard.press('Escape');
      await shot(page, 'a05-api-keys');

      // The audit log lists the key's creation.
      await page.getByRole('tab', { name: 'Audit log' }).click();
      const audit = page.getByTestId('audit-table');
      await expect.poll(() => audit.textContent()).toContain('api_key_created');
      expect(await audit.textContent()).toContain('gateway_created');
      expect(await audit.textContent()).toContain(ADMIN.name);
      await page.getByRole('tab', { name: 'Org units' }).click();
      await page.getByTestId('org-unit-tree').waitFor();
      await shot(page, 'a06-org-units');
    });

    it('adds an org unit with its consent policy, a user for it, and changes the unit’s keyword replies', async () => {
      await page.getByRole('tab', { name: 'Org units' }).click();
      await page.getByRole('button', { name: 'Add a unit under Head Office' }).click();
      const unitDialog = page.getByRole('dialog', { name: 'Add org unit' });
      await unitDialog.getByLabel(/^Name/).fill('Branch Vienna');
      await unitDialog.getByLabel('Default phone region').fill('AT');
      await unitDialog.getByLabel('Time zone').fill('Europe/Vienna');
      await unitDialog.getByRole('checkbox', { name: 'Transactional' }).check();
      await unitDialog.getByRole('button', { name: 'Save' }).click();
      await unitDialog.waitFor({ state: 'hidden' });
      const vienna = page.getByRole('treeitem', { name: 'Branch Vienna' });
      await vienna.waitFor();
      expect(await vienna.getAttribute('aria-level')).toBe('2');
      expect(await vienna.textContent()).toContain('Consent needed for: Marketing, Transactional');

      await vienna.getByRole('button', { name: 'Keywords and replies' }).click();
      const kw = page.getByRole('dialog', { name: 'Keywords and replies of Branch Vienna' });
      const help = kw.getByLabel('Help text');
      // The defaults follow the unit's region: German for AT.
      await expect.poll(() => help.inputValue()).toContain('HILFE');
      await help.fill('{{org_unit.name}}: call us on +43 1 234 567.');
      await kw.getByRole('button', { name: 'Save' }).click();
      await kw.waitFor({ state: 'hidden' });
      const units = await api<{ items: { id: string; name: string }[] }>('GET', '/api/org-units');
      const viennaId = units.items.find((u) => u.name === 'Branch Vienna')!.id;
      const settings = await api<{ customized: boolean; replies: { help: string } }>(
        'GET',
        `/api/org-units/${viennaId}/keywords`,
      );
      expect(settings).toMatchObject({
        customized: true,
        replies: { help: '{{org_unit.name}}: call us on +43 1 234 567.' },
      });

      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByRole('button', { name: 'Add user' }).click();
      const userDialog = page.getByRole('dialog', { name: 'Add user' });
      await userDialog.getByLabel(/^Name/).fill('Victor Vienna');
      await userDialog.getByLabel(/^Email/).fill('victor@example.com');
      await userDialog.getByRole('textbox', { name: /^Password/ }).fill('short');
      await userDialog.getByRole('button', { name: 'Save' }).click();
      // Too short a password is refused next to the password; the rest stays.
      await expect.poll(() => userDialog.getByRole('alert').textContent()).toContain('password');
      expect(await userDialog.locator('.mantine-PasswordInput-error').count()).toBe(1);
      expect(await userDialog.getByLabel(/^Email/).inputValue()).toBe('victor@example.com');
      await userDialog.getByRole('textbox', { name: /^Password/ }).fill('a long enough password');
      await userDialog.getByRole('button', { name: 'Save' }).click();
      await userDialog.waitFor({ state: 'hidden' });
      const row = page.locator('[data-testid=users-table] tbody tr', { hasText: 'Victor Vienna' });
      await row.waitFor();
      expect(await row.textContent()).toContain('SMS user');
      await shot(page, 'a06-users');
    });

    it('adds a status webhook, shows its secret once, and lists its deliveries with their attempts', async () => {
      await page.getByRole('tab', { name: 'Webhooks' }).click();
      await page.getByRole('button', { name: 'Add webhook' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add webhook' });
      await dialog.getByLabel(/^URL/).fill(receiver.url);
      await dialog.getByRole('button', { name: 'Save' }).click();
      const secret = await dialog.getByLabel('Signing secret').inputValue();
      expect(secret.length).toBeGreaterThan(20);
      await dialog.getByRole('button', { name: 'Done' }).click();
      const row = page.locator('[data-testid=webhooks-table] tbody tr', { hasText: receiver.url });
      await row.waitFor();
      await row.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => receiver.requests.length, { timeout: 15_000 }).toBeGreaterThan(0);
      await row.getByRole('button', { name: 'Deliveries' }).click();
      const deliveries = page.getByTestId('webhook-deliveries');
      await deliveries.waitFor();
      await expect
        .poll(
          async () => {
            await page.getByRole('dialog').getByRole('button', { name: 'Refresh' }).click();
            return deliveries.textContent();
          },
          { timeout: 15_000 },
        )
        .toContain('Delivered');
      expect(await deliveries.textContent()).toContain('HTTP 204');
      await page.waitForTimeout(400); // the drawer's slide-in, for the screenshot
      await shot(page, 'a07-webhook-deliveries');
      await page.keyboard.press('Escape');
    });

    it('shows the dashboard with charts of the period’s messages', async () => {
      for (const [i, phone] of ['+4915144440001', '+4915144440002', '+4915144440003'].entries()) {
        await api('POST', '/api/consent', { phone, state: 'opted_in', orgUnitId: headOffice });
        await api('POST', '/api/messages', { to: phone, orgUnitId: headOffice, text: `Your code is ${i}` });
      }
      await api('POST', '/api/messages', {
        to: '+4915144440009',
        orgUnitId: headOffice,
        text: 'No consent',
        category: 'marketing',
      });
      // Wait until the simulator has reported on the three it took (the fourth is blocked).
      await expect
        .poll(
          async () =>
            (await api<{ items: { status: string }[] }>('GET', '/api/messages?limit=10')).items
              .map((m) => m.status)
              .sort(),
          { timeout: 20_000 },
        )
        .toEqual(['blocked', 'delivered', 'delivered', 'delivered']);
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      // Test send messages are not in the log; these four are.
      await expect.poll(() => page.getByTestId('stat-messages').textContent()).toBe('Messages4');
      expect(await page.getByTestId('stat-rate').textContent()).toContain('100.0 %');
      expect(await page.getByTestId('stat-parts').textContent()).toBe('SMS parts used3');
      const bars = page.locator('[data-testid=chart-per-day] .recharts-bar-rectangle');
      await expect.poll(() => bars.count()).toBeGreaterThan(0);
      await page.getByText('Last 7 days', { exact: true }).click();
      await expect
        .poll(() =>
          page.locator('[data-testid=chart-per-day] .recharts-xAxis .recharts-cartesian-axis-tick').count(),
        )
        .toBe(7);
      await expect.poll(() => page.getByTestId('per-org-unit').textContent()).toContain('Head Office');
      await page.waitForTimeout(600); // chart animations, for the screenshot
      await shot(page, 'a08-dashboard');
      const phone = await browser.newPage({ width: 390, height: 844 });
      await phone.goto(`${herald.url}/dashboard`);
      await phone.getByTestId('stat-messages').waitFor();
      await phone.waitForTimeout(600);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot(phone, 'a09-phone-dashboard');
      await phone.close();
      expect(external).toEqual([]);
    });
  },
);
