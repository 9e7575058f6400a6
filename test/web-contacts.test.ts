import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const ADMIN = { name: 'Cora Contacts', email: 'cora@example.com', password: 'correct horse battery' };

/** Picks `option` in the Mantine Select labelled `label` (inside `scope`). */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

// Customer file from an ERP: German headers Herald does not know by name ("Kunde", "Handy"), so the
// name column must be mapped by hand; "Telefon" and "Firma" are guessed as phone and party? No: only
// "Handy" (mobile) is recognised. Rows: three good, a bad number, a duplicate of row 1, a row without any number.
const CSV = [
  'Kunde;Vorname;Handy;Firma;Notiz',
  'Anna Import;Anna;+4915122220001;ACME GmbH;VIP',
  'Bert Import;Bert;+4915122220002;ACME GmbH;',
  'Cleo Import;Cleo;0151 22220003;Beta AG;',
  'Dora Kaputt;Dora;12;Beta AG;falsche Nummer',
  'Anna Doppelt;Anna;+4915122220001;ACME GmbH;doppelt',
  'Emil Ohne;Emil;;Beta AG;keine Nummer',
].join('\r\n');

describe.skipIf(!haveChromium)('contacts and standard texts in a real browser', { timeout: 90_000 }, () => {
  let herald: Herald;
  let browser: Chromium;
  let page: Page;
  let external: string[];
  let api: Awaited<ReturnType<typeof setupAndSignIn>>;
  let simulatorId: string;

  beforeAll(async () => {
    await buildWebApp();
    herald = await startHerald();
    browser = await launchChromium();
    page = await browser.newPage();
    external = watchExternalRequests(page, herald.url);
    api = await setupAndSignIn(herald, page, ADMIN);
    // The default simulator gateway delivers every message, reporting after a short while.
    const gateways = await api<{ items: { id: string }[] }>('GET', '/api/gateways');
    simulatorId = gateways.items[0]!.id;
    await api('PATCH', `/api/gateways/${simulatorId}`, {
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
  });

  it('imports contacts from a CSV: column mapping, progress, and the rows not imported with their reason', async () => {
    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByRole('heading', { name: 'Import contacts' }).waitFor();
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'kunden.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
    const mapping = page.getByTestId('import-mapping');
    await mapping.waitFor();
    // "Handy" is recognised as the mobile number, "Vorname" is not a known header, "Kunde" neither: no name yet.
    expect(
      await page.getByRole('combobox', { name: 'CSV column: Mobile (primary)', exact: true }).inputValue(),
    ).toBe('Handy');
    await expect.poll(() => page.getByText('Choose a column for the name').count()).toBe(1);
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    await choose(page, 'CSV column: Name', 'Kunde');
    await choose(page, 'CSV column: First name', 'Vorname');
    await choose(page, 'CSV column: Party', 'Firma');
    await choose(page, 'Kind of rows without a kind', 'Customer contact');
    expect(await mapping.textContent()).toContain('Anna Import'); // the first row as a sample
    await shot(page, 'c01-import-mapping');
    await importButton.click();

    const progress = page.getByTestId('import-progress');
    await progress.waitFor();
    await expect.poll(() => progress.getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    expect(await page.getByTestId('import-status').textContent()).toBe(
      'Import finished: 3 contacts imported, 1 duplicates, 2 errors.',
    );
    expect(await page.getByText('(not imported): Notiz').count()).toBe(1);
    const errors = page.getByTestId('import-errors');
    await errors.waitFor();
    const rows = errors.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.kind))).toEqual([
      'invalid_phone',
      'duplicate',
      'no_phone',
    ]);
    expect(await rows.nth(0).textContent()).toContain('Dora Kaputt');
    await shot(page, 'c02-import-result');

    // The contacts are there, as customer contacts of ACME / Beta, with national numbers read as German.
    const contacts = await api<{
      items: { name: string; kind: string; party: string; phones: { e164: string }[] }[];
    }>('GET', '/api/contacts?limit=50');
    expect(contacts.items.map((c) => [c.name, c.kind, c.party, c.phones[0]?.e164])).toEqual([
      ['Anna Import', 'customer_contact', 'ACME GmbH', '+4915122220001'],
      ['Bert Import', 'customer_contact', 'ACME GmbH', '+4915122220002'],
      ['Cleo Import', 'customer_contact', 'Beta AG', '+4915122220003'],
    ]);
  });

  it('shows a contact page with numbers and consent; consent is recorded and Send SMS sends to the contact', async () => {
    await page.getByRole('link', { name: 'Back to contacts' }).first().click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    await page.getByLabel('Name contains').fill('Anna');
    await expect.poll(() => page.locator('[data-testid=contacts-table] tbody tr').count()).toBe(1);
    await shot(page, 'c03-contacts-list');
    await page.getByRole('link', { name: 'Anna Import' }).click();
    await page.getByRole('heading', { name: 'Anna Import' }).waitFor();
    const card = page.getByTestId('phone-card');
    await expect.poll(() => card.getByTestId('consent-state').textContent()).toBe('Consent: No consent');

    await card.getByRole('button', { name: 'Record opt-in' }).click();
    const consentDialog = page.getByRole('dialog', { name: 'Record opt-in' });
    await consentDialog.getByLabel('How was it given?').fill('asked on the phone');
    await consentDialog.getByRole('button', { name: 'Record opt-in' }).click();
    await consentDialog.waitFor({ state: 'hidden' });
    await expect.poll(() => card.getByTestId('consent-state').textContent()).toBe('Consent: Opted in');
    expect(await card.textContent()).toContain('note: asked on the phone');

    await page.getByRole('main').getByRole('button', { name: 'Send SMS' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send SMS' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Anna Import');
    expect(await dialog.getByRole('combobox', { name: 'Phone', exact: true }).inputValue()).toContain(
      '+4915122220001',
    );
    await dialog.getByText('Marketing', { exact: true }).click();
    await expect.poll(() => dialog.textContent()).toContain('Consent is registered.');
    await dialog.getByRole('textbox', { name: 'SMS text' }).fill('Hello Anna, your order has shipped.');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The message appears among the contact's messages and becomes Received without a reload.
    const sent = page.getByTestId('contact-messages').locator('tbody tr');
    await expect.poll(() => sent.count()).toBe(1);
    await expect
      .poll(() => sent.first().getByTestId('status-cell').textContent(), { timeout: 15_000 })
      .toContain('Received');
    expect(await sent.first().textContent()).toContain('Hello Anna, your order has shipped.');
    await shot(page, 'c04-contact-page');
  });

  it('creates a contact: a bad number is refused at its field, nothing typed is lost', async () => {
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    await page.getByRole('button', { name: 'New contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'New contact' });
    await dialog.getByLabel(/^Name/).fill('Frida Neu');
    await dialog.getByLabel('First name').fill('Frida');
    await dialog.getByRole('textbox', { name: 'Number 1', exact: true }).fill('0151 2');
    await dialog.getByRole('button', { name: 'Add a number' }).click();
    await dialog.getByRole('textbox', { name: 'Number 2', exact: true }).fill('030 1234567');
    await dialog.getByRole('textbox', { name: 'Label of number 2', exact: true }).fill('office');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => dialog.getByRole('textbox', { name: 'Number 1', exact: true }).getAttribute('aria-invalid'))
      .toBe('true');
    expect(
      await dialog.getByRole('textbox', { name: 'Number 2', exact: true }).getAttribute('aria-invalid'),
    ).not.toBe('true');
    expect(await dialog.getByLabel(/^Name/).inputValue()).toBe('Frida Neu');
    expect(await dialog.textContent()).toContain('This is not an assigned phone number.');
    await shot(page, 'c05-contact-form-error');
    await dialog.getByRole('textbox', { name: 'Number 1', exact: true }).fill('0151 22220009');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Frida Neu' }).waitFor();
    const cards = page.getByTestId('phone-card');
    expect(await cards.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.phone))).toEqual([
      '+4915122220009',
      '+49301234567',
    ]);
  });

  it('edits a standard text with variable checks and a live preview for a chosen contact', async () => {
    await page.getByRole('link', { name: 'Standard texts' }).click();
    await page.getByRole('heading', { name: 'Standard texts' }).waitFor();
    await page.getByRole('link', { name: 'New standard text' }).click();
    await page.getByRole('heading', { name: 'New standard text' }).waitFor();
    await page.getByLabel('Name').fill('Shipping notice');
    const body = page.getByRole('textbox', { name: 'Text' });
    await body.fill('Hello {{contact.first_name}} from {{contact.nickname}}, your parcel is on its way.');
    const preview = page.getByTestId('template-preview');
    // Without a contact, sample values; the unknown variable is named at once.
    await expect
      .poll(() => preview.getByTestId('unknown-variables').textContent())
      .toContain('{{contact.nickname}}');
    await page.getByRole('combobox', { name: 'Preview for contact', exact: true }).fill('Bert');
    await page.getByRole('option', { name: 'Bert Import' }).click();
    await expect
      .poll(() => preview.getByTestId('preview-text').textContent())
      .toBe('Hello Bert from , your parcel is on its way.');
    await shot(page, 'c05-template-unknown-variable');

    // Saving refuses the unknown variable, next to the text, and keeps what was typed.
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#template-body-error').textContent()).toContain('contact.nickname');
    expect(await body.inputValue()).toContain('{{contact.nickname}}');

    await body.fill('Hello {{contact.first_name}}, your parcel from {{contact.party}} is on its way.');
    await expect
      .poll(() => preview.getByTestId('preview-text').textContent())
      .toBe('Hello Bert, your parcel from ACME GmbH is on its way.');
    expect(await preview.getByTestId('unknown-variables').count()).toBe(0);
    expect(await preview.getByTestId('preview-counter').textContent()).toContain('1 SMS part(s) · GSM-7');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/templates\/[^/]+$/);
    await page.getByRole('heading', { name: 'Edit standard text' }).waitFor();
    await shot(page, 'c06-template-saved');
    const saved = await api<{ items: { name: string; body: string; variables: string[] }[] }>(
      'GET',
      '/api/templates',
    );
    expect(saved.items.map((x) => [x.name, x.body])).toEqual([
      ['Shipping notice', 'Hello {{contact.first_name}}, your parcel from {{contact.party}} is on its way.'],
    ]);
    await page.getByRole('link', { name: 'Back to standard texts' }).click();
    await expect.poll(() => page.locator('[data-testid=templates-table] tbody tr').count()).toBe(1);
  });

  it('lists received SMS linked to their contact, with what a keyword did', async () => {
    await api('POST', '/api/inbound/simulate', {
      providerAccountId: simulatorId,
      from: '+4915122220001',
      text: 'Thanks, got it!',
    });
    await api('POST', '/api/inbound/simulate', {
      providerAccountId: simulatorId,
      from: '+4915122220001',
      text: 'STOP',
    });
    await page.getByRole('link', { name: 'Received SMS' }).click();
    await page.getByRole('heading', { name: 'Received SMS' }).waitFor();
    const rows = page.locator('[data-testid=inbound-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const stop = rows.filter({ hasText: 'STOP' });
    expect(await stop.locator('[data-effect]').getAttribute('data-effect')).toBe('opted_out');
    expect(await stop.textContent()).toContain('Opted out');
    expect(await stop.getByRole('link', { name: 'Anna Import' }).count()).toBe(1);
    await shot(page, 'c07-inbound');
    // On the contact page: the messages received, and consent now opted out by the keyword.
    await stop.getByRole('link', { name: 'Anna Import' }).click();
    await page.getByRole('heading', { name: 'Anna Import' }).waitFor();
    await expect.poll(() => page.getByTestId('contact-inbound').textContent()).toContain('Thanks, got it!');
    await expect.poll(() => page.getByTestId('consent-state').textContent()).toBe('Consent: Opted out');
    expect(await page.getByTestId('phone-card').textContent()).toContain('keyword SMS');
    await shot(page, 'c08-contact-after-stop');
  });

  it('works at phone width without sideways scrolling of the page', async () => {
    const phone = await browser.newPage({ width: 390, height: 844 });
    await phone.goto(`${herald.url}/contacts`);
    await phone.getByRole('heading', { name: 'Contacts' }).waitFor();
    await expect.poll(() => phone.locator('[data-testid=contacts-table] tbody tr').count()).toBe(4);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(phone, 'c09-phone-contacts');
    await phone.close();
    expect(external).toEqual([]);
  });
});
