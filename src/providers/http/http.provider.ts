import type {
  OutboundMessage,
  Provider,
  ProviderAccount,
  ProviderDeps,
  ProviderFactory,
  SendOutcome,
} from '../provider.contract.js';
import { parseHttpInbound, parseHttpReport } from './http.callbacks.js';
import { atPath, regexValue, scalarText, tryJson } from './http.extract.js';
import { type HttpSettings, httpSettingsSchema } from './http.settings.js';
import { callGateway, type GatewayResponse, statusFailure } from './http.transport.js';

export const httpFactory: ProviderFactory<HttpSettings> = {
  kind: 'http',
  settingsSchema: httpSettingsSchema,
  secretSettings: ['secretParamValue', 'signatureSecret'],
  addressSettings: ['url'],
  create: (account, deps) => createHttpProvider(account, deps),
};

/** The request a message becomes: where, how, and with which parameters and headers. */
export interface HttpSubmit {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Builds the submit request for `message` (exported for tests of parameter placement). */
export function buildHttpSubmit(s: HttpSettings, message: OutboundMessage): HttpSubmit {
  const params: [string, string][] = [];
  const headers: Record<string, string> = {};
  params.push([s.receiverParam, s.receiverFormat === 'digits' ? message.to.replace(/^\+/, '') : message.to]);
  params.push([s.messageParam, message.text]);
  if (s.senderParam) params.push([s.senderParam, message.from]);
  if (s.referenceParam) params.push([s.referenceParam, message.id]);
  if (s.callbackParam) params.push([s.callbackParam, message.callbackUrl]);
  if (s.unicodeParamName && message.encoding === 'UCS-2')
    params.push([s.unicodeParamName, s.unicodeParamValue]);
  for (const p of s.staticParams) {
    if (p.header) headers[p.name] = p.value;
    else params.push([p.name, p.value]);
  }
  if (s.secretParamName && s.secretParamValue !== undefined) {
    if (s.secretParamAsHeader) headers[s.secretParamName] = s.secretParamValue;
    else params.push([s.secretParamName, s.secretParamValue]);
  }
  if (s.method === 'GET') {
    const url = new URL(s.url);
    for (const [k, v] of params) url.searchParams.append(k, v);
    return { url: url.toString(), method: 'GET', headers };
  }
  if (s.method === 'POST_JSON') {
    return {
      url: s.url,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(Object.fromEntries(params)),
    };
  }
  return {
    url: s.url,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(params).toString(),
  };
}

/**
 * Reads a 2xx answer with the account's success rule: the status must be one of
 * `successStatusCodes`, the value at `successJsonPath` one of `successValues` (or present when none
 * are listed) and the body must match `successRegex` — a 200 carrying an error is a failure, with the
 * gateway's error code taken by `errorCodeJsonPath` / `errorCodeRegex`.
 */
export function interpretHttpAnswer(
  s: HttpSettings,
  response: GatewayResponse,
  messageId: string,
): SendOutcome & { idMissing?: boolean } {
  if (!s.successStatusCodes.includes(response.status)) {
    return {
      ok: false,
      class: 'permanent',
      code: `HTTP_${response.status}`,
      text: 'The gateway answered with an unexpected status.',
    };
  }
  const needsJson = s.successJsonPath || s.idJsonPath || s.errorCodeJsonPath;
  const json = needsJson ? tryJson(response.body) : undefined;
  let success = true;
  if (s.successJsonPath) {
    const value = scalarText(atPath(json, s.successJsonPath));
    success =
      s.successValues.length > 0
        ? value !== undefined && s.successValues.includes(value)
        : value !== undefined && value !== '' && value !== 'false';
  }
  if (success && s.successRegex) success = new RegExp(s.successRegex).test(response.body);
  if (!success) {
    const found = s.errorCodeJsonPath
      ? scalarText(atPath(json, s.errorCodeJsonPath))
      : s.errorCodeRegex
        ? regexValue(response.body, s.errorCodeRegex)
        : undefined;
    // The code is the gateway's, but cut and stripped so it is safe to store and show.
    const code = found?.replace(/[^\w.:-]/g, '').slice(0, 64) || 'GATEWAY_ERROR';
    if (s.optedOutErrorCodes.includes(code)) {
      return { ok: false, class: 'opted_out', code, text: 'The gateway says the recipient opted out.' };
    }
    const temporary = s.temporaryErrorCodes.includes(code);
    return {
      ok: false,
      class: temporary ? 'retryable' : 'permanent',
      code,
      text: temporary
        ? 'The gateway reported a temporary error.'
        : 'The gateway reported an error in its answer.',
    };
  }
  const id = s.idJsonPath
    ? scalarText(atPath(json, s.idJsonPath))
    : s.idRegex
      ? regexValue(response.body, s.idRegex)
      : undefined;
  const gatewayId = id?.trim().slice(0, 200);
  if (gatewayId) return { ok: true, gatewayId, status: 'accepted' };
  // Without an id rule (or when the answer lacks the id) Herald's own id stands for the message: the
  // gateway's reports match when they carry the reference sent in `referenceParam`.
  return {
    ok: true,
    gatewayId: messageId,
    status: 'accepted',
    ...((s.idJsonPath || s.idRegex) && { idMissing: true }),
  };
}

function createHttpProvider(account: ProviderAccount<HttpSettings>, deps: ProviderDeps): Provider {
  const s = account.settings;

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    const submit = buildHttpSubmit(s, message);
    const result = await callGateway(
      deps.fetch,
      submit.url,
      {
        method: submit.method,
        headers: submit.headers,
        ...(submit.body !== undefined && { body: submit.body }),
      },
      s.timeoutMs,
    );
    if (!result.ok) {
      deps.log('warn', 'http gateway: submit failed', { account: account.id, code: result.failure.code });
      return result.failure;
    }
    const failure = statusFailure(result.response.status, result.response.headers, deps.clock);
    const outcome = failure ?? interpretHttpAnswer(s, result.response, message.id);
    if (!outcome.ok) {
      deps.log('warn', 'http gateway: message not accepted', {
        account: account.id,
        status: result.response.status,
        code: outcome.code,
      });
      return outcome;
    }
    if ('idMissing' in outcome) {
      deps.log(
        'warn',
        'http gateway: the answer has no message id where the settings say; using Herald’s id',
        {
          account: account.id,
        },
      );
      const { idMissing: _, ...rest } = outcome;
      return rest;
    }
    return outcome;
  }

  const provider: Provider = {
    kind: 'http',
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
    parseDeliveryReport: (request) => parseHttpReport(s, request),
    parseInbound: (request) => parseHttpInbound(s, request),
    async close() {},
  };
  return Object.freeze(provider);
}
