import { z } from 'zod';
import { retryAfterMs } from '../http/http.transport.js';
import type {
  CallbackRequest,
  DeliveryReport,
  OutboundMessage,
  ParseInboundResult,
  ParseReportResult,
  Provider,
  ProviderAccount,
  ProviderDeps,
  ProviderFactory,
  ReportStatus,
  SendOutcome,
} from '../provider.contract.js';
import { classifyTwilioError, networkErrorOutcome } from './twilio.errors.js';
import { type TwilioSettings, twilioSettingsSchema } from './twilio.settings.js';
import { type FormParams, parseForm, verifyTwilioSignature } from './twilio.signature.js';
import { canonicalStatus, isTwilioStatus } from './twilio.status.js';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** Twilio's limits on `ValidityPeriod`, in seconds (error 21624 outside them). */
export const VALIDITY_MIN_S = 1;
export const VALIDITY_MAX_S = 36_000;

/** The empty TwiML answer: Twilio sends no reply to the handset. */
export const TWIML_EMPTY_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Message SIDs: `SM` (SMS) or `MM` (MMS) and 32 hex digits. */
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/i;

export const twilioFactory: ProviderFactory<TwilioSettings> = {
  kind: 'twilio',
  settingsSchema: twilioSettingsSchema,
  secretSettings: ['authToken'],
  addressSettings: ['apiBaseUrl'],
  create: (account, deps) => createTwilio(account, deps),
};

/** The part of the Message resource Herald reads (create answer and status query). */
const messageResource = z.object({
  sid: z.string().regex(MESSAGE_SID),
  status: z.string(),
});
const errorBody = z.object({ code: z.number().int().optional() });

/**
 * Seconds until `validityUntil`, clamped to what Twilio accepts (1 s … 10 h). A message whose validity
 * has already passed gets 1 s: the dispatch expires messages before submitting them, so this only
 * happens at the edge, and Twilio then drops it with 30036 rather than sending it late.
 */
export function validityPeriodSeconds(validityUntil: Date, now: Date): number {
  const s = Math.ceil((validityUntil.getTime() - now.getTime()) / 1000);
  return Math.min(Math.max(s, VALIDITY_MIN_S), VALIDITY_MAX_S);
}

/**
 * Twilio's SIDs are case-sensitive (`SM` + lower-case hex) while Herald stores gateway ids normalised
 * (lower case): restore the form Twilio's API answers to.
 */
export function twilioSidOf(gatewayId: string): string | null {
  const id = gatewayId.trim();
  if (!MESSAGE_SID.test(id)) return null;
  return id.slice(0, 2).toUpperCase() + id.slice(2).toLowerCase();
}

/** `RawDlrDoneDate` (`YYMMDDhhmm`, UTC) as ISO 8601, when it is a real date. */
function dlrDoneDate(raw: string | undefined): string | undefined {
  const m = raw && /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(raw);
  if (!m) return undefined;
  const [, yy, mo, dd, hh, mi] = m.map(Number) as [number, number, number, number, number, number];
  const d = new Date(Date.UTC(2000 + yy, mo - 1, dd, hh, mi));
  if (d.getUTCMonth() !== mo - 1 || d.getUTCDate() !== dd || hh > 23 || mi > 59) return undefined;
  return d.toISOString();
}

