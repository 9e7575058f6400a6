import { z } from 'zod';
import { callGateway, type Failure, statusFailure } from '../http/http.transport.js';
import type {
  OutboundMessage,
  Provider,
  ProviderAccount,
  ProviderDeps,
  ProviderFactory,
  SendOutcome,
} from '../provider.contract.js';
import { parseVonageInbound, parseVonageReceipt } from './vonage.callbacks.js';
import { VONAGE_SUBMIT_CODES, VONAGE_THROTTLE_RETRY_MS } from './vonage.codes.js';
import { VONAGE_SIGNATURE_METHODS, type VonageSettings, vonageSettingsSchema } from './vonage.settings.js';

export const vonageFactory: ProviderFactory<VonageSettings> = {
  kind: 'vonage',
  settingsSchema: vonageSettingsSchema,
  secretSettings: ['apiSecret', 'signatureSecret'],
  addressSettings: ['baseUrl'],
  create: (account, deps) => createVonage(account, deps),
};

/** Vonage's `ttl` bounds (ms): 20 seconds to 7 days. */
const TTL_MIN_MS = 20_000;
const TTL_MAX_MS = 604_800_000;
/** Vonage's `client-ref` holds at most 100 characters (Herald's ids are far shorter). */
const CLIENT_REF_MAX = 100;

/** The form fields of one submit (exported for tests of parameter placement). */
export function vonageSubmitFields(
  s: VonageSettings,
  message: OutboundMessage,
  now: Date,
): Record<string, string> | Failure {
  const fields: Record<string, string> = {
    api_key: s.apiKey,
    api_secret: s.apiSecret,
    // Numbers without `+`; an alphanumeric sender id as it is.
    from: /^\+\d+$/.test(message.from) ? message.from.slice(1) : message.from,
    to: message.to.replace(/^\+/, ''),
    text: message.text,
    // Vonage encodes `text` as GSM 7-bit; UCS-2 text must be flagged or it is garbled.
    type: message.encoding === 'UCS-2' ? 'unicode' : 'text',
    callback: message.callbackUrl,
    'status-report-req': '1',
    'client-ref': message.id.slice(0, CLIENT_REF_MAX),
  };
  if (message.validityUntil) {
    const left = message.validityUntil.getTime() - now.getTime();
    if (left <= 0) {
      return {
        ok: false,
        class: 'permanent',
        code: 'EXPIRED',
        text: 'The message expired before it was submitted.',
      };
    }
    fields.ttl = String(Math.min(TTL_MAX_MS, Math.max(TTL_MIN_MS, left)));
  }
  return fields;
}

const answerSchema = z.looseObject({
  messages: z
    .array(
      z.looseObject({
        status: z.union([z.string(), z.number()]).transform((v) => String(v).trim()),
        'message-id': z.string().trim().min(1).max(100).optional(),
      }),
    )
    .min(1),
});

/** Reads the SMS API's answer: one entry per part Vonage made of the message. */
export function interpretVonageAnswer(body: string): SendOutcome {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) {
    // A 200 we cannot read: Vonage may have taken the message.
    return {
      ok: false,
      class: 'unknown',
      code: 'BAD_ANSWER',
      text: 'Vonage answered in an unexpected form.',
    };
  }
  const parts = parsed.data.messages;
  const failed = parts.filter((p) => p.status !== '0');
  if (failed.length === 0) {
    const ids = parts.map((p) => p['message-id']);
    if (ids.some((id) => id === undefined)) {
      return {
        ok: false,
        class: 'unknown',
        code: 'BAD_ANSWER',
        text: 'Vonage accepted a part without an id.',
      };
    }
    const partIds = ids as string[];
    return {
      ok: true,
      gatewayId: partIds[0]!,
      ...(partIds.length > 1 && { partIds }),
      status: 'accepted',
    };
  }
  // Vonage's codes are small numbers; anything else in the field is not passed on (it could be anything).
  const raw = failed[0]!.status;
  const code = /^\d{1,4}$/.test(raw) ? raw : 'VONAGE_ERROR';
  if (failed.length < parts.length) {
    // Some parts are on their way: sending again would duplicate them, so never retry blindly.
    return {
      ok: false,
      class: 'unknown',
      code,
      text: `Vonage accepted ${parts.length - failed.length} of ${parts.length} parts.`,
    };
  }
  const known = VONAGE_SUBMIT_CODES[code];
  if (!known) return { ok: false, class: 'permanent', code, text: 'Vonage refused the message.' };
  return {
    ok: false,
    class: known.class,
    code,
    text: known.text,
    ...(known.class === 'throttled' && { retryAfterMs: VONAGE_THROTTLE_RETRY_MS }),
  };
}

function createVonage(account: ProviderAccount<VonageSettings>, deps: ProviderDeps): Provider {
  const s = account.settings;
  // Stored settings bypassing the schema (written before the rule, or by hand) with Vonage's plain MD5
  // "signature": say so, and accept no signed callback rather than check with a forgeable hash.
  const methodRefused = !(VONAGE_SIGNATURE_METHODS as readonly string[]).includes(s.signatureMethod);
  if (methodRefused) {
    deps.log('warn', 'vonage: signature method refused; callbacks are rejected until an HMAC method is set', {
      account: account.id,
      signatureMethod: String(s.signatureMethod),
    });
  }

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    const fields = vonageSubmitFields(s, message, deps.clock.now());
    if ('ok' in fields) return fields as Failure;
    const result = await callGateway(
      deps.fetch,
      `${s.baseUrl}/sms/json`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(fields).toString(),
      },
      s.timeoutMs,
    );
    if (!result.ok) {
      deps.log('warn', 'vonage: submit failed', { account: account.id, code: result.failure.code });
      return result.failure;
    }
    const outcome =
      statusFailure(result.response.status, result.response.headers, deps.clock) ??
      interpretVonageAnswer(result.response.body);
    if (!outcome.ok) {
      deps.log('warn', 'vonage: message not accepted', {
        account: account.id,
        status: result.response.status,
        code: outcome.code,
      });
    }
    return outcome;
  }

  const provider: Provider = {
    kind: 'vonage',
    capabilities: Object.freeze({
      unicode: true,
      shiftTables: Object.freeze([...account.shiftTables]),
      maxParts: account.maxParts,
      deliveryReports: true,
      statusQuery: false,
      inbound: true,
      throughputUnit: 'messages' as const,
    }),
    send,
    parseDeliveryReport: (request) =>
      methodRefused ? { ok: false, reason: 'invalid_signature' } : parseVonageReceipt(s, request),
    parseInbound: (request) =>
      methodRefused ? { ok: false, reason: 'invalid_signature' } : parseVonageInbound(s, request),
    async close() {},
  };
  return Object.freeze(provider);
}
