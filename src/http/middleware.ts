import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { AppError } from '../core/errors.js';
import { API_KEY_PATTERN, principalOfKey } from '../modules/api-keys/api-keys.usecases.js';
import type { Principal } from '../modules/auth/auth.permissions.js';
import { invalidatePrincipals } from '../modules/auth/auth.principal-cache.js';
import { csrfMatches, principalOfSession } from '../modules/auth/auth.usecases.js';
import { recordSecurityEvent } from '../modules/security-events/security-events.usecases.js';
import type { AppDeps, AppEnv } from './http.types.js';

export const SESSION_COOKIE = 'herald_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Request ids: a well-formed incoming `X-Request-Id` is kept (for tracing across systems), else a new one. */
export const requestId = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const id = incoming && /^[A-Za-z0-9._:-]{1,100}$/.test(incoming) ? incoming : randomUUID();
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};

export function clientIp(c: Parameters<MiddlewareHandler>[0]): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
}

/**
 * A route that takes a raw, non-JSON body (e.g. a CSV upload) and streams it itself. For a request to
 * exactly this method and path with a matching content type, the guard checks only the declared length
 * against the route's own limit and leaves the body unread; the route must count the bytes it actually
 * reads against `limitBytes` (a chunked upload declares no length). Any other content type on that
 * route goes through the JSON checks as usual.
 */
export interface RawBodyRoute {
  method: string;
  path: string;
  contentType: RegExp;
  limitBytes: number;
}

/**
 * Guards every request body before any handler sees it: size limit, JSON content type, strict UTF-8,
 * parseable JSON and no lone surrogates in any string. The parsed body is cached for the validators.
 * The listed raw-body routes are the only exception (see {@link RawBodyRoute}).
 */
export const jsonBodyGuard =
  (limitBytes: number, rawBodyRoutes: readonly RawBodyRoute[] = []): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || c.req.method === 'DELETE') return next();
    const type = c.req.header('content-type') ?? '';
    const rawRoute = rawBodyRoutes.find(
      (r) => r.method === c.req.method && r.path === c.req.path && r.contentType.test(type),
    );
    if (rawRoute) {
      assertDeclaredWithin(c, rawRoute.limitBytes);
      return next();
    }
    const raw = await readBody(c, limitBytes);
    if (raw.byteLength === 0) {
      cacheBody(c, '{}', {});
      return next();
    }
    if (!/^application\/(problem\+)?json\s*(;|$)/i.test(type)) {
      throw new AppError('request.unsupported_media_type', 'Send the request body as application/json.');
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new AppError('request.invalid_utf8', 'The request body is not valid UTF-8.');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new AppError(
        'request.malformed_json',
        `The request body is not valid JSON: ${(e as Error).message}`,
      );
    }
    const bad = findIllFormedString(parsed, []);
    if (bad) {
      throw new AppError(
        'request.invalid_text',
        'A text in the request contains a lone surrogate (invalid Unicode).',
        {
          issues: [{ path: bad, message: 'contains a lone surrogate' }],
        },
      );
    }
    cacheBody(c, text, parsed);
    await next();
  };

/**
 * The body for the validators and handlers: Hono's `c.req.json()` parses the cached **text**; with only
 * `json` cached it turned the parsed body back into a string, wrapped it in a Response and read that
 * (a tenth of a send request's CPU).
 */
function cacheBody(c: Context, text: string, parsed: unknown): void {
  cacheText(c, text);
  c.req.bodyCache.json = Promise.resolve(parsed);
}

/** What `c.req.text()` returns. Hono keeps promises here (it calls `.then` on them), whatever its type says. */
function cacheText(c: Context, text: string): void {
  c.req.bodyCache.text = Promise.resolve(text) as unknown as string;
}

/**
 * For the raw-body routes (gateway callbacks): reads the body (at most `limitBytes`, else 413
 * `request.too_large`) the way {@link jsonBodyGuard} does — straight from Node's request under
 * `herald serve` — and caches it as text for `c.req.text()`. Hono's `bodyLimit` wrapped the body in a
 * new WHATWG Request and stream per callback, and `c.req.text()` then read it through undici.
 */
export const rawBodyLimit =
  (limitBytes: number): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    // Read once (`/callbacks/*` and `/callbacks/:token/inbound` both match an inbound callback).
    if (!SAFE_METHODS.has(c.req.method) && c.req.bodyCache.text === undefined) {
      // As `Request.text()` decodes: UTF-8, a leading BOM dropped, bad bytes replaced.
      cacheText(c, new TextDecoder().decode(await readBody(c, limitBytes)));
    }
    await next();
  };

