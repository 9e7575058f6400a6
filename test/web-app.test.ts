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

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const BRANCH_USER = { name: 'Bob Branch', email: 'bob@example.com', password: 'another long password' };
const NUMBERS = {
  anna: '+4915111111101',
  bernd: '+4915111111102',
  carla: '+4915111111103', // customer contact without consent
  dialog1: '+4915111111201',
  dialog2: '+4915111111202',
  failing: '+4915111111301',
};

/** A node-side API session (cookie + CSRF), for arranging data the screens under test then show. */
async function apiSession(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${res.status}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** Status label shown in the overview row of a number. */
const rowStatus = (page: Page, phone: string) =>
  page
    .locator('[data-testid=messages-table] tbody tr', { hasText: phone })
    .first()
    .locator('[data-testid=status-cell]');

describe.skipIf(!haveChromium)('the web app in a real browser', { timeout: 60_000 }, () => {
  let herald: Herald;
  let browser: Chromium;
  let page: Page;
  let external: string[];
  let api: Awaited<ReturnType<typeof apiSession>>;
  let headOffice: string;
  let gatewayId: string;

  beforeAll(async () => {
    await buildWebApp();
    // A retry budget of 1: a message the (busy) simulator never takes fails after one retry.
    herald = await startHerald({ HERALD_RETRY_BUDGET: '1' });
    browser = await launchChromium();
    page = await browser.newPage();
    external = watchExternalRequests(page, herald.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  it('first run creates the administrator, who then signs in', async () => {
    await page.goto(`${herald.url}/`);
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await shot(page, '01-first-run');
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByRole('textbox', { name: /^Password/ }).fill(ADMIN.password);
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Create administrator' }).click();

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe(ADMIN.email);
    await page.getByRole('textbox', { name: /^Password/ }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('sign-in-error').textContent())
      .toBe('The email or password is not correct.');
    await shot(page, '02-sign-in-error');
    await page.getByRole('textbox', { name: /^Password/ }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'SMS Center' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sms-center');
    await expect.poll(() => page.getByTestId('org-unit-switcher').inputValue()).toBe('Head Office');

    // Arrange: customer contacts (one without consent), a standard text, a gateway that always delivers.
    api = await apiSession(herald.url, ADMIN.email, ADMIN.password);
    const units = await api<{ items: { id: string }[] }>('GET', '/api/org-units');
    headOffice = units.items[0]!.id;
    for (const [first, phone, consent] of [
      ['Anna', NUMBERS.anna, true],
      ['Bernd', NUMBERS.bernd, true],
      ['Carla', NUMBERS.carla, false],
    ] as const) {
      await api('POST', '/api/contacts', {
        name: `${first} Kunde`,
        firstName: first,
        kind: 'customer_contact',
        party: 'ACME GmbH',
        orgUnitId: headOffice,
        phones: [{ number: phone, label: 'mobile' }],
        attributes: {},
      });
      if (consent) await api('POST', '/api/consent', { phone, state: 'opted_in', orgUnitId: headOffice });
    }
    await api('POST', '/api/consent', { phone: NUMBERS.dialog1, state: 'opted_in', orgUnitId: headOffice });
    await api('POST', '/api/templates', {
      name: 'Spring sale',
      body: 'Hello {{contact.first_name}}, our spring sale starts Monday.',
      category: 'marketing',
      orgUnitId: headOffice,
    });
    const gateways = await api<{ items: { id: string }[] }>('GET', '/api/gateways');
    gatewayId = gateways.items[0]!.id;
    await api('PATCH', `/api/gateways/${gatewayId}`, {
      settings: {
        acceptanceRate: 1,
        deliveryRate: 1,
        noReportRate: 0,
        latencyMs: { min: 10, max: 20 },
        reportDelayMs: { min: 1500, max: 2000 },
      },
    });
  });

  it('composes to All Customer Contact with a standard text, shows the receiver list and sends', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'SMS Center' }).waitFor();
    await expect.poll(() => page.getByTestId('send-to-group').inputValue()).toBe('All Customer Contact');
    await page.getByRole('button', { name: 'Create Receiver List' }).click();
    const list = page.getByTestId('receiver-list');
    await list.waitFor();
    await expect.poll(() => list.locator('tbody tr').count()).toBe(3);
    const carla = list.locator('tbody tr', { hasText: 'Carla Kunde' });
    expect(await carla.getAttribute('data-eligibility')).toBe('no_consent');
    expect(await carla.textContent()).toContain('No consent');
    expect(await page.getByTestId('total-ok').textContent()).toBe('Will be sent: 2');
    expect(await page.getByTestId('total-blocked').textContent()).toBe('Will not be sent: 1');

    // The standard text goes in at the cursor: after what is typed already.
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('PS: ');
    await box.press('Home');
    await page.getByRole('button', { name: 'Standard texts' }).click();
    await page.getByRole('menuitem', { name: /Spring sale/ }).click();
    await expect
      .poll(() => box.inputValue())
      .toBe('Hello {{contact.first_name}}, our spring sale starts Monday.PS: ');
    await box.fill('Hello {{contact.first_name}}, our spring sale starts Monday.');
    await expect.poll(() => page.getByTestId('count-parts').textContent()).toBe('1');
    expect(await page.getByTestId('count-encoding').textContent()).toContain('GSM-7');
    await shot(page, '03-sms-center-receiver-list');

    // A Unicode character is highlighted with a one-click replacement.
    await box.fill('Hello {{contact.first_name}}, our spring sale starts Monday – don’t miss it.');
    await page.getByTestId('ucs2-helper').waitFor();
    expect(await page.getByTestId('count-encoding').textContent()).toContain('UCS-2');
    expect(await page.locator('.ucs2-mark').allTextContents()).toEqual(['–', '’']);
    await shot(page, '04-sms-center-unicode');
    await page.getByRole('button', { name: 'Replace all with plain characters' }).click();
    await expect
      .poll(() => box.inputValue())
      .toBe("Hello {{contact.first_name}}, our spring sale starts Monday - don't miss it.");
    expect(await page.getByTestId('count-encoding').textContent()).toContain('GSM-7');

    await page.getByTestId('send-sms').click();
    // Asked once, with how many will get it.
    await expect.poll(() => page.getByTestId('confirm-text').textContent()).toContain('to 2 recipients');
    await shot(page, '05a-sms-center-confirm');
    await page.getByTestId('confirm-send').click();
    const result = page.getByTestId('send-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('2 queued, 0 scheduled, 1 blocked');
    await shot(page, '05-sms-center-sent');
    expect(await page.getByRole('link', { name: 'Open the SMS Log entry' }).getAttribute('href')).toMatch(
      /^\/sms-log\//,
    );
  });

  it('shows the statuses change live in the overview, without a reload', async () => {
    await page.getByRole('link', { name: 'Watch the messages' }).click();
    await page.getByRole('heading', { name: 'SMS messages' }).waitFor();
    // A marker on the window survives only if the page is never reloaded.
    await page.evaluate(() => {
      (window as unknown as { heraldMarker: number }).heraldMarker = 42;
    });
    await expect.poll(() => rowStatus(page, NUMBERS.carla).textContent()).toContain('Blocked');
    expect(await rowStatus(page, NUMBERS.carla).textContent()).toContain(
      'No consent to send messages to this number',
    );
    // Anna's message passes through its statuses and ends as Received (the simulator reports after 1.5–2 s).
    await expect
      .poll(() => rowStatus(page, NUMBERS.anna).textContent(), { timeout: 15_000 })
      .toContain('Received');
    await expect
      .poll(() => rowStatus(page, NUMBERS.bernd).textContent(), { timeout: 15_000 })
      .toContain('Received');
    expect(await page.evaluate(() => (window as unknown as { heraldMarker?: number }).heraldMarker)).toBe(42);
    await shot(page, '06-messages-live');

    // Row detail: the status history.
    await page.locator('tbody tr', { hasText: NUMBERS.anna }).getByRole('button').first().click();
    const detail = page.getByTestId('message-detail');
    await detail.waitFor();
    await expect.poll(() => detail.textContent()).toContain('Accepted by gateway');
    expect(await detail.textContent()).toContain('Received');
    await page.waitForTimeout(400); // the drawer's slide-in, for the screenshot
    await shot(page, '07-message-detail');
    await page.keyboard.press('Escape');

    // The SMS Log lists the send action with requested and sent counts, and drills down.
    await page.getByRole('link', { name: 'SMS Log' }).click();
    const batches = page.getByTestId('batches-table');
    await batches.waitFor();
    const row = batches.locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toContain('Ada Admin');
    await expect.poll(() => row.getByTestId('sent-count').textContent()).toBe('2');
    expect(await row.textContent()).toContain('3');
    await shot(page, '08-sms-log');
    await row.getByRole('link').click();
    await expect.poll(() => page.getByTestId('batch-sent-count').textContent()).toBe('2');
    await expect.poll(() => page.locator('[data-testid=messages-table] tbody tr').count()).toBe(3);
    await shot(page, '09-sms-log-detail');
  });

  it('sends from the dialog with Keep window open; a number without consent cannot be sent to', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Send SMS' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send SMS' });
    await dialog.waitFor();
    const phone = dialog.getByRole('textbox', { name: 'Phone number' });
    const text = dialog.getByRole('textbox', { name: 'SMS text' });
    const send = dialog.getByRole('button', { name: 'Send', exact: true });

    await phone.fill(NUMBERS.dialog2);
    await dialog.getByText('Marketing', { exact: true }).click();
    await text.fill('Our offer for you');
    await expect.poll(() => dialog.textContent()).toContain('No consent is registered for this number');
    expect(await send.isDisabled()).toBe(true);
    await shot(page, '10-dialog-no-consent');

    await dialog.getByText('Transactional', { exact: true }).click();
    await phone.fill(NUMBERS.dialog1);
    await expect.poll(() => dialog.textContent()).toContain('Consent is registered.');
    await dialog.getByRole('checkbox', { name: 'Keep window open' }).check();
    await text.fill('Your order 1042 has shipped.');
    await expect.poll(() => send.isEnabled()).toBe(true);
    await send.click();
    const outcome = dialog.getByTestId('dialog-outcome');
    await expect.poll(() => outcome.textContent()).toContain(`The SMS to ${NUMBERS.dialog1} was sent`);
    expect(await dialog.isVisible()).toBe(true);
    expect(await text.inputValue()).toBe('');
    await shot(page, '11-dialog-kept-open');

    // A second one in a row, this time closing the window.
    await text.fill('Your order 1043 has shipped too.');
    await dialog.getByRole('checkbox', { name: 'Keep window open' }).uncheck();
    await send.click();
    await dialog.waitFor({ state: 'hidden' });
    const sent = await api<{ items: { body: string }[] }>(
      'GET',
      `/api/messages?phone=${encodeURIComponent(NUMBERS.dialog1)}`,
    );
    expect(sent.items.map((m) => m.body).sort()).toEqual([
      'Your order 1042 has shipped.',
      'Your order 1043 has shipped too.',
    ]);
  });

  it('resends a failed message; the new row is marked Resent', async () => {
    await api('PATCH', `/api/gateways/${gatewayId}`, { settings: { retryableRate: 1 } });
    await api('POST', '/api/consent', { phone: NUMBERS.failing, state: 'opted_in', orgUnitId: headOffice });
    await api('POST', '/api/messages', {
      to: NUMBERS.failing,
      orgUnitId: headOffice,
      text: 'Your invoice is due.',
    });
    await page.getByRole('link', { name: 'SMS messages' }).click();
    await page.getByRole('heading', { name: 'SMS messages' }).waitFor();
    await expect
      .poll(() => rowStatus(page, NUMBERS.failing).textContent(), { timeout: 20_000 })
      .toContain('Sending failed');
    const resend = page.getByTestId('resend');
    expect(await resend.isDisabled()).toBe(true);
    // A delivered message cannot be resent.
    await page.locator('tbody tr', { hasText: NUMBERS.anna }).getByRole('radio').check();
    expect(await resend.isDisabled()).toBe(true);
    await api('PATCH', `/api/gateways/${gatewayId}`, { settings: { retryableRate: 0 } });
    await page.locator('tbody tr', { hasText: NUMBERS.failing }).first().getByRole('radio').check();
    await expect.poll(() => resend.isEnabled()).toBe(true);
    await resend.click();
    const rows = page.locator('[data-testid=messages-table] tbody tr', { hasText: NUMBERS.failing });
    await expect.poll(() => rows.count()).toBe(2);
    const fresh = rows.filter({ has: page.getByTestId('resent-mark') });
    expect(await fresh.count()).toBe(1);
    await expect
      .poll(() => fresh.locator('[data-testid=status-cell]').textContent(), { timeout: 15_000 })
      .toContain('Received');
    await shot(page, '12-resent');
  });

  it('keeps what was typed when the session ends, and asks to sign in again', async () => {
    await page.getByRole('link', { name: 'SMS Center' }).click();
    // Toasts of earlier steps close first (they sit above the page).
    await page.locator('.mantine-Notification-root').first().waitFor({ state: 'detached', timeout: 10_000 });
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('A text that must survive');
    // The session ends elsewhere (signed out in another tab).
    const cookie = (await browser.context.cookies()).find((c) => c.name === 'herald_session')!;
    const me = await fetch(`${herald.url}/api/auth/me`, {
      headers: { cookie: `herald_session=${cookie.value}` },
    });
    const { csrfToken } = (await me.json()) as { csrfToken: string };
    await fetch(`${herald.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie: `herald_session=${cookie.value}`, 'x-csrf-token': csrfToken },
    });
    await page.getByRole('button', { name: 'Create Receiver List' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    await shot(page, '13-session-ended');
    await dialog.getByLabel('Email').fill(ADMIN.email);
    await dialog.getByRole('textbox', { name: /^Password/ }).fill(ADMIN.password);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('.mantine-Modal-overlay').waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('A text that must survive');
    await page.getByRole('button', { name: 'Create Receiver List' }).click();
    await page.getByTestId('receiver-list').waitFor();
  });

  it('works at phone width', async () => {
    const phone = await browser.newPage({ width: 390, height: 844 });
    await phone.goto(`${herald.url}/messages`);
    await phone.getByRole('heading', { name: 'SMS messages' }).waitFor();
    // Cards instead of a table: nothing scrolls sideways.
    await expect.poll(() => phone.locator('[data-testid=messages-cards] [data-id]').count()).toBe(7);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(phone, '14-phone-messages');
    await phone.getByRole('button', { name: 'Open the menu' }).click();
    await phone.getByRole('link', { name: 'SMS Center' }).click();
    await phone.getByRole('heading', { name: 'SMS Center' }).waitFor();
    await shot(phone, '15-phone-sms-center');
    await phone.close();
  });

  it('a user of another org unit sees none of these messages', async () => {
    const branch = await api<{ id: string }>('POST', '/api/org-units', {
      name: 'Branch North',
      parentId: null,
      defaultRegion: 'DE',
      timezone: 'Europe/Berlin',
    });
    await api('POST', '/api/users', { ...BRANCH_USER, orgUnitIds: [branch.id], roles: ['sms_user'] });
    const other = await launchChromium();
    try {
      const p = await other.newPage();
      await p.goto(`${herald.url}/`);
      await p.getByLabel('Email').fill(BRANCH_USER.email);
      await p.getByRole('textbox', { name: /^Password/ }).fill(BRANCH_USER.password);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('link', { name: 'SMS messages' }).click();
      await p.getByRole('heading', { name: 'SMS messages' }).waitFor();
      await expect.poll(() => p.getByText('Nothing to show.').count()).toBe(1);
      expect(await p.locator('[data-testid=messages-table] tbody tr').count()).toBe(0);
      expect(await p.getByTestId('org-unit-switcher').inputValue()).toBe('Branch North');
      await shot(p, '16-other-unit-messages');
      await p.getByRole('link', { name: 'SMS Log' }).click();
      await p.getByTestId('batches-table').waitFor();
      await expect.poll(() => p.getByText('Nothing to show.').count()).toBe(1);
      // Not even without any org unit filter: the server scopes every list to the user's units.
      const bob = await apiSession(herald.url, BRANCH_USER.email, BRANCH_USER.password);
      expect((await bob<{ items: unknown[] }>('GET', '/api/messages')).items).toEqual([]);
      expect((await bob<{ items: unknown[] }>('GET', '/api/batches')).items).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('loads nothing from outside Herald; the API reference is served from our own assets too', async () => {
    expect(external).toEqual([]);
    const docs = await browser.newPage();
    const outside = watchExternalRequests(docs, herald.url);
    await docs.goto(`${herald.url}/api/docs`);
    await docs.locator('.opblock').first().waitFor({ timeout: 15_000 });
    expect(await docs.locator('.opblock').count()).toBeGreaterThan(10);
    expect(outside).toEqual([]);
    await docs.close();
  });

  it('serves the app for its own routes on reload, and problem+json for unknown API paths', async () => {
    const page2 = await fetch(`${herald.url}/sms-log/some-id`, { headers: { accept: 'text/html' } });
    expect(page2.status).toBe(200);
    expect(page2.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page2.text()).toContain('<div id="root">');
    const api404 = await fetch(`${herald.url}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api404.status).toBe(404);
    expect(api404.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
  });
});
