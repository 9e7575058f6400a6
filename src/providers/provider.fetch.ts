import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { FetchLike } from './provider.contract.js';

/**
 * The HTTP client and host guard the worker gives adapters (`deps.fetch`, `deps.guardHost`), so a
 * gateway URL can never be turned into a request to an internal service (SSRF):
 *
 * - the host is resolved once and **every** address is checked by the server's policy (`resolve`,
 *   see `gateways.ssrf.ts`: loopback, private, link-local, carrier-grade NAT, IPv4-mapped IPv6 … are
 *   refused unless `HERALD_GATEWAYS_ALLOW_PRIVATE`);
 * - the connection goes to the checked address (a pinned `lookup`), so a DNS answer that changes
 *   between check and connect (DNS rebinding) cannot move it; TLS is still verified against the host;
 * - redirects are **never** followed: a 3xx is returned as it is, and adapters treat anything but
 *   their success status as a failure — a gateway answering `302 Location: http://169.254.169.254/`
 *   gets nowhere.
 *
 * The policy lives outside `providers/` (it reads the configuration); it is passed in.
 */

/** An address a host name resolved to. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves `host` (a name or an IP literal, without brackets) and checks every address; returns them
 * (at least one) or throws {@link GatewayAddressRefusedError} (refused by the policy) or
 * {@link GatewayHostUnresolvedError} (the name did not resolve).
 */
export type AddressResolver = (host: string) => Promise<readonly CheckedAddress[]>;

/** A gateway address the SSRF policy refused (before any connection was made). */
export class GatewayAddressRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`gateway address refused: ${reason}`);
    this.name = 'GatewayAddressRefusedError';
  }
}

/**
 * A gateway host name that did not resolve (DNS failure, unknown name). Not a policy refusal: it carries
 * the resolver's code (`ENOTFOUND`, `EAI_AGAIN`) so adapters treat it like any connection that never
 * left (retryable) — a DNS hiccup must not reject messages for good. The save check refuses it all the same.
 */
export class GatewayHostUnresolvedError extends Error {
  constructor(
    readonly reason: string,
    readonly code: string,
  ) {
    super(`gateway host not resolved: ${reason}`);
    this.name = 'GatewayHostUnresolvedError';
  }
}

export interface GuardedFetchOptions {
  resolve: AddressResolver;
  /**
   * Origins (`https://sms.example.com`) that are Herald itself: its own callback URLs, where the
   * simulator posts its reports. Requests to them skip the address check (not the redirect rule).
   */
  trustedOrigins?: readonly string[];
  /** Longest a whole exchange may take when the caller passes no signal of its own. Default 60 s. */
  timeoutMs?: number;
  /** Largest response body read; a longer one fails the request. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** Keep-alive pools kept per client; past this many, the oldest is closed (a host's address changed). */
const MAX_POOLS = 64;

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

/** A `fetch`-shaped client that applies the SSRF policy (see the file comment). */
export function createGuardedFetch(opts: GuardedFetchOptions): FetchLike {
  const trusted = new Set((opts.trustedOrigins ?? []).map((o) => new URL(o).origin));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxBytes = opts.maxResponseBytes ?? 1024 * 1024;
  // One keep-alive pool per (scheme, host, port, checked address): a reused connection is always one
  // that was opened to the checked address, and a gateway under load is not paying a TCP (and TLS)
  // handshake per message. Idle sockets do not keep the process alive (Node unrefs them).
  const pools = new Map<string, http.Agent>();
  const poolFor = (url: URL, address: CheckedAddress | undefined) => {
    const key = `${url.protocol}//${url.host}@${address?.address ?? 'dns'}`;
    let agent = pools.get(key);
    if (!agent) {
      // Idle sockets are dropped after 4 s, before common servers close them (undici does the same).
      const options = { keepAlive: true, maxSockets: 64, timeout: 4000 };
      agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      pools.set(key, agent);
      if (pools.size > MAX_POOLS) {
        const [oldest, old] = pools.entries().next().value as [string, http.Agent];
        pools.delete(oldest);
        old.destroy();
      }
    }
    return agent;
  };
  return async (rawUrl, init) => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new GatewayAddressRefusedError('not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new GatewayAddressRefusedError(`only http and https URLs (got ${url.protocol})`);
    }
    if (url.username || url.password) throw new GatewayAddressRefusedError('credentials in the URL');
    const addresses = trusted.has(url.origin) ? null : await opts.resolve(bareHost(url.hostname));
    const pinnedTo = addresses?.[0];
    if (addresses && !pinnedTo) throw new GatewayAddressRefusedError(`${url.hostname} has no address`);
    // A Request normalises every body form (string, URLSearchParams, bytes, Blob) and its content type.
    const normalised = new Request(url, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      ...(init.body !== undefined && init.body !== null ? { body: init.body } : {}),
    });
    const body = Buffer.from(await normalised.arrayBuffer());
    const headers: Record<string, string> = {};
    normalised.headers.forEach((value, key) => {
      headers[key] = value;
    });
    if (body.length > 0 || !['GET', 'HEAD'].includes(normalised.method)) {
      headers['content-length'] = String(body.length);
    }
    const pinned: LookupFunction | undefined = pinnedTo
      ? (_hostname, options, callback) => {
          if (options.all) callback(null, [{ address: pinnedTo.address, family: pinnedTo.family }]);
          else callback(null, pinnedTo.address, pinnedTo.family);
        }
      : undefined;
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        cleanup();
        request.destroy();
        reject(e);
      };
      const onAbort = () => fail(signal?.reason ?? new DOMException('The request was aborted', 'AbortError'));
      const timer = setTimeout(
        () => fail(new DOMException(`No answer within ${timeoutMs} ms`, 'TimeoutError')),
        timeoutMs,
      );
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const mod = url.protocol === 'https:' ? https : http;
      const request = mod.request(
        {
          protocol: url.protocol,
          hostname: bareHost(url.hostname),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: normalised.method,
          headers,
          agent: poolFor(url, pinnedTo),
          ...(pinned ? { lookup: pinned } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > maxBytes) {
              fail(new Error(`the gateway's answer is larger than ${maxBytes} bytes`));
              res.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (e) => fail(e));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            cleanup();
            const status = res.statusCode ?? 502;
            const responseHeaders = new Headers();
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
              try {
                responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
              } catch {
                // A header value Headers refuses (invalid characters): dropped, like fetch would fail it.
              }
            }
            try {
              resolve(
                new Response(NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks), {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers: responseHeaders,
                }),
              );
            } catch (e) {
              reject(e);
            }
          });
        },
      );
      request.on('error', (e) => fail(e));
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(body.length > 0 ? body : undefined);
    });
  };
}

/**
 * `deps.guardHost` for adapters with their own connections (SMPP): resolves and checks `host` with the
 * same policy as the fetch and returns the address to connect to (so DNS cannot change in between).
 */
export function createHostGuard(resolve: AddressResolver): (host: string) => Promise<string> {
  return async (host) => {
    const [first] = await resolve(bareHost(host));
    if (!first) throw new GatewayAddressRefusedError(`${host} has no address`);
    return first.address;
  };
}
