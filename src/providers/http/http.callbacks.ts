import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  CallbackRequest,
  DeliveryReport,
  InboundSms,
  ParseInboundResult,
  ParseReportResult,
  ReportStatus,
} from '../provider.contract.js';
import { atPath, scalarText, tryJson } from './http.extract.js';
import { DEFAULT_STATUS_MAP, type HttpReportTarget, type HttpSettings } from './http.settings.js';
import { headerOf } from './http.transport.js';

/**
 * Delivery reports and inbound messages of a generic HTTP gateway, in whatever form it sends them:
 * query parameters (GET), a form body or a JSON body (one object, or an array of them). Fields are
 * looked up by the names (or JSON paths) in the account's mappings.
 */

/** The hex HMAC-SHA256 a signing gateway puts in its signature header (tests use it to sign). */
export function signHttpCallback(content: string, secret: string): string {
  return createHmac('sha256', secret).update(content, 'utf8').digest('hex');
}

/** What is signed: the raw body, or the raw query string when the body is empty (a GET callback). */
export function signedContent(request: CallbackRequest): string {
  if (request.body !== '') return request.body;
  const q = request.url.indexOf('?');
  return q < 0 ? '' : request.url.slice(q + 1);
}

/** True when the account does not sign, or the request carries a valid signature. */
export function verifyHttpSignature(s: HttpSettings, request: CallbackRequest): boolean {
  if (!s.signatureHeader || !s.signatureSecret) return true;
  const given = headerOf(request.headers, s.signatureHeader)
    ?.trim()
    .replace(/^sha256=/i, '');
  if (!given) return false;
  const expected = createHmac('sha256', s.signatureSecret).update(signedContent(request), 'utf8').digest();
  let got: Buffer;
  if (/^[0-9a-f]{64}$/i.test(given)) got = Buffer.from(given, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(given)) got = Buffer.from(given, 'base64');
  else return false;
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * The records a callback carries: query parameters laid under the body's fields; a JSON array body
 * gives one record per element. `null` when the body is neither form nor JSON.
 */
export function callbackRecords(request: CallbackRequest): unknown[] | null {
  const query: Record<string, unknown> = { ...request.query };
  const body = request.body.trim();
  if (body === '') return [query];
  const type = (headerOf(request.headers, 'content-type') ?? '').toLowerCase();
  if (type.includes('json') || body.startsWith('{') || body.startsWith('[')) {
    const json = tryJson(body);
    if (Array.isArray(json)) {
      return json.every(isObject) ? json.map((r) => ({ ...query, ...(r as object) })) : null;
    }
    return isObject(json) ? [{ ...query, ...json }] : null;
  }
  if (type === '' || type.includes('x-www-form-urlencoded') || type.includes('text/plain')) {
    return [{ ...query, ...Object.fromEntries(new URLSearchParams(body)) }];
  }
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A field of a record by its plain name first (form keys may contain dots), else as a JSON path. */
export function field(record: unknown, name: string): string | undefined {
  if (isObject(record) && Object.hasOwn(record, name)) return scalarText(record[name]);
  return scalarText(atPath(record, name));
}

/** ISO 8601 as given, or Unix seconds / milliseconds turned into ISO 8601; otherwise dropped. */
export function timeField(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{9,10}$/.test(value)) return new Date(Number(value) * 1000).toISOString();
  if (/^\d{12,13}$/.test(value)) return new Date(Number(value)).toISOString();
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function mapStatus(s: HttpSettings, word: string): HttpReportTarget | undefined {
  const key = word.trim().toLowerCase();
  for (const [k, v] of Object.entries(s.report.statusMap)) if (k.toLowerCase() === key) return v;
  return DEFAULT_STATUS_MAP[key];
}

export function parseHttpReport(s: HttpSettings, request: CallbackRequest): ParseReportResult {
  if (!verifyHttpSignature(s, request)) return { ok: false, reason: 'invalid_signature' };
  const records = callbackRecords(request);
  if (!records || records.length === 0 || records.length > 1000)
    return { ok: false, reason: 'invalid_payload' };
  const reports: DeliveryReport[] = [];
  for (const record of records) {
    const id = field(record, s.report.idField)?.trim();
    const word = field(record, s.report.statusField);
    if (!id || id.length > 200 || word === undefined) return { ok: false, reason: 'invalid_payload' };
    const status = mapStatus(s, word);
    // A status word the mapping does not know is a configuration gap the administrator must see.
    if (status === undefined) return { ok: false, reason: 'invalid_payload' };
    if (status === 'ignore') continue;
    const errorCode = s.report.errorField ? field(record, s.report.errorField)?.slice(0, 100) : undefined;
    const at = s.report.timeField ? timeField(field(record, s.report.timeField)) : undefined;
    reports.push({
      gatewayId: id,
      status: status as ReportStatus,
      ...(errorCode ? { errorCode } : {}),
      ...(at ? { at } : {}),
    });
  }
  return { ok: true, reports };
}

export function parseHttpInbound(s: HttpSettings, request: CallbackRequest): ParseInboundResult {
  if (!verifyHttpSignature(s, request)) return { ok: false, reason: 'invalid_signature' };
  const records = callbackRecords(request);
  if (!records || records.length === 0 || records.length > 1000)
    return { ok: false, reason: 'invalid_payload' };
  const messages: InboundSms[] = [];
  for (const record of records) {
    const from = field(record, s.inbound.fromField)?.trim();
    const to = field(record, s.inbound.toField)?.trim();
    const text = field(record, s.inbound.textField);
    if (!from || !to || text === undefined || from.length > 64 || to.length > 64 || text.length > 10_000) {
      return { ok: false, reason: 'invalid_payload' };
    }
    const id = s.inbound.idField ? field(record, s.inbound.idField)?.trim() : undefined;
    const at = s.inbound.timeField ? timeField(field(record, s.inbound.timeField)) : undefined;
    messages.push({
      from,
      to,
      text,
      ...(id ? { gatewayMessageId: id.slice(0, 200) } : {}),
      ...(at ? { receivedAt: at } : {}),
    });
  }
  return { ok: true, messages };
}
