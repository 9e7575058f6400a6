import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type {
  CallbackRequest,
  FetchLike,
  InboundSms,
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
import { REPORT_STATUSES } from '../provider.contract.js';
import { type SimulatorSettings, simulatorSettingsSchema } from './simulator.settings.js';

/** Header carrying the hex HMAC-SHA256 of the report body, keyed with the account's callback token. */
export const SIMULATOR_SIGNATURE_HEADER = 'x-simulator-signature';

/** Signs a report body the way the simulator does (tests use it to forge valid and invalid reports). */
export function signSimulatorReport(body: string, callbackToken: string): string {
  return createHmac('sha256', callbackToken).update(body, 'utf8').digest('hex');
}

/**
 * Signs an inbound body the way the simulator's handsets do: HMAC-SHA256 like reports, over
 * `inbound:` + the body, so a report's signature never passes as an inbound one (or the reverse).
 */
export function signSimulatorInbound(body: string, callbackToken: string): string {
  return createHmac('sha256', callbackToken).update(`inbound:${body}`, 'utf8').digest('hex');
}

/** A simulated handset's SMS to us: `{ id, from, to, text, at }` as JSON. */
const inboundSchema = z.strictObject({
  id: z.string().min(1).max(100),
  from: z.string().min(1).max(64),
  to: z.string().min(1).max(64),
  text: z.string().max(2000),
  at: z.iso.datetime({ offset: true }).optional(),
});

/**
 * The request a simulated handset's SMS arrives as: a JSON body and its signature header. Post it to
 * the account's inbound URL (`<callback URL>/inbound`); `postSimulatorInbound` does both.
 */
export function simulatorInboundRequest(
  sms: { from: string; to: string; text: string; id?: string; at?: string },
  callbackToken: string,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    id: sms.id ?? `simin${randomBytes(10).toString('hex')}`,
    from: sms.from,
    to: sms.to,
    text: sms.text,
    ...(sms.at ? { at: sms.at } : {}),
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [SIMULATOR_SIGNATURE_HEADER]: signSimulatorInbound(body, callbackToken),
    },
  };
}

/** Makes a simulated handset send an SMS: posts it, signed, to `inboundUrl`. Returns the answer. */
export async function postSimulatorInbound(
  fetchFn: FetchLike,
  inboundUrl: string,
  sms: { from: string; to: string; text: string; id?: string; at?: string },
  callbackToken: string,
): Promise<Response> {
  const { body, headers } = simulatorInboundRequest(sms, callbackToken);
  return fetchFn(inboundUrl, { method: 'POST', headers, body });
}

/** The report the simulator posts: `{ id, status, err, at }`. */
const reportSchema = z.strictObject({
  id: z.string().min(1).max(100),
  status: z.enum(REPORT_STATUSES),
  err: z.string().max(100).nullable().optional(),
  at: z.iso.datetime({ offset: true }).optional(),
});

const E164 = /^\+[1-9]\d{1,14}$/;
/** How often a report is posted when the callback does not answer 2xx (5xx, 429, network error). */
const REPORT_ATTEMPTS = 3;
const REPORT_RETRY_MS = 1000;
const BUSY_RETRY_AFTER_MS = 1000;

export const simulatorFactory: ProviderFactory<SimulatorSettings> = {
  kind: 'simulator',
  settingsSchema: simulatorSettingsSchema,
  secretSettings: [],
  create: (account, deps) => createSimulator(account, deps),
};

/**
 * A gateway that lives in the process: it waits its latency, decides each outcome with `deps.random`,
 * and posts signed delivery reports to the message's callback URL with `deps.fetch`, like a real
 * gateway would. Pending reports are timers that do not keep the process alive; `close()` cancels them.
 */
