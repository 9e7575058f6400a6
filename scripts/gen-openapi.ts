/**
 * Writes the web app's typed API client schema (web/src/api/schema.d.ts) from the server's OpenAPI
 * document. The app is built in-process (no listener, an in-memory SQLite that is never queried), so the
 * document is exactly what `/api/openapi.json` serves. `--check` exits 1 when the committed file is stale.
 *
 *   npx tsx scripts/gen-openapi.ts           # regenerate
 *   npx tsx scripts/gen-openapi.ts --check   # CI / test: is it current?
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { openDb } from '../src/db/db.js';
import { createApp } from '../src/http/app.js';
import { createMetrics } from '../src/http/metrics.js';
import { createMemoryBus } from '../src/modules/events/events.bus.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../web/src/api/schema.d.ts', import.meta.url));

const HEADER = `/**
 * Generated from the server's OpenAPI document by scripts/gen-openapi.ts — do not edit by hand.
 * Regenerate with \`npm run gen:openapi\` after changing any route or schema.
 */

`;

/** The OpenAPI document the server serves at /api/openapi.json. */
export async function openApiDocument(): Promise<unknown> {
  const db = openDb({ kind: 'sqlite', file: ':memory:' });
  try {
    const app = createApp({
      db,
      config: loadConfig({ HERALD_LOG_LEVEL: 'silent' }),
      clock: systemClock,
      logger: silentLogger,
      metrics: createMetrics({ defaults: false }),
      bus: createMemoryBus(),
    });
    const res = await app.request('/api/openapi.json');
    if (res.status !== 200) throw new Error(`/api/openapi.json answered ${res.status}`);
    return await res.json();
  } finally {
    await db.close();
  }
}

/** The text of web/src/api/schema.d.ts for the current routes. */
export async function renderSchema(): Promise<string> {
  const doc = await openApiDocument();
  const ast = await openapiTS(doc as never, { alphabetize: true });
  return HEADER + astToString(ast);
}

async function main() {
  const expected = await renderSchema();
  if (process.argv.includes('--check')) {
    const actual = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
    if (actual !== expected) {
      console.error('web/src/api/schema.d.ts is out of date: run `npm run gen:openapi`.');
      process.exit(1);
    }
    console.log('web/src/api/schema.d.ts is up to date.');
    return;
  }
  fs.writeFileSync(SCHEMA_FILE, expected);
  console.log('wrote web/src/api/schema.d.ts');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) await main();
