import type { SendOutcome } from '../provider.contract.js';

type Failure = Extract<SendOutcome, { ok: false }>;

/**
 * Short texts for the Twilio error codes a submit commonly gets; safe to show to users. Twilio's own
 * `message` is never passed on (it can quote the number or other request data).
 */
const KNOWN: Record<string, string> = {
  '20003': 'Twilio refused the credentials (account SID or auth token).',
  '20404': 'Twilio does not know this account or resource.',
  '20429': 'Twilio is rate-limiting requests from this account.',
  '21211': "The recipient's number is not a valid phone number.",
  '21408': 'The Twilio account has no permission to send to this region (geo permissions).',
  '21606': "The sender ('From') cannot send to this number.",
  '21610': 'The recipient has opted out of messages from this sender (replied STOP).',
  '21612': 'Twilio cannot route a message from this sender to this number.',
  '21614': "The recipient's number cannot receive SMS (not a mobile number).",
  '21617': 'The message is longer than Twilio accepts (1600 characters).',
  '21624': 'The validity period is outside what Twilio accepts.',
};

/**
 * Classes a Twilio error answer (HTTP status plus the error JSON's `code`):
 * 429 or 20429 → throttled (after `Retry-After` when given); 21610 → opted out; 5xx → retryable (Twilio
 * did not create the message); any other 4xx (21211, 21408, 21612, 21614, bad credentials …) → permanent.
 */
export function classifyTwilioError(
  httpStatus: number,
  code: number | undefined,
  retryAfterMs: number | undefined,
): Failure {
  const c = code === undefined ? `HTTP_${httpStatus}` : String(code);
  const text =
    KNOWN[c] ??
    (httpStatus >= 500
      ? `Twilio had a temporary problem (HTTP ${httpStatus}).`
      : `Twilio refused the message (code ${c}).`);
  if (httpStatus === 429 || code === 20429) {
    return {
      ok: false,
      class: 'throttled',
      code: c,
      text: KNOWN['20429']!,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (code === 21610) return { ok: false, class: 'opted_out', code: c, text };
  if (httpStatus >= 500) {
    return {
      ok: false,
      class: 'retryable',
      code: c,
      text,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { ok: false, class: 'permanent', code: c, text };
}

/**
 * Connection errors that prove the request never reached Twilio (refused, no route, DNS, connect
 * timeout, TLS handshake): safe to retry. Any other network error may have happened after Twilio
 * read the request.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function networkErrorOutcome(error: unknown): Failure {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  // The server's SSRF policy (provider.fetch.ts) refused the address before connecting; it will refuse
  // again until an administrator changes the setting or allows private gateways.
  if (e?.name === 'GatewayAddressRefusedError') {
    return {
      ok: false,
      class: 'permanent',
      code: 'TWILIO_ADDRESS_REFUSED',
      text: "The Twilio API address is not allowed by the server's network policy.",
    };
  }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return {
      ok: false,
      class: 'unknown',
      code: 'TWILIO_TIMEOUT',
      text: 'No answer from Twilio in time; it may have taken the message.',
    };
  }
  const code = e?.cause?.code ?? e?.code;
  if (code && NOT_SENT_CODES.has(code)) {
    return {
      ok: false,
      class: 'retryable',
      code: 'TWILIO_UNREACHABLE',
      text: 'Twilio could not be reached.',
    };
  }
  return {
    ok: false,
    class: 'unknown',
    code: 'TWILIO_CONNECTION_LOST',
    text: 'The connection to Twilio broke during the submit; it may have taken the message.',
  };
}
