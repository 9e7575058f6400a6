import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VonageSignatureMethod } from './vonage.settings.js';

/**
 * Vonage's signed webhooks for the SMS API ("Signing Messages",
 * https://developer.vonage.com/en/getting-started/concepts/signing-messages): the webhook carries
 * `timestamp`, `nonce` and `sig` among its parameters; `sig` is computed over every other parameter:
 *
 * 1. take all parameters (query and body) except `sig`, sorted by name;
 * 2. in each value replace every `&` and `=` with `_`;
 * 3. join them as `&name=value&name=value…`;
 * 4. HMAC that string with the signature secret (MD5, SHA-1, SHA-256 or SHA-512 as configured) and
 *    write it in hex (Vonage may send upper case; compared ignoring case).
 *
 * The same algorithm as `verifySignature` in Vonage's Node SDK (`@vonage/sms`); a test checks that
 * both agree on generated parameters.
 */

const HASH: Readonly<Record<VonageSignatureMethod, string>> = {
  md5hmac: 'md5',
  sha1hmac: 'sha1',
  sha256hmac: 'sha256',
  sha512hmac: 'sha512',
};

/** The string Vonage signs. */
export function vonageSignedString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort()
    .map((k) => `&${k}=${params[k]!.replace(/[&=]/g, '_')}`)
    .join('');
}

/** The `sig` Vonage computes for `params` (lower-case hex). */
export function vonageSignature(
  params: Readonly<Record<string, string>>,
  secret: string,
  method: VonageSignatureMethod,
): string {
  return createHmac(HASH[method], secret).update(vonageSignedString(params), 'utf8').digest('hex');
}

/** True when `params.sig` is the signature of the other parameters. */
export function verifyVonageSignature(
  params: Readonly<Record<string, string>>,
  secret: string,
  method: VonageSignatureMethod,
): boolean {
  const given = params.sig;
  if (!given || !/^[0-9a-f]+$/i.test(given)) return false;
  const expected = Buffer.from(vonageSignature(params, secret, method), 'hex');
  const got = Buffer.from(given.toLowerCase(), 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}
