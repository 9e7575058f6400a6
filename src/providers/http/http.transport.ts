import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { FetchLike, SendOutcome } from '../provider.contract.js';

/**
 * One request to a gateway's HTTP API, shared by the HTTP adapters (generic HTTP, Vonage): no redirect
 * is followed (a 3xx is a failure — the target could be anything, see the SSRF policy), the answer is
 * read up to {@link MAX_BODY_CHARS}, and every way it can fail becomes a typed outcome that says
 * whether the gateway may have the message.
 */

export type Failure = Extract<SendOutcome, { ok: false }>;

export interface GatewayResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text, cut at {@link MAX_BODY_CHARS}. Never shown to users. */
  readonly body: string;
}

/** Gateways answer a submit in a few hundred bytes; more is read no further. */
export const MAX_BODY_CHARS = 64 * 1024;
/** Retry-After values above this are capped: a gateway should not park a message for a day. */
const MAX_RETRY_AFTER_MS = 3_600_000;
/** When a 429 gives no (valid) Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Error codes of a connection that never carried the request (DNS, refused, unreachable, connect
 * timeout): the gateway cannot have the message, so trying again is safe.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

export type CallResult = { ok: true; response: GatewayResponse } | { ok: false; failure: Failure };

export async function callGateway(
  fetch: FetchLike,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<CallResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { ...init, redirect: 'manual', signal });
    const body = await readCapped(res);
    return { ok: true, response: { status: res.status, headers: res.headers, body } };
  } catch (err) {
    return { ok: false, failure: transportFailure(err) };
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  const reader = res.body.getReader();
  try {
    while (text.length < MAX_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, MAX_BODY_CHARS);
}

/** What a thrown fetch error means for the message. */
export function transportFailure(err: unknown): Failure {
  const name = (err as { name?: unknown })?.name;
  // The server's address policy (provider.fetch.ts) refused the target before anything was sent; it
  // will refuse again until an administrator allows it.
  if (err instanceof AppError || name === 'GatewayAddressRefusedError') {
    return {
      ok: false,
      class: 'permanent',
      code: err instanceof AppError ? err.code : 'ADDRESS_REFUSED',
      text: 'The gateway address is not allowed by the server policy.',
    };
  }
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      ok: false,
      class: 'unknown',
      code: 'TIMEOUT',
      text: 'The gateway did not answer in time; it may have taken the message.',
    };
  }
  const code = errorCode(err);
  if (code && NOT_SENT_CODES.has(code)) {
    return { ok: false, class: 'retryable', code, text: 'The gateway could not be reached.' };
  }
  return {
    ok: false,
    class: 'unknown',
    code: code ?? 'NETWORK_ERROR',
    text: 'The connection to the gateway failed; it may have taken the message.',
  };
}

/** The system error code of a fetch failure (undici puts it on `cause`, sometimes nested). */
function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The outcome an HTTP status alone decides, or `null` for a 2xx (the body decides):
 * 3xx → permanent (redirects are never followed); 429 → throttled with Retry-After honoured;
 * 408 and 5xx → retryable (503 also honours Retry-After); any other 4xx → permanent.
 */
export function statusFailure(status: number, headers: Headers, clock: Clock): Failure | null {
  if (status >= 200 && status < 300) return null;
  const code = `HTTP_${status}`;
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      class: 'permanent',
      code,
      text: 'The gateway answered with a redirect; not followed.',
    };
  }
  if (status === 429) {
    return {
      ok: false,
      class: 'throttled',
      code,
      text: 'The gateway asks to slow down.',
      retryAfterMs: retryAfterMs(headers.get('retry-after'), clock) ?? DEFAULT_RETRY_AFTER_MS,
    };
  }
  if (status === 408 || status >= 500) {
    const after = retryAfterMs(headers.get('retry-after'), clock);
    return {
      ok: false,
      class: 'retryable',
      code,
      text: 'The gateway had a temporary problem.',
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }
  if (status === 401 || status === 403) {
    return { ok: false, class: 'permanent', code, text: 'The gateway refused the credentials.' };
  }
  return { ok: false, class: 'permanent', code, text: 'The gateway refused the request.' };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), capped; `undefined` when absent or invalid. */
export function retryAfterMs(value: string | null, clock: Clock): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - clock.now().getTime());
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** Header lookup in a callback request (names are lower case there, but be lenient). */
export function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (headers[lower] !== undefined) return headers[lower];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