function createTwilio(account: ProviderAccount<TwilioSettings>, deps: ProviderDeps): Provider {
  const s = account.settings;
  const apiBase = s.apiBaseUrl.replace(/\/+$/, '');
  const accountPath = `${apiBase}/2010-04-01/Accounts/${encodeURIComponent(s.accountSid)}`;
  const authorization = `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`;
  let closed = false;

  const request = (url: string, init: RequestInit) =>
    deps.fetch(url, {
      ...init,
      // A redirect is never followed: it would carry the credentials to another host (and past the
      // SSRF check). Twilio's API does not redirect, so a 3xx is a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(s.timeoutMs),
      headers: { authorization, accept: 'application/json', ...(init.headers as Record<string, string>) },
    });

  function formFor(message: OutboundMessage): URLSearchParams {
    const form = new URLSearchParams();
    form.set('To', message.to);
    if (s.messagingServiceSid) form.set('MessagingServiceSid', s.messagingServiceSid);
    else form.set('From', message.from);
    form.set('Body', message.text);
    form.set('StatusCallback', message.callbackUrl);
    if (message.validityUntil) {
      form.set('ValidityPeriod', String(validityPeriodSeconds(message.validityUntil, deps.clock.now())));
    }
    return form;
  }

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    if (closed) {
      return { ok: false, class: 'retryable', code: 'TWILIO_CLOSED', text: 'The adapter is shutting down.' };
    }
    if (message.parts.length > account.maxParts) {
      return {
        ok: false,
        class: 'permanent',
        code: 'TWILIO_TOO_MANY_PARTS',
        text: `The message has more than ${account.maxParts} parts.`,
      };
    }
    let res: Response;
    let body: string;
    try {
      res = await request(`${accountPath}/Messages.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: formFor(message).toString(),
      });
      body = await res.text();
    } catch (e) {
      const outcome = networkErrorOutcome(e);
      deps.log('warn', 'twilio submit failed before an answer', {
        accountId: account.id,
        code: outcome.code,
      });
      return outcome;
    }
    if (res.status >= 200 && res.status < 300) {
      const parsed = messageResource.safeParse(safeJson(body));
      if (!parsed.success) {
        // Twilio said yes but we cannot tell which message: it may well send it.
        return {
          ok: false,
          class: 'unknown',
          code: 'TWILIO_BAD_ANSWER',
          text: 'Twilio accepted the request but its answer could not be read.',
        };
      }
      return {
        ok: true,
        gatewayId: parsed.data.sid,
        status: parsed.data.status === 'sent' ? 'sent' : 'accepted',
      };
    }
    if (res.status >= 300 && res.status < 400) {
      deps.log('warn', 'twilio answered a submit with a redirect', {
        accountId: account.id,
        status: res.status,
      });
      return {
        ok: false,
        class: 'permanent',
        code: `HTTP_${res.status}`,
        text: 'The Twilio API URL answered with a redirect; check the gateway setting apiBaseUrl.',
      };
    }
    const err = errorBody.safeParse(safeJson(body));
    const code = err.success ? err.data.code : undefined;
    const outcome = classifyTwilioError(
      res.status,
      code,
      retryAfterMs(res.headers.get('retry-after'), deps.clock),
    );
    deps.log('warn', 'twilio refused a submit', {
      accountId: account.id,
      status: res.status,
      code: outcome.code,
      class: outcome.class,
    });
    return outcome;
  }

  /** The URL Twilio signed: the request's, or under `publicBaseUrl` when Herald is behind a proxy. */
  function signedUrl(requestUrl: string): string {
    if (!s.publicBaseUrl) return requestUrl;
    let u: URL;
    try {
      u = new URL(requestUrl);
    } catch {
      return requestUrl;
    }
    return `${s.publicBaseUrl.replace(/\/+$/, '')}${u.pathname}${u.search}`;
  }

  /** Verifies the signature; the parameters on success, `null` when it does not match. */
  function verified(request: CallbackRequest): FormParams | null {
    const params = parseForm(request.body);
    const signature = headerOf(request.headers, TWILIO_SIGNATURE_HEADER);
    return verifyTwilioSignature(s.authToken, signature, signedUrl(request.url), params) ? params : null;
  }

  /** A parameter given exactly once (a repeated one is as bad as a missing one). */
  const one = (p: FormParams, name: string): string | undefined => {
    const v = p[name];
    return v?.length === 1 ? v[0] : undefined;
  };
  /** The first of `names` that is present, given exactly once (no fallback past a repeated one). */
  const first = (p: FormParams, ...names: string[]): string | undefined => {
    const name = names.find((n) => p[n] !== undefined);
    return name === undefined ? undefined : one(p, name);
  };
  const otherAccount = (p: FormParams) => {
    const sid = one(p, 'AccountSid');
    return sid !== undefined && sid !== s.accountSid;
  };

  function parseDeliveryReport(request: CallbackRequest): ParseReportResult {
    const p = verified(request);
    if (!p) return { ok: false, reason: 'invalid_signature' };
    const sid = first(p, 'MessageSid', 'SmsSid');
    const status = first(p, 'MessageStatus', 'SmsStatus');
    const errorCode = one(p, 'ErrorCode');
    if (!sid || !MESSAGE_SID.test(sid) || !status || !isTwilioStatus(status) || otherAccount(p)) {
      return { ok: false, reason: 'invalid_payload' };
    }
    if (errorCode !== undefined && !/^\d{1,6}$/.test(errorCode))
      return { ok: false, reason: 'invalid_payload' };
    const canonical = canonicalStatus(status);
    if (!canonical) return { ok: true, reports: [] };
    const at = dlrDoneDate(one(p, 'RawDlrDoneDate'));
    const report: DeliveryReport = {
      gatewayId: sid,
      status: canonical,
      ...(errorCode && errorCode !== '0' ? { errorCode } : {}),
      ...(at ? { at } : {}),
    };
    return { ok: true, reports: [report] };
  }

  function parseInbound(request: CallbackRequest): ParseInboundResult {
    const p = verified(request);
    if (!p) return { ok: false, reason: 'invalid_signature' };
    const sid = first(p, 'MessageSid', 'SmsMessageSid', 'SmsSid');
    const from = one(p, 'From');
    const to = one(p, 'To');
    const body = one(p, 'Body');
    const numMedia = one(p, 'NumMedia');
    if (
      !sid ||
      !MESSAGE_SID.test(sid) ||
      !from ||
      !to ||
      body === undefined ||
      (numMedia !== undefined && !/^\d{1,3}$/.test(numMedia)) ||
      otherAccount(p)
    ) {
      return { ok: false, reason: 'invalid_payload' };
    }
    return { ok: true, messages: [{ gatewayMessageId: sid, from, to, text: body }] };
  }

  async function queryStatus(q: {
    messageId: string;
    gatewayId: string | null;
  }): Promise<ReportStatus | null> {
    const sid = q.gatewayId === null ? null : twilioSidOf(q.gatewayId);
    if (!sid) return null;
    let res: Response;
    let body: string;
    try {
      res = await request(`${accountPath}/Messages/${sid}.json`, { method: 'GET' });
      body = await res.text();
    } catch (e) {
      throw new Error(`Twilio status query failed: ${networkErrorOutcome(e).code}`);
    }
    if (res.status === 404) return null;
    if (res.status < 200 || res.status >= 300) {
      const err = errorBody.safeParse(safeJson(body));
      const code = err.success && err.data.code !== undefined ? ` code ${err.data.code}` : '';
      throw new Error(`Twilio status query failed: HTTP ${res.status}${code}`);
    }
    const parsed = messageResource.safeParse(safeJson(body));
    if (!parsed.success || !isTwilioStatus(parsed.data.status)) {
      throw new Error('Twilio status query failed: the answer could not be read');
    }
    return canonicalStatus(parsed.data.status);
  }

  return Object.freeze({
    kind: 'twilio' as const,
    capabilities: Object.freeze({
      unicode: true,
      shiftTables: Object.freeze([...account.shiftTables]),
      maxParts: account.maxParts,
      deliveryReports: true,
      statusQuery: true,
      inbound: true,
      throughputUnit: 'messages' as const,
    }),
    send,
    parseDeliveryReport,
    parseInbound,
    inboundAck: Object.freeze({ contentType: 'text/xml', body: TWIML_EMPTY_RESPONSE }),
    queryStatus,
    async close() {
      closed = true;
    },
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}
