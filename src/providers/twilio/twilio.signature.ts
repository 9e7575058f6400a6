import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';

/**
 * Twilio's request signature (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed with the account's auth
 * token, over the full URL Twilio requested followed by every POST parameter's name and value, names
 * sorted (a repeated name: its distinct values sorted). Written after the validator of Twilio's own
 * Node library (`twilio/lib/webhooks/webhooks.js`, `validateRequest`), which tests compare it with.
 */

/** Form parameters as received: every value of a repeated name kept. */
export type FormParams = Readonly<Record<string, readonly string[]>>;

export function parseForm(body: string): Record<string, string[]> {
  // No prototype: a parameter named `__proto__` or `constructor` is just a name.
  const params: Record<string, string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(body)) {
    const list = params[k] ?? [];
    list.push(v);
    params[k] = list;
  }
  return params;
}

/** The signature Twilio sends for `url` and `params` (also used by tests and the fake Twilio). */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    for (const value of [...new Set(params[name])].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * The URLs Twilio may have signed for a request that arrived at `url`, in the order Twilio's library
 * tries them: as received without and with the default port (Twilio signs the URL as configured, and
 * some of its systems add `:443`/`:80` while others drop it); then the URL as `new URL()` normalises it
 * (percent-encoding), without and with the port, each also with the query re-encoded the way Node's
 * legacy `querystring` does.
 */
export function signatureUrlCandidates(url: string): string[] {
  const out = [removePort(url), addPort(url)];
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return out;
  }
  const without = removePort(normalized);
  const withPort = addPort(normalized);
  out.push(without, withPort, withLegacyQuerystring(without), withLegacyQuerystring(withPort));
  return [...new Set(out)];
}

/** Verifies `signature` for a request to `url` with `params`, in constant time per candidate URL. */
export function verifyTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: FormParams,
): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  let ok = false;
  for (const candidate of signatureUrlCandidates(url)) {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    // Every candidate is compared (no early exit), each in constant time; lengths are not secret.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalising it, so path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | null {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return null;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function addPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  const port = p.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return p.scheme + p.userInfo + p.host + port + p.rest;
}

function removePort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.userInfo + p.host + p.rest : url;
}

function withLegacyQuerystring(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return url;
  return `${url.slice(0, q)}?${stringifyQuery(parseQuery(url.slice(q + 1)))}`;
}
