import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './webhooks.ssrf.js';

/** One webhook POST, to an address that was already checked. */
export interface WebhookHttpRequest {
  url: URL;
  /** Where to connect: the checked address. The URL's host still goes into `Host` and TLS SNI. */
  address: ResolvedAddress;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type WebhookHttpResult =
  | { kind: 'response'; status: number; retryAfter: string | null; location: string | null }
  | { kind: 'error'; error: string };

/** The narrow HTTP dependency of the delivery loop; tests pass a real local server through the default. */
export type WebhookTransport = (req: WebhookHttpRequest) => Promise<WebhookHttpResult>;

/** At most this much of a response body is read (and thrown away): receivers answer with a status. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs with node:http(s): no redirects are followed (a 3xx is returned as it is), the whole exchange
 * up to the response headers has a deadline, and the connection goes to `address` through a pinned
 * `lookup`, so the host is never resolved a second time (no DNS rebinding between check and connect).
 * TLS certificates are still verified against the URL's host name.
 */
export const nodeTransport: WebhookTransport = (req) =>
  new Promise((resolve) => {
    const { url, address } = req;
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: address.address, family: address.family }]);
      else callback(null, address.address, address.family);
    };
    const mod = url.protocol === 'https:' ? https : http;
    const body = Buffer.from(req.body, 'utf8');
    let settled = false;
    const done = (r: WebhookHttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const request = mod.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...req.headers, 'content-length': String(body.length) },
        lookup: pinned,
        agent: false,
      },
      (res) => {
        const header = (name: string) => {
          const v = res.headers[name];
          return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
        };
        done({
          kind: 'response',
          status: res.statusCode ?? 0,
          retryAfter: header('retry-after'),
          location: header('location'),
        });
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('error', () => {});
      },
    );
    const timer = setTimeout(() => {
      done({ kind: 'error', error: `timeout after ${req.timeoutMs} ms` });
      request.destroy();
    }, req.timeoutMs);
    request.on('error', (e: Error) => {
      done({ kind: 'error', error: `connection failed: ${e.message.slice(0, 200)}` });
    });
    request.end(body);
  });