/** The request headers by lower-case name (from Node's request when there is one; no WHATWG Headers built). */
export function requestHeaders(c: Context): Record<string, string> {
  const incoming = nodeRequest(c);
  const headers: Record<string, string> = {};
  if (incoming) {
    for (const [key, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
  } else {
    c.req.raw.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
  }
  return headers;
}

const tooLarge = (limitBytes: number) =>
  new AppError('request.too_large', `The request body is larger than ${limitBytes} bytes.`, { limitBytes });

/** 413 at once when the declared length is over the limit, before anything is read. */
function assertDeclaredWithin(c: Context, limit: number): void {
  if (Number(c.req.header('content-length') ?? '0') > limit) throw tooLarge(limit);
}

/** Node's request under `herald serve` (the node-server adapter's env); none in `app.request()`. */
function nodeRequest(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof IncomingMessage ? incoming : undefined;
}

/**
 * The request body, at most `limit` bytes (413 at once when the declared length is over). Under `herald serve` it is read straight from Node's
 * IncomingMessage: asking Hono for `c.req.raw.body` makes the adapter build a full WHATWG Request (an
 * undici Request, a web stream over the socket, an AbortController) — a fifth of a send request's CPU.
 * `app.request()` in tests has no Node request and goes through the WHATWG body.
 */
function readBody(c: Context, limit: number): Promise<Uint8Array> {
  assertDeclaredWithin(c, limit);
  const incoming = nodeRequest(c);
  if (incoming) return readIncoming(incoming, limit);
  return c.req.raw.body ? readLimited(c.req.raw.body, limit) : Promise.resolve(new Uint8Array());
}

function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (e?: unknown) => {
      incoming
        .off('data', onData)
        .off('end', onEnd)
        .off('error', done)
        .off('aborted', onAborted)
        .off('close', onClose);
      if (e) reject(e);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        // Stop reading; the answer is 413 and the server drains or drops the rest.
        incoming.pause();
        done(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onAborted = () => done(new Error('request aborted by the client'));
    // Closed without an end (the client went away): nothing more will come.
    const onClose = () => {
      if (!incoming.readableEnded) onAborted();
    };
    incoming
      .on('data', onData)
      .on('end', onEnd)
      .on('error', done)
      .on('aborted', onAborted)
      .on('close', onClose);
    if (incoming.readableEnded) done();
    else if (incoming.destroyed || incoming.readableAborted) onAborted();
  });
}

async function readLimited(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function findIllFormedString(v: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof v === 'string') return v.isWellFormed() ? null : path;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findIllFormedString(v[i], [...path, i]);
      if (r) return r;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (!k.isWellFormed()) return [...path, k];
      const r = findIllFormedString(x, [...path, k]);
      if (r) return r;
    }
  }
  return null;
}

const QUERY_KEY_NAMES = new Set([
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'access_token',
  'key',
  'token',
]);

/**
 * Resolves who is calling: an API key from `Authorization: Bearer` or `X-API-Key` (never the query string),
 * or the browser's session cookie (then unsafe methods must carry the session's `X-CSRF-Token`).
 * Routes that need a caller use `principalOf(c)`.
 */
export const authenticate =
  (deps: AppDeps): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const url = new URL(c.req.url);
    for (const [name, value] of url.searchParams) {
      if (QUERY_KEY_NAMES.has(name.toLowerCase()) || value.startsWith('hk_')) {
        throw new AppError(
          'auth.key_in_query',
          'API keys are accepted only in the Authorization or X-API-Key header, never in the URL. Revoke this key: URLs end up in logs.',
        );
      }
    }
    const db = deps.db.kysely;
    const authz = c.req.header('authorization');
    const headerKey =
      c.req.header('x-api-key') ?? (authz?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() || undefined);
    let principal: Principal | null = null;
    if (authz && !headerKey) throw new AppError('auth.key_invalid', 'Use "Authorization: Bearer <API key>".');
    if (headerKey) {
      try {
        principal = await principalOfKey({ db, clock: deps.clock, key: headerKey });
      } catch (e) {
        if (e instanceof AppError) {
          await recordSecurityEvent({
            db,
            clock: deps.clock,
            event: {
              type: 'api_key_rejected',
              actor: { type: 'anonymous' },
              target: typeof e.details?.keyId === 'string' ? `api_key:${e.details.keyId}` : null,
              ip: clientIp(c),
              requestId: c.get('requestId'),
              details: {
                reason: e.code,
                keyPrefix: API_KEY_PATTERN.test(headerKey) ? headerKey.slice(0, 11) : null,
              },
            },
          });
        }
        throw e;
      }
    } else {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        principal = await principalOfSession({
          db,
          clock: deps.clock,
          token,
          ttlHours: deps.config.sessionTtlHours,
        });
        if (principal && !SAFE_METHODS.has(c.req.method)) {
          if (!csrfMatches(principal.csrfToken ?? '', c.req.header('x-csrf-token'))) {
            throw new AppError('auth.csrf_failed', 'Missing or wrong X-CSRF-Token header for this session.');
          }
        }
      }
    }
    c.set('principal', principal);
    await next();
    // What an API key may do depends on the key, its creator's roles and units, and the org-unit tree:
    // a successful change to any of them drops this database's cached principals at once.
    if (!SAFE_METHODS.has(c.req.method) && c.res.status < 400 && PRINCIPAL_SOURCES.test(c.req.path)) {
      invalidatePrincipals(db);
    }
  };

/** Routes whose changes can alter a cached API-key principal (see auth.principal-cache.ts). */
const PRINCIPAL_SOURCES = /^\/api\/(api-keys|users|org-units|setup|auth)(\/|$)/;

/** The caller, or `auth.unauthenticated`. */
export function principalOf(c: { get(key: 'principal'): Principal | null }): Principal {
  const p = c.get('principal');
  if (!p)
    throw new AppError('auth.unauthenticated', 'Log in or send an API key in the Authorization header.');
  return p;
}
