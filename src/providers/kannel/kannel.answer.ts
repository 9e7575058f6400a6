import type { SendOutcome } from '../provider.contract.js';
import { GatewayAddressRefusedError } from '../provider.fetch.js';

type Failure = Extract<SendOutcome, { ok: false }>;

/** Kannel's sendsms answers that mean "taken" (`202`, also `200` from older smsboxes). */
const ACCEPTED = /^\s*0:\s*Accepted for delivery/i;
const QUEUED = /^\s*3:\s*Queued for later delivery/i;

/**
 * Known refusals of smsbox (gw/smsbox.c), each with a code and a short text of our own: Kannel's
 * answer body is never passed on verbatim.
 */
const KNOWN_REFUSALS: readonly { match: RegExp; code: string; text: string }[] = [
  {
    match: /^Authorization failed/i,
    code: 'KANNEL_AUTH_FAILED',
    text: 'Kannel refused the username or password.',
  },
  {
    match: /^Not routable/i,
    code: 'KANNEL_NOT_ROUTABLE',
    text: 'Kannel has no route (SMSC) for the message.',
  },
  {
    match: /denied by white- and\/or black-lists/i,
    code: 'KANNEL_NUMBER_DENIED',
    text: 'Kannel refused the recipient number (its white or black list, or characters it does not allow).',
  },
  {
    match: /^Sender missing/i,
    code: 'KANNEL_NO_SENDER',
    text: 'Kannel needs a sender and has none configured.',
  },
  { match: /receiver number/i, code: 'KANNEL_NO_RECEIVER', text: 'Kannel got no recipient number.' },
  {
    match: /^DLR-URL field misformed/i,
    code: 'KANNEL_BAD_DLR_URL',
    text: 'Kannel refused the delivery report URL.',
  },
  { match: /^UDH field/i, code: 'KANNEL_BAD_UDH', text: 'Kannel refused the concatenation header.' },
  {
    match: /^Charset or body misformed/i,
    code: 'KANNEL_BAD_CHARSET',
    text: 'Kannel could not convert the text.',
  },
  { match: /field misformed/i, code: 'KANNEL_BAD_FIELD', text: 'Kannel refused a field of the request.' },
];

/** What a sendsms answer means for the message. */
export function classifyAnswer(status: number, body: string): { ok: true } | Failure {
  if ((status === 202 || status === 200) && (ACCEPTED.test(body) || QUEUED.test(body))) return { ok: true };
  if (status === 503) {
    return {
      ok: false,
      class: 'retryable',
      code: 'KANNEL_TEMPORARY_FAILURE',
      text: 'Kannel could not take the message for now (its queue is full or no SMSC is connected).',
      retryAfterMs: 1000,
    };
  }
  if (status >= 200 && status < 300) {
    // A 2xx that is not Kannel's acceptance (a proxy's page?): it may or may not have been taken.
    return {
      ok: false,
      class: 'unknown',
      code: 'KANNEL_UNEXPECTED_ANSWER',
      text: `Kannel answered HTTP ${status} without "Accepted for delivery".`,
    };
  }
  if (status >= 400 && status < 500) {
    const known = KNOWN_REFUSALS.find((r) => r.match.test(body.trim()));
    return {
      ok: false,
      class: 'permanent',
      code: known?.code ?? `KANNEL_HTTP_${status}`,
      text: known?.text ?? `Kannel refused the message (HTTP ${status}).`,
    };
  }
  if (status >= 500) {
    // 500 "Sending failed.": smsbox could not hand the message to bearerbox, so it does not have it.
    return {
      ok: false,
      class: 'retryable',
      code: `KANNEL_HTTP_${status}`,
      text: `Kannel failed to take the message (HTTP ${status}).`,
      retryAfterMs: 1000,
    };
  }
  // 1xx/3xx: redirects are not followed (a gateway URL must not lead elsewhere).
  return {
    ok: false,
    class: 'permanent',
    code: `KANNEL_HTTP_${status}`,
    text: `Kannel answered HTTP ${status}; check the sendsms URL.`,
  };
}

/** Errors raised before any byte of the request left: the message certainly did not reach Kannel. */
const BEFORE_SENDING = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** What a failed request (no answer) means: not sent, refused by policy, or unknown. */
export function classifyError(error: unknown): Failure {
  if (error instanceof GatewayAddressRefusedError) {
    return {
      ok: false,
      class: 'permanent',
      code: 'KANNEL_ADDRESS_REFUSED',
      text: "The sendsms URL's address is not allowed by the server's network policy.",
    };
  }
  const code = errorCode(error);
  if (code && BEFORE_SENDING.has(code)) {
    return {
      ok: false,
      class: 'retryable',
      code: `KANNEL_${code}`,
      text: 'Kannel could not be reached; the message was not sent.',
      retryAfterMs: 2000,
    };
  }
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      ok: false,
      class: 'unknown',
      code: 'KANNEL_TIMEOUT',
      text: 'Kannel did not answer in time; it may have taken the message.',
    };
  }
  return {
    ok: false,
    class: 'unknown',
    code: code ? `KANNEL_${code}` : 'KANNEL_NETWORK_ERROR',
    text: 'The connection to Kannel failed during the request; it may have taken the message.',
  };
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
