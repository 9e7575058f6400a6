import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv } from './http.types.js';

/**
 * The web app (web/, built by `npm run build` into dist/web) served at `/`: hashed files under /assets/
 * are cached for a year; every other GET that wants HTML gets index.html, so the app's own routes
 * (/messages, /sms-log/…) survive a reload. /api/*, /healthz and the rest answer before this.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the build is: from src/http (tsx) or from dist/src/http (the compiled server). */
const CANDIDATES = [path.resolve(here, '../../dist/web'), path.resolve(here, '../../web')];

export function findWebRoot(candidates: readonly string[] = CANDIDATES): string | null {
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? null;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** Only same-origin resources; Mantine sets inline styles, so styles need 'unsafe-inline'. */
const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Herald</title></head>
<body style="font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
<h1>Herald</h1><p>The web app is not built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds first)
and reload this page.</p><p>The API works meanwhile: <a href="/api/docs">API reference</a>.</p></body></html>`;

export function mountPages(app: Hono<AppEnv>, root: string | null = findWebRoot()) {
  const cache = new Map<string, Buffer>();
  const read = (file: string): Buffer | null => {
    const hit = cache.get(file);
    if (hit) return hit;
    try {
      const body = fs.readFileSync(file);
      cache.set(file, body);
      return body;
    } catch {
      return null;
    }
  };

  app.get('/assets/*', (c) => {
    if (!root) return c.notFound();
    const assets = path.join(root, 'assets');
    const file = path.resolve(assets, `.${decodeURIComponent(c.req.path.slice('/assets'.length))}`);
    if (!file.startsWith(assets + path.sep)) return c.notFound();
    const body = read(file);
    if (!body) return c.notFound();
    return c.body(new Uint8Array(body), 200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      // File names carry a content hash: a new build has new names.
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  app.get('*', (c) => {
    const p = c.req.path;
    if (
      p.startsWith('/api/') ||
      p === '/api' ||
      !(c.req.header('accept') ?? '*/*').match(/text\/html|\*\/\*/)
    ) {
      return c.notFound();
    }
    const index = root ? read(path.join(root, 'index.html')) : null;
    if (!index) return c.html(NOT_BUILT, 503);
    return c.body(new Uint8Array(index), 200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': APP_CSP,
    });
  });
}
