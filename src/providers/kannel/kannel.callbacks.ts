import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type {
  CallbackRequest,
  DeliveryReport,
  ParseInboundResult,
  ParseReportResult,
  ReportStatus,
} from '../provider.contract.js';
import { DLR_PARAMS, reportSignature } from './kannel.request.js';

/**
 * Kannel's report types (`%d`) in Herald's statuses:
 * 1 delivered to the handset → delivered; 2 not delivered → undelivered; 4 buffered on the SMSC (it keeps
 * trying) → sent; 8 accepted by the SMSC → sent; 16 rejected by the SMSC → rejected.
 */
export const DLR_STATUS: Readonly<Record<string, ReportStatus>> = Object.freeze({
  '1': 'delivered',
  '2': 'undelivered',
  '4': 'sent',
  '8': 'sent',
  '16': 'rejected',
});

const reportQuery = z.object({
  [DLR_PARAMS.message]: z.string().regex(/^[\w-]{1,100}$/),
  [DLR_PARAMS.part]: z
    .string()
    .regex(/^[1-9]\d{0,2}$/)
    .optional(),
  [DLR_PARAMS.type]: z.enum(Object.keys(DLR_STATUS) as [string, ...string[]]),
  [DLR_PARAMS.answer]: z.string().max(1000).optional(),
  [DLR_PARAMS.time]: z
    .string()
    .regex(/^\d{1,12}$/)
    .optional(),
  [DLR_PARAMS.signature]: z.string().optional(),
});

/**
 * A delivery report: smsbox calls the dlr-url Herald gave with the submit (a GET; Kannel signs
 * nothing). With a report secret, `sig` must match the message id and part Herald put in the URL.
 */
export function parseKannelReport(
  request: CallbackRequest,
  reportSecret: string | undefined,
): ParseReportResult {
  const q = request.query;
  if (reportSecret) {
    const id = q[DLR_PARAMS.message] ?? '';
    const partText = q[DLR_PARAMS.part];
    const part = partText === undefined ? undefined : Number(partText);
    const given = q[DLR_PARAMS.signature] ?? '';
    const expected = Buffer.from(reportSignature(reportSecret, id, part), 'hex');
    if (!/^[0-9a-f]{32}$/.test(given) || !timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
      return { ok: false, reason: 'invalid_signature' };
    }
  }
  const parsed = reportQuery.safeParse(q);
  if (!parsed.success) return { ok: false, reason: 'invalid_payload' };
  const r = parsed.data;
  const status = DLR_STATUS[r[DLR_PARAMS.type]!]!;
  const partText = r[DLR_PARAMS.part];
  const time = r[DLR_PARAMS.time];
  const failed = status === 'undelivered' || status === 'rejected';
  const errorCode = failed ? safeAnswer(r[DLR_PARAMS.answer] ?? '') : undefined;
  const report: DeliveryReport = {
    gatewayId: r[DLR_PARAMS.message]!,
    status,
    ...(partText ? { part: Number(partText) } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(time ? { at: new Date(Number(time) * 1000).toISOString() } : {}),
  };
  return { ok: true, reports: [report] };
}

/**
 * The SMSC's answer (`%A`) as a short error detail. An SMPP receipt (`id:… stat:UNDELIV err:001 …
 * text:…`) carries the first characters of the message, so only its `stat` and `err` are kept;
 * another answer (`NACK/0x0000000b/Invalid Destination Address`) is kept if it is short and plain.
 */
export function safeAnswer(answer: string): string | undefined {
  const stat = /\bstat:(\w{1,10})/i.exec(answer)?.[1];
  const err = /\berr:(\w{1,10})/i.exec(answer)?.[1];
  if (stat || err) return [stat, err].filter(Boolean).join('/');
  const plain = answer.trim();
  if (plain && plain.length <= 64 && /^[\w .:/-]+$/.test(plain)) return plain;
  return undefined;
}

const NUMBER = /^\+?[\w .-]{1,32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An inbound SMS: smsbox calls the sms-service's get-url,
 * `<inbound URL>?from=%p&to=%P&text=%b&coding=%c&charset=%C&id=%I&ts=%T`. `%b` is the message's bytes;
 * with `coding=2` and no `mo-recode` they are UTF-16BE, so the text is decoded from the raw URL by the
 * charset Kannel names, not from the (UTF-8 decoded) query.
 */
export function parseKannelInbound(request: CallbackRequest): ParseInboundResult {
  const q = request.query;
  const from = q.from?.trim() ?? '';
  const to = q.to?.trim() ?? '';
  if (!NUMBER.test(from) || !NUMBER.test(to)) return { ok: false, reason: 'invalid_payload' };
  const raw = rawParam(request.url, 'text');
  if (raw === undefined && q.text === undefined) return { ok: false, reason: 'invalid_payload' };
  const text = raw === undefined ? q.text! : decodeText(raw, q.coding, q.charset);
  if (text === undefined || text.length > 2000) return { ok: false, reason: 'invalid_payload' };
  const id = q.id;
  const ts = q.ts;
  return {
    ok: true,
    messages: [
      {
        from,
        to,
        text,
        ...(id && UUID.test(id) ? { gatewayMessageId: id.toLowerCase() } : {}),
        ...(ts && /^\d{1,12}$/.test(ts) ? { receivedAt: new Date(Number(ts) * 1000).toISOString() } : {}),
      },
    ],
  };
}

/** The still percent-encoded value of `name` in the URL's query (undefined when absent). */
function rawParam(url: string, name: string): string | undefined {
  const question = url.indexOf('?');
  if (question < 0) return undefined;
  const search = url.slice(question + 1).split('#')[0]!;
  for (const pair of search.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

/** Bytes of a form-encoded value (`+` is a space), or undefined when it is not well formed. */
function formBytes(value: string): Buffer | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25) {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b) bytes.push(0x20);
    else if (c < 0x80) bytes.push(c);
    else return undefined;
  }
  return Buffer.from(bytes);
}

function decodeText(
  raw: string,
  coding: string | undefined,
  charset: string | undefined,
): string | undefined {
  const bytes = formBytes(raw);
  if (!bytes) return undefined;
  const cs = (charset ?? '').toUpperCase();
  try {
    if (cs === 'UTF-16BE' || cs === 'UCS-2' || cs === 'UCS-2BE' || (coding === '2' && cs === '')) {
      if (bytes.length % 2 !== 0) return undefined;
      return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    }
    if (cs === '' || cs === 'UTF-8') return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (cs === 'ISO-8859-1' || cs === 'LATIN1' || cs === 'WINDOWS-1252') {
      return new TextDecoder('windows-1252').decode(bytes);
    }
  } catch {
    return undefined;
  }
  // 8-bit (binary) messages and unknown charsets are not text.
  return undefined;
}
