import { z } from 'zod';
import { headerOf } from '../http/http.transport.js';
import type {
  CallbackRequest,
  InboundSms,
  ParseInboundResult,
  ParseReportResult,
} from '../provider.contract.js';
import { VONAGE_RECEIPT_STATUSES } from './vonage.codes.js';
import type { VonageSettings } from './vonage.settings.js';
import { verifyVonageSignature } from './vonage.signature.js';

/**
 * Delivery receipts and inbound SMS from Vonage's SMS API. Vonage sends them as GET (query), POST
 * (form) or POST-JSON, as the account's "HTTP method" setting says; all three are read the same way:
 * query parameters with the body's fields laid over them (as Vonage's SDK reads them for signatures).
 */

/** All parameters of a webhook as text, or `null` when the body is neither form nor a flat JSON object. */
export function vonageParams(request: CallbackRequest): Record<string, string> | null {
  const params: Record<string, string> = { ...request.query };
  const body = request.body.trim();
  if (body === '') return params;
  const type = (headerOf(request.headers, 'content-type') ?? '').toLowerCase();
  if (type.includes('json') || body.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return null;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    for (const [k, v] of Object.entries(json)) {
      if (typeof v === 'string') params[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') params[k] = String(v);
      else if (v !== null) return null;
    }
    return params;
  }
  if (type === '' || type.includes('x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    return params;
  }
  return null;
}

type Checked =
  | { ok: true; params: Record<string, string> }
  | { ok: false; reason: 'invalid_signature' | 'invalid_payload' };

function checked(s: VonageSettings, request: CallbackRequest): Checked {
  const params = vonageParams(request);
  if (!params) return { ok: false, reason: 'invalid_payload' };
  if (s.signatureSecret && !verifyVonageSignature(params, s.signatureSecret, s.signatureMethod)) {
    return { ok: false, reason: 'invalid_signature' };
  }
  return { ok: true, params };
}

const text = (max: number) => z.string().trim().min(1).max(max);

const receiptSchema = z.looseObject({
  messageId: text(100),
  status: z.string().trim().toLowerCase(),
  'err-code': z.string().trim().max(20).optional(),
  scts: z.string().optional(),
  'message-timestamp': z.string().optional(),
});

const inboundSchema = z.looseObject({
  msisdn: text(32),
  to: text(32),
  messageId: text(100).optional(),
  text: z.string().max(10_000).optional(),
  type: z.string().optional(),
  'message-timestamp': z.string().optional(),
  concat: z.string().optional(),
  'concat-ref': z.string().max(100).optional(),
  'concat-total': z
    .string()
    .regex(/^\d{1,3}$/)
    .optional(),
  'concat-part': z
    .string()
    .regex(/^\d{1,3}$/)
    .optional(),
});

/** `scts` (YYMMDDHHMM, UTC) or `message-timestamp` (`YYYY-MM-DD HH:MM:SS`, UTC) as ISO 8601. */
export function vonageTime(scts: string | undefined, timestamp: string | undefined): string | undefined {
  const s = scts && /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(scts);
  const iso = s
    ? `20${s[1]}-${s[2]}-${s[3]}T${s[4]}:${s[5]}:00Z`
    : timestamp && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(timestamp)
      ? `${timestamp.replace(' ', 'T')}Z`
      : undefined;
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Vonage writes numbers as international digits without `+`; Herald's are E.164. */
export function vonageNumber(n: string): string {
  return /^\d{8,15}$/.test(n) ? `+${n}` : n;
}

export function parseVonageReceipt(s: VonageSettings, request: CallbackRequest): ParseReportResult {
  const c = checked(s, request);
  if (!c.ok) return c;
  const parsed = receiptSchema.safeParse(c.params);
  if (!parsed.success) return { ok: false, reason: 'invalid_payload' };
  const r = parsed.data;
  if (!Object.hasOwn(VONAGE_RECEIPT_STATUSES, r.status)) return { ok: false, reason: 'invalid_payload' };
  const status = VONAGE_RECEIPT_STATUSES[r.status];
  if (!status) return { ok: true, reports: [] };
  const errorCode = r['err-code'] && r['err-code'] !== '0' ? r['err-code'] : undefined;
  const at = vonageTime(r.scts, r['message-timestamp']);
  return {
    ok: true,
    reports: [{ gatewayId: r.messageId, status, ...(errorCode && { errorCode }), ...(at && { at }) }],
  };
}

export function parseVonageInbound(s: VonageSettings, request: CallbackRequest): ParseInboundResult {
  const c = checked(s, request);
  if (!c.ok) return c;
  const parsed = inboundSchema.safeParse(c.params);
  if (!parsed.success) return { ok: false, reason: 'invalid_payload' };
  const m = parsed.data;
  // Binary messages (SIM toolkit, WAP push) carry `data` and `udh`, no text: acknowledged, not stored.
  if (m.type === 'binary') return { ok: true, messages: [] };
  if (m.text === undefined) return { ok: false, reason: 'invalid_payload' };
  const receivedAt = vonageTime(undefined, m['message-timestamp']);
  const sms: InboundSms = {
    from: vonageNumber(m.msisdn),
    to: vonageNumber(m.to),
    text: m.text,
    ...(m.messageId && { gatewayMessageId: m.messageId }),
    ...(receivedAt && { receivedAt }),
  };
  if (m.concat === 'true') {
    const ref = m['concat-ref'];
    const total = Number(m['concat-total']);
    const part = Number(m['concat-part']);
    if (!ref || !(total >= 1) || !(part >= 1) || part > total)
      return { ok: false, reason: 'invalid_payload' };
    return { ok: true, messages: [{ ...sms, concat: { ref, total, part } }] };
  }
  return { ok: true, messages: [sms] };
}
