import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type {
  CallbackRequest,
  OutboundMessage,
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
    const given = headerOf(request.headers, SIMULATOR_SIGNATURE_HEADER);
    const expected = Buffer.from(signSimulatorReport(request.body, account.callbackToken), 'hex');
    if (!given || !/^[0-9a-f]{64}$/i.test(given) || !timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
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

  return Object.freeze({
    kind: 'simulator' as const,
    capabilities: Object.freeze({
      unicode: true,
      shiftTables: Object.freeze([...account.shiftTables]),
      maxParts: account.maxParts,
      deliveryReports: true,
      statusQuery: false,
      inbound: false,
      throughputUnit: 'messages',
    }),
    send,
    parseDeliveryReport,
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

function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}
