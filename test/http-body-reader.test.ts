import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonBodyGuard } from '../src/http/middleware.js';
import { ADMIN, createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * jsonBodyGuard under a real Node server, as `herald serve` runs it: there the body is read straight from
 * Node's IncomingMessage (not the WHATWG Request that `app.request()` builds, which
 * test/http-bad-input.test.ts covers). Real HTTP requests on 127.0.0.1, with and without a declared
 * length, in one piece and in many small delayed chunks.
 */
const LIMIT = 4096;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
let server: ReturnType<typeof serve>;
let port: number;

beforeAll(async () => {
  t = await createTestApp('sqlite', { HERALD_BODY_LIMIT_BYTES: String(LIMIT) });
  admin = await t.setupAdmin();
  server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    s.once('error', reject);
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as http.Server).closeAllConnections?.();
  });
  await t.close();
});

/**
 * Sends `chunks` as the body of one request on a fresh connection. With `declareLength` the total is
 * sent as Content-Length, otherwise Node sends it chunked (Transfer-Encoding: chunked, no length).
 * Stops writing once the answer has come (a 413 may come before the whole body is sent).
 */
function send(
  method: string,
  path: string,
  chunks: (string | Buffer)[],
  opts: { contentType?: string | null; declareLength?: boolean; delayMs?: number; headers?: object } = {},
): Promise<Reply> {
  const buffers = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const headers: Record<string, string> = { ...admin.headers, ...(opts.headers as Record<string, string>) };
  if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
  if (opts.declareLength ?? true) headers['content-length'] = String(total);
  return new Promise<Reply>((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    // Writes after an early answer may meet a closed socket; only an error before any answer counts.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    void (async () => {
      for (const b of buffers) {
        if (answered || req.destroyed) return;
        req.write(b);
        if (opts.delayMs) await sleep(opts.delayMs);
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** `text` cut into pieces of `size` bytes (so multi-byte characters are split between chunks). */
const pieces = (text: string | Buffer, size: number) => {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.subarray(i, i + size));
  return out;
};

function expectProblem(reply: Reply, status: number, code: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toBe('application/problem+json');
  const body = reply.json();
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(reply.headers['x-request-id']);
  return body;
}

const unit = (name: string) => ({
  name,
  parentId: admin.orgUnitId,
  defaultRegion: 'DE',
  timezone: 'Europe/Berlin',
});

const orgUnitNames = async () => {
  const rows = await t.db.kysely.selectFrom('org_units').select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
};

/** The org unit `unit(name)` as JSON, padded with insignificant whitespace to exactly `bytes` bytes. */
const paddedUnit = (name: string, bytes: number) => {
  const json = JSON.stringify(unit(name));
  const padding = bytes - Buffer.byteLength(json);
  if (padding < 0) throw new Error('body too short for its fields');
  return `${json.slice(0, -1)}${' '.repeat(padding)}}`;
};

describe('jsonBodyGuard under a real Node server', () => {
  it('a valid JSON POST is read and handled (with Content-Length)', async () => {
    const reply = await send('POST', '/api/org-units', [JSON.stringify(unit('Branch Length'))]);
    expect(reply.status).toBe(201);
    const { id } = reply.json() as { id: string };
    const got = await send('GET', `/api/org-units/${id}`, [], { contentType: null, declareLength: false });
    expect(got.status).toBe(200);
    expect(got.json().name).toBe('Branch Length');
  });

  it('a body sent chunked in many small delayed pieces arrives whole, multi-byte characters intact', async () => {
    const name = 'Zürich ✓ 😀 Filiale';
    // 3-byte pieces split ü, ✓ and 😀 across chunks; each written after a pause.
    const chunks = pieces(JSON.stringify(unit(name)), 3);
    expect(chunks.length).toBeGreaterThan(30);
    const reply = await send('POST', '/api/org-units', chunks, { declareLength: false, delayMs: 3 });
    expect(reply.status).toBe(201);
    expect(await orgUnitNames()).toContain(name);
  });

  it('a body of exactly the limit passes; one byte more → 413 (chunked, no declared length)', async () => {
    const exact = paddedUnit('Branch Exact', LIMIT);
    expect(Buffer.byteLength(exact)).toBe(LIMIT);
    const ok = await send('POST', '/api/org-units', pieces(exact, 512), { declareLength: false, delayMs: 2 });
    expect(ok.status).toBe(201);

    const over = paddedUnit('Branch Over', LIMIT + 1);
    const before = await orgUnitNames();
    const tooBig = await send('POST', '/api/org-units', pieces(over, 512), {
      declareLength: false,
      delayMs: 2,
    });
    expect(expectProblem(tooBig, 413, 'request.too_large').limitBytes).toBe(LIMIT);
    expect(await orgUnitNames()).toEqual(before);
  });

  it('a declared Content-Length over the limit → 413 request.too_large, nothing written', async () => {
    const before = await orgUnitNames();
    const big = JSON.stringify(unit('x'.repeat(10_000)));
    expectProblem(await send('POST', '/api/org-units', [big]), 413, 'request.too_large');
    expect(await orgUnitNames()).toEqual(before);
  });

  it('a large chunked body without Content-Length → 413, and the server keeps answering', async () => {
    const before = await orgUnitNames();
    // 1 MiB in 1 kB pieces: the answer must come without the server reading (or the client sending) it all.
    const big = pieces(JSON.stringify(unit('y'.repeat(1024 * 1024))), 1024);
    const reply = await send('POST', '/api/org-units', big, { declareLength: false, delayMs: 1 });
    expectProblem(reply, 413, 'request.too_large');
    expect(await orgUnitNames()).toEqual(before);
    const next = await send('POST', '/api/org-units', [JSON.stringify(unit('Branch After 413'))]);
    expect(next.status).toBe(201);
  }, 15_000);

  it('malformed JSON → 400 request.malformed_json', async () => {
    expectProblem(
      await send('POST', '/api/org-units', pieces('{"name": "x",', 4), { declareLength: false }),
      400,
      'request.malformed_json',
    );
  });

  it('invalid UTF-8 → 400 request.invalid_utf8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"name":"Caf'),
      Buffer.from([0xc3, 0x28]), // a broken two-byte sequence
      Buffer.from(`","parentId":"${admin.orgUnitId}","defaultRegion":"DE","timezone":"UTC"}`),
    ]);
    expectProblem(await send('POST', '/api/org-units', [bytes]), 400, 'request.invalid_utf8');
    // The same bytes in pieces, the broken sequence split between two of them.
    expectProblem(
      await send('POST', '/api/org-units', pieces(bytes, 13), { declareLength: false, delayMs: 1 }),
      400,
      'request.invalid_utf8',
    );
  });

  it('a lone surrogate (escaped in JSON) → 400 request.invalid_text naming the field', async () => {
    const raw = `{"name":"Branch \\ud800 North","parentId":"${admin.orgUnitId}","defaultRegion":"DE","timezone":"UTC"}`;
    const body = expectProblem(await send('POST', '/api/org-units', [raw]), 400, 'request.invalid_text') as {
      issues: { path: string[] }[];
    };
    expect(body.issues[0]?.path).toEqual(['name']);
  });

  it('a body that is not JSON → 415 request.unsupported_media_type', async () => {
    expectProblem(
      await send('POST', '/api/org-units', ['name=x'], { contentType: 'application/x-www-form-urlencoded' }),
      415,
      'request.unsupported_media_type',
    );
  });

  it('an empty body on a POST that needs none works (declared 0 and chunked empty)', async () => {
    for (const declareLength of [true, false]) {
      const session = await t.loginAs(ADMIN.email, ADMIN.password);
      const headers = { cookie: session.cookie, 'x-csrf-token': session['x-csrf-token'] };
      const out = await send('POST', '/api/auth/logout', [], { headers, contentType: null, declareLength });
      expect(out.status).toBe(204);
      // The session really ended.
      const me = await send('GET', '/api/auth/me', [], { headers, contentType: null, declareLength: false });
      expect(me.status).toBe(401);
    }
  });

  it('a client that goes away in the middle of a body does not break the server', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/org-units',
        headers: { ...admin.headers, 'content-type': 'application/json', 'content-length': '1000' },
        agent: false,
      });
      req.on('error', () => resolve());
      req.write('{"name":"half');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const next = await send('POST', '/api/org-units', [JSON.stringify(unit('Branch After Abort'))]);
    expect(next.status).toBe(201);
    expect(await orgUnitNames()).not.toContain('half');
  });
});

