import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP SMS gateway for the generic HTTP adapter's tests, on 127.0.0.1 (port from the OS). It
 * behaves like the gateways ERPNext users configure: parameters in the query (GET), a form body or a
 * JSON body, an API key as a parameter or a header, and an answer that may be a 200 carrying an error.
 * Each path is one behaviour:
 *
 * - `/send/json`    → 200 `{"status":"OK","id":"GW…"}` or, for a number ending in 0, 200
 *                     `{"status":"ERROR","code":"E_NUMBER","error":"Invalid number <to>"}`;
 * - `/send/refuse`  → 200 `{"status":"ERROR","code":"E_BLOCKED","error":"Number <to> is blocked"}`;
 * - `/send/text`    → 200 `OK id=GW…` (plain text);
 * - `/send/unavailable` → 503 with `Retry-After: 2`; `/send/throttle` → 429 with `Retry-After: 3`;
 * - `/send/redirect`    → 302 to `/send/json`; `/send/hang` → never answers; `/send/bad` → 400 HTML.
 *
 * An accepted message whose request names a report URL (parameter `dlr_url`) gets a delivery report
 * posted there as `msgid`, `stat`, `err`, `done` (form, JSON or GET as `reportFormat` says), signed
 * with `X-Gw-Signature` (hex HMAC-SHA256 of the body, or of the query string for GET) when a signing
 * secret is set.
 */

export interface FakeGatewayRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string;
  /** Query, form and JSON fields merged, as text. */
  readonly params: Readonly<Record<string, string>>;
}

export interface FakeHttpGatewayOptions {
  /** When set, a request must carry `api_key` (parameter) or `X-Api-Key` (header) with this value. */
  apiKey?: string;
  signingSecret?: string;
  reportFormat?: 'form' | 'json' | 'get';
  /** The report's status word. Default `DELIVRD`. */
  reportStatus?: string;
}

export interface FakeHttpGateway {
  readonly url: string;
  readonly received: FakeGatewayRequest[];
  /** Reports and inbound messages posted (with their answers' status codes). */
  readonly posted: { url: string; status: number }[];
  /** Waits until the gateway has posted `n` callbacks in total. */
  postedCount(n: number, timeoutMs?: number): Promise<void>;
  /** A handset replies: the gateway posts `sender`, `receiver`, `body`, `msgid` to `url` (signed when set). */
  inbound(url: string, sms: { from: string; to: string; text: string }): Promise<number>;
  close(): Promise<void>;
}

export const FAKE_SIGNATURE_HEADER = 'x-gw-signature';

export async function startFakeHttpGateway(options: FakeHttpGatewayOptions = {}): Promise<FakeHttpGateway> {
  const received: FakeGatewayRequest[] = [];
  const posted: { url: string; status: number }[] = [];
  const hanging: ServerResponse[] = [];
  const postWaiters: (() => void)[] = [];
  let seq = 0;

  const sign = (content: string) =>
    options.signingSecret
      ? createHmac('sha256', options.signingSecret).update(content).digest('hex')
      : undefined;

  async function post(url: string, fields: Record<string, string>, format: 'form' | 'json' | 'get') {
    let target = url;
    let body: string | undefined;
    let contentType: string | undefined;
    let signed: string;
    if (format === 'get') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(fields)) u.searchParams.append(k, v);
      target = u.toString();
      signed = u.search.slice(1);
    } else if (format === 'json') {
      body = JSON.stringify(fields);
      contentType = 'application/json';
      signed = body;
    } else {
      body = new URLSearchParams(fields).toString();
      contentType = 'application/x-www-form-urlencoded';
      signed = body;
    }
    const sig = sign(signed);
    const res = await fetch(target, {
      method: format === 'get' ? 'GET' : 'POST',
      headers: {
        ...(contentType && { 'content-type': contentType }),
        ...(sig && { [FAKE_SIGNATURE_HEADER]: sig }),
      },
      ...(body !== undefined && { body }),
    });
    await res.body?.cancel();
    posted.push({ url: target, status: res.status });
    for (const w of postWaiters.splice(0)) w();
    return res.status;
  }

  const server = createServer(async (req, res) => {
    const request = await readRequest(req);
    received.push(request);
    const p = request.params;
    if (options.apiKey && p.api_key !== options.apiKey && request.headers['x-api-key'] !== options.apiKey) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"status":"ERROR","code":"AUTH"}');
      return;
    }
    const id = `GW${String(++seq).padStart(6, '0')}`;
    const to = p.to ?? p.receiver ?? '';
    switch (request.path) {
      case '/send/json': {
        if (to.endsWith('0')) {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'ERROR', code: 'E_NUMBER', error: `Invalid number ${to}` }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'OK', id }));
        break;
      }
      case '/send/refuse':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'ERROR', code: 'E_BLOCKED', error: `Number ${to} is blocked` }));
        return;
      case '/send/text':
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK id=${id}`);
        break;
      case '/send/unavailable':
        res
          .writeHead(503, { 'retry-after': '2', 'content-type': 'text/html' })
          .end('<h1>down for maintenance</h1>');
        return;
      case '/send/throttle':
        res.writeHead(429, { 'retry-after': '3' }).end('slow down');
        return;
      case '/send/redirect':
        res.writeHead(302, { location: '/send/json' }).end();
        return;
      case '/send/hang':
        hanging.push(res);
        return;
      default:
        res.writeHead(400, { 'content-type': 'text/html' }).end(`<b>bad request for ${to}</b>`);
        return;
    }
    if (p.dlr_url) {
      const report = { msgid: id, stat: options.reportStatus ?? 'DELIVRD', err: '000', done: '1767225600' };
      setTimeout(() => void post(p.dlr_url!, report, options.reportFormat ?? 'form').catch(() => {}), 10);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    received,
    posted,
    postedCount: (n, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fewer than ${n} callbacks posted`)), timeoutMs);
        const check = () => {
          if (posted.length >= n) {
            clearTimeout(timer);
            resolve();
          } else postWaiters.push(check);
        };
        check();
      }),
    inbound: (url, sms) =>
      post(url, { sender: sms.from, receiver: sms.to, body: sms.text, msgid: `MO${++seq}` }, 'form'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  async function readRequest(req: IncomingMessage): Promise<FakeGatewayRequest> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
    const query = Object.fromEntries(url.searchParams);
    let fields: Record<string, string> = {};
    const type = headers['content-type'] ?? '';
    if (type.startsWith('application/json')) {
      const json = JSON.parse(body) as Record<string, unknown>;
      fields = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      fields = Object.fromEntries(new URLSearchParams(body));
    }
    return {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers,
      query,
      body,
      params: { ...query, ...fields },
    };
  }
}
