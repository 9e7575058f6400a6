import type { Page } from 'playwright-core';
import type { Herald } from './web-support.js';

/** Helpers of the web-admin and web-contacts browser tests. */

/** A node-side API session (cookie + CSRF), for arranging data and checking what the screens did. */
export async function apiSession(url: string, email: string, password: string) {
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

/** First start through the API: the administrator and the top org unit "Head Office" (its id returned). */
export async function firstStart(herald: Herald, admin: { name: string; email: string; password: string }) {
  const res = await fetch(`${herald.url}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...admin,
      orgUnit: { name: 'Head Office', defaultRegion: 'DE', timezone: 'Europe/Berlin' },
    }),
  });
  if (res.status !== 201) throw new Error(`setup ${res.status} ${await res.text()}`);
  return (await res.json()) as { orgUnitId: string };
}

/** First start through the API, then sign in through the page. */
export async function setupAndSignIn(
  herald: Herald,
  page: Page,
  admin: { name: string; email: string; password: string },
) {
  await firstStart(herald, admin);
  await page.goto(`${herald.url}/`);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByRole('textbox', { name: /^Password/ }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SMS Center' }).waitFor();
  return apiSession(herald.url, admin.email, admin.password);
}