/**
 * The WHATWG path (`app.request()`, no Node request) for what test/http-bad-input.test.ts does not cover:
 * a streamed body without a declared length, in small pieces, and the limit boundary.
 */
describe('jsonBodyGuard through app.request() with a streamed body', () => {
  const stream = (chunks: Buffer[]) =>
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (!next) return controller.close();
        await sleep(1);
        controller.enqueue(new Uint8Array(next));
      },
    });
  const postStream = async (chunks: Buffer[]) => {
    const res = await t.app.request('/api/org-units', {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: stream(chunks),
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    return { status: res.status, json: () => JSON.parse(text) as Record<string, unknown> };
  };

  it('small pieces arrive whole, multi-byte characters intact', async () => {
    const name = 'Köln ✓ 😀 stream';
    const res = await postStream(pieces(JSON.stringify(unit(name)), 3));
    expect(res.status).toBe(201);
    expect(await orgUnitNames()).toContain(name);
  });

  it('exactly the limit passes; one byte more → 413 request.too_large', async () => {
    expect((await postStream(pieces(paddedUnit('Branch Exact Stream', LIMIT), 500))).status).toBe(201);
    const over = await postStream(pieces(paddedUnit('Branch Over Stream', LIMIT + 1), 500));
    expect(over.status).toBe(413);
    expect(over.json().code).toBe('request.too_large');
    expect(await orgUnitNames()).not.toContain('Branch Over Stream');
  });
});

describe('what the guard hands on to validators and handlers', () => {
  it('c.req.text() is the body as sent and c.req.json() its parse; an empty body is {}', async () => {
    const app = new Hono();
    app.use('*', jsonBodyGuard(LIMIT));
    app.post('/echo', async (c) => c.json({ text: await c.req.text(), json: await c.req.json() }));
    const echo = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    try {
      const echoPort = (echo.address() as AddressInfo).port;
      const post = async (body: string) => {
        const res = await fetch(`http://127.0.0.1:${echoPort}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        return (await res.json()) as { text: string; json: unknown };
      };
      // Spacing kept: the text is what came in, not the parsed body written out again.
      const sent = '{ "to" : "+4915112345678",  "text":"Hallo" }';
      expect(await post(sent)).toEqual({ text: sent, json: { to: '+4915112345678', text: 'Hallo' } });
      expect(await post('')).toEqual({ text: '{}', json: {} });
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });
});