function createSimulator(account: ProviderAccount<SimulatorSettings>, deps: ProviderDeps): Provider {
  const s = account.settings;
  const pending = new Set<{ timer?: NodeJS.Timeout; controller: AbortController }>();
  let closed = false;

  const between = (r: { min: number; max: number }) =>
    r.min + Math.floor(deps.random() * (r.max - r.min + 1));
  const permanent = (code: string, text: string): SendOutcome => ({
    ok: false,
    class: 'permanent',
    code,
    text,
  });

  function decideReport(): { status: ReportStatus; err: string | null } | null {
    if (deps.random() < s.noReportRate) return null;
    if (deps.random() < s.failureRate) return { status: 'rejected', err: 'SIM_REJECTED' };
    if (deps.random() < s.deliveryRate) return { status: 'delivered', err: null };
    return { status: 'undelivered', err: 'SIM_UNDELIVERED' };
  }

  /** Runs `fn` after `ms` on a timer that neither keeps the process alive nor survives `close()`. */
  function later(entry: { timer?: NodeJS.Timeout; controller: AbortController }, ms: number, fn: () => void) {
    entry.timer = setTimeout(fn, ms);
    entry.timer.unref();
  }

  function scheduleReport(gatewayId: string, callbackUrl: string): void {
    const report = decideReport();
    if (!report) return;
    const entry: { timer?: NodeJS.Timeout; controller: AbortController } = {
      controller: new AbortController(),
    };
    pending.add(entry);
    const post = async (attempt: number) => {
      const body = JSON.stringify({
        id: gatewayId,
        status: report.status,
        err: report.err,
        at: deps.clock.now().toISOString(),
      });
      let retry: boolean;
      try {
        const res = await deps.fetch(callbackUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, account.callbackToken),
          },
          body,
          signal: entry.controller.signal,
        });
        await res.body?.cancel();
        // A 4xx other than 429 will not change by asking again.
        retry = res.status >= 500 || res.status === 429;
      } catch {
        retry = true;
      }
      if (retry && !closed && attempt < REPORT_ATTEMPTS) {
        later(entry, REPORT_RETRY_MS * attempt, () => void post(attempt + 1));
      } else {
        pending.delete(entry);
      }
    };
    later(entry, between(s.reportDelayMs), () => void post(1));
  }

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    await new Promise((resolve) => setTimeout(resolve, between(s.latencyMs)));
    if (closed) {
      return { ok: false, class: 'retryable', code: 'SIM_CLOSED', text: 'The simulator is shutting down.' };
    }
    if (!E164.test(message.to)) return permanent('SIM_INVALID_NUMBER', 'The number is not in E.164 format.');
    if (message.parts.length > account.maxParts) {
      return permanent('SIM_TOO_MANY_PARTS', `The message has more than ${account.maxParts} parts.`);
    }
    if (message.validityUntil && message.validityUntil.getTime() <= deps.clock.now().getTime()) {
      return permanent('SIM_EXPIRED', 'The message expired before it was submitted.');
    }
    if (deps.random() < s.retryableRate) {
      return {
        ok: false,
        class: 'retryable',
        code: 'SIM_BUSY',
        text: 'The simulated gateway is busy; try again.',
        retryAfterMs: BUSY_RETRY_AFTER_MS,
      };
    }
    if (deps.random() >= s.acceptanceRate) {
      return permanent('SIM_REJECTED', 'The simulated gateway refused the message.');
    }
    // Lower-case hex behind a letter: already in normalised form (no leading zeros).
    const gatewayId = `sim${randomBytes(10).toString('hex')}`;
    scheduleReport(gatewayId, message.callbackUrl);
    return { ok: true, gatewayId, status: 'accepted' };
  }

  function parseDeliveryReport(request: CallbackRequest): ParseReportResult {
    if (!validSignature(request, signSimulatorReport(request.body, account.callbackToken))) {
      return { ok: false, reason: 'invalid_signature' };
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      return { ok: false, reason: 'invalid_payload' };
    }
    const parsed = reportSchema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'invalid_payload' };
    const { id, status, err, at } = parsed.data;
    return {
      ok: true,
      reports: [{ gatewayId: id, status, ...(err ? { errorCode: err } : {}), ...(at ? { at } : {}) }],
    };
  }

  function parseInbound(request: CallbackRequest): ParseInboundResult {
    if (!validSignature(request, signSimulatorInbound(request.body, account.callbackToken))) {
      return { ok: false, reason: 'invalid_signature' };
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      return { ok: false, reason: 'invalid_payload' };
    }
    const parsed = inboundSchema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'invalid_payload' };
    const { id, from, to, text, at } = parsed.data;
    const sms: InboundSms = { gatewayMessageId: id, from, to, text, ...(at ? { receivedAt: at } : {}) };
    return { ok: true, messages: [sms] };
  }

  return Object.freeze({
    kind: 'simulator' as const,
    capabilities: Object.freeze({
      unicode: true,
      shiftTables: Object.freeze([...account.shiftTables]),
      maxParts: account.maxParts,
      deliveryReports: true,
      statusQuery: false,
      inbound: true,
      throughputUnit: 'messages',
    }),
    send,
    parseDeliveryReport,
    parseInbound,
    async close() {
      closed = true;
      for (const entry of pending) {
        clearTimeout(entry.timer);
        entry.controller.abort();
      }
      pending.clear();
    },
  });
}

/** The request's signature header equals `expectedHex` (compared in constant time). */
function validSignature(request: CallbackRequest, expectedHex: string): boolean {
  const given = headerOf(request.headers, SIMULATOR_SIGNATURE_HEADER);
  if (!given || !/^[0-9a-f]{64}$/i.test(given)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(given, 'hex'));
}

function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}
