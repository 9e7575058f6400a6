import { createHash, createHmac } from 'node:crypto';
import type { OutboundMessage } from '../provider.contract.js';
import type { KannelSettings } from './kannel.settings.js';

/**
 * The query parameters Herald puts into every dlr-url, next to Kannel's escapes: smsbox replaces
 * `%d` with the report type and `%A` with the SMSC's answer text, `%T` with the report's Unix time.
 */
export const DLR_PARAMS = {
  message: 'herald_id',
  part: 'part',
  type: 'type',
  answer: 'answer',
  time: 'ts',
  signature: 'sig',
} as const;

/** The report types Kannel substitutes for `%d`. */
export const DLR_TYPES = {
  delivered: 1,
  undelivered: 2,
  buffered: 4,
  smscAccepted: 8,
  smscRejected: 16,
} as const;

/** `sig` of a dlr-url: HMAC-SHA256 over what Herald itself put in the URL, first 128 bits in hex. */
export function reportSignature(secret: string, messageId: string, part: number | undefined): string {
  return createHmac('sha256', secret)
    .update(`kannel-dlr|${messageId}|${part ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * The dlr-url for one submit: the account's callback URL plus Herald's message id (Kannel's sendsms
 * answer carries no id of its own, so the report is matched by ours), the part number when Herald
 * splits, and Kannel's escapes. A literal `%` of the callback URL is doubled: smsbox turns `%%` into
 * `%` and would otherwise take `%A…` in it for an escape.
 */
export function dlrUrl(
  callbackUrl: string,
  messageId: string,
  part: number | undefined,
  secret: string | undefined,
): string {
  const url = new URL(callbackUrl);
  url.searchParams.set(DLR_PARAMS.message, messageId);
  if (part !== undefined) url.searchParams.set(DLR_PARAMS.part, String(part));
  if (secret) url.searchParams.set(DLR_PARAMS.signature, reportSignature(secret, messageId, part));
  const ours = url.toString().replaceAll('%', '%%');
  const sep = url.search ? '&' : '?';
  return `${ours}${sep}${DLR_PARAMS.type}=%d&${DLR_PARAMS.answer}=%A&${DLR_PARAMS.time}=%T`;
}

/**
 * The concatenation header of part `seq` of `total`: UDHL 5, IEI 0 (8-bit reference), length 3,
 * reference, total, sequence — the 6 octets `analyzeText` reserved in each part. The reference comes
 * from the message id, so a retried submit carries the same one and the handset joins its parts.
 */
export function concatUdh(messageId: string, total: number, seq: number): Buffer {
  const reference = createHash('sha256').update(messageId).digest()[0]!;
  return Buffer.from([0x05, 0x00, 0x03, reference, total, seq]);
}

/** Percent-encodes every byte that is not unreserved (RFC 3986), for raw bytes in a query. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const unreserved =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x2e ||
      b === 0x5f ||
      b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** UTF-16BE bytes of a string (UCS-2 as Kannel's `charset=UTF-16BE` expects; surrogate pairs kept). */
export function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** One sendsms request: its full URL (it carries the password — never log it). */
export function sendsmsUrl(
  s: KannelSettings,
  message: OutboundMessage,
  opts: {
    text: string;
    udh?: Buffer;
    part?: number;
    validityMinutes?: number;
  },
): string {
  const params = new URLSearchParams({
    username: s.username,
    password: s.password,
    from: s.from ?? message.from,
    to: message.to,
  });
  if (s.smsc) params.set('smsc', s.smsc);
  if (s.dlrMask > 0) {
    params.set('dlr-mask', String(s.dlrMask));
    params.set('dlr-url', dlrUrl(message.callbackUrl, message.id, opts.part, s.reportSecret));
  }
  if (opts.validityMinutes !== undefined) params.set('validity', String(opts.validityMinutes));
  let text: string;
  if (message.encoding === 'UCS-2') {
    // The exact UTF-16BE bytes: Kannel passes them on unchanged (no conversion of its own to trust).
    params.set('coding', '2');
    params.set('charset', 'UTF-16BE');
    text = percentEncodeBytes(utf16be(opts.text));
  } else {
    // GSM 7-bit: the text in UTF-8; Kannel keeps it so and its SMSC driver maps it to the GSM alphabet.
    params.set('coding', '0');
    params.set('charset', 'UTF-8');
    text = percentEncodeBytes(Buffer.from(opts.text, 'utf8'));
  }
  const udh = opts.udh ? `&udh=${percentEncodeBytes(opts.udh)}` : '';
  return `${s.sendsmsUrl}?${params.toString()}&text=${text}${udh}`;
}
