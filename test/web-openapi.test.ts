import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchema, SCHEMA_FILE } from '../scripts/gen-openapi.js';

describe('the web app typed API client', () => {
  it('is generated from the current OpenAPI document (run `npm run gen:openapi` when this fails)', async () => {
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    const current = await renderSchema();
    // A readable hint first: which paths differ, rather than a 6,000-line diff.
    const paths = (s: string) => [...s.matchAll(/^ {4}"(\/api\/[^"]+)": \{/gm)].map((m) => m[1]);
    expect(paths(committed)).toEqual(paths(current));
    expect(committed === current, 'web/src/api/schema.d.ts is stale: run `npm run gen:openapi`').toBe(true);
  }, 60_000);
});
