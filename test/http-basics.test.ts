import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../src/http/http.types.js';
import { mountPages } from '../src/http/pages.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe('operational endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.close());

  it('answers /healthz and /readyz with the database kind', async () => {
    expect(await (await t.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await t.request('/readyz')).json()).toEqual({ status: 'ready', database: 'sqlite' });
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/org-units',
        '/api/org-units/{id}',
        '/api/users',
        '/api/api-keys',
        '/api/setup',
      ]),
    );
    expect(doc.components.schemas.CreateOrgUnit?.required).toEqual(
      expect.arrayContaining(['name', 'parentId', 'defaultRegion', 'timezone']),
    );
  });

  it('serves a readable API page with its assets from our own server', async () => {
    const page = await t.request('/api/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/api/docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    const js = await t.request('/api/docs/assets/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(100_000);
  });

  it('counts requests by matched route in Prometheus /metrics', async () => {
    await t.request('/api/org-units');
    const text = await (await t.request('/metrics')).text();
    expect(text).toMatch(
      /herald_http_requests_total\{method="GET",route="\/api\/org-units",status="401"\} 1/,
    );
  });

  it('keeps a well-formed incoming X-Request-Id and replaces a malformed one', async () => {
    expect(
      (await t.request('/healthz', { headers: { 'x-request-id': 'crm-123' } })).headers.get('x-request-id'),
    ).toBe('crm-123');
    const id = (
      await t.request('/healthz', { headers: { 'x-request-id': 'bad id with spaces' } })
    ).headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the web app at / (or, before a build, a page saying how to build it), never for /api paths', async () => {
    const res = await t.request('/', { headers: { accept: 'text/html' } });
    const html = await res.text();
    if (res.status === 200) {
      expect(html).toContain('<div id="root">');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    } else {
      expect(res.status).toBe(503);
      expect(html).toContain('npm run build');
    }
    expect((await t.request('/api/no-such-route', { headers: { accept: 'text/html' } })).status).toBe(404);
  });
});

describe('web app pages', () => {
  let root: string;
  const appWith = (r: string | null) => {
    const app = new Hono<AppEnv>();
    mountPages(app, r);
    return app;
  };
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-web-'));
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(root, 'assets', 'app-1234.js'), 'console.log(1)');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'not an asset');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('answers app routes with index.html and hashed assets with a long cache', async () => {
    const app = appWith(root);
    const page = await app.request('/messages/123', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await app.request('/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('refuses paths that climb out of the assets folder and unknown assets', async () => {
    const app = appWith(root);
    expect((await app.request('/assets/..%2Fsecret.txt')).status).toBe(404);
    expect((await app.request('/assets/missing.js')).status).toBe(404);
  });

  it('says how to build the app when it is not built', async () => {
    const res = await appWith(null).request('/', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});
