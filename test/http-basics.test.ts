import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('serves the first-start page at /', async () => {
    const html = await (await t.request('/')).text();
    expect(html).toContain('Create the first administrator');
  });
});
