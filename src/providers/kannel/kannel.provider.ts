import type {
  CallbackRequest,
  OutboundMessage,
  Provider,
  ProviderAccount,
  ProviderDeps,
  ProviderFactory,
  SendOutcome,
} from '../provider.contract.js';
import { classifyAnswer, classifyError } from './kannel.answer.js';
import { parseKannelInbound, parseKannelReport } from './kannel.callbacks.js';
import { concatUdh, sendsmsUrl } from './kannel.request.js';
import { type KannelSettings, kannelSettingsSchema } from './kannel.settings.js';

/** Longest Kannel answer body read (its answers are one short line). */
const MAX_ANSWER_CHARS = 512;

export const kannelFactory: ProviderFactory<KannelSettings> = {
  kind: 'kannel',
  settingsSchema: kannelSettingsSchema,
  secretSettings: ['password', 'reportSecret'],
  addressSettings: ['sendsmsUrl'],
  create: (account, deps) => createKannel(account, deps),
};

/**
 * Kannel through smsbox's HTTP interface (`/cgi-bin/sendsms`). Stateless: each submit is one GET (one
 * per part when Herald splits); `close()` refuses new submits and lets those in flight finish (cutting
 * one off would leave its outcome unknown).
 *
 * Kannel's sendsms answer ("0: Accepted for delivery") carries no message id, so the gateway id is
 * Herald's own message id, which travels in the dlr-url and comes back in every report.
 */
function createKannel(account: ProviderAccount<KannelSettings>, deps: ProviderDeps): Provider {
  const s = account.settings;
  let closed = false;

  async function submit(url: string): Promise<{ ok: true } | Extract<SendOutcome, { ok: false }>> {
    try {
      const res = await deps.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(s.timeoutMs),
      });
      const body = (await res.text()).slice(0, MAX_ANSWER_CHARS);
      return classifyAnswer(res.status, body);
    } catch (e) {
      return classifyError(e);
    }
  }

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    if (closed) {
      return {
        ok: false,
        class: 'retryable',
        code: 'KANNEL_CLOSED',
        text: 'The Kannel connection is closing.',
      };
    }
    if (message.parts.length === 0 || message.parts.length > account.maxParts) {
      return {
        ok: false,
        class: 'permanent',
        code: 'KANNEL_TOO_MANY_PARTS',
        text: `The message has more than ${account.maxParts} parts.`,
      };
    }
    let validityMinutes: number | undefined;
    if (message.validityUntil) {
      const ms = message.validityUntil.getTime() - deps.clock.now().getTime();
      if (ms <= 0) {
        return {
          ok: false,
          class: 'permanent',
          code: 'KANNEL_EXPIRED',
          text: 'The message expired before it was submitted.',
        };
      }
      // Kannel's validity is in whole minutes; rounding up never drops a message early.
      validityMinutes = Math.ceil(ms / 60_000);
    }
    const validity = validityMinutes === undefined ? {} : { validityMinutes };

    if (message.parts.length === 1 || s.splitting === 'kannel') {
      const outcome = await submit(sendsmsUrl(s, message, { text: message.text, ...validity }));
      if (!outcome.ok) return outcome;
      return { ok: true, gatewayId: message.id, status: 'accepted' };
    }

    // Herald splits: each part is a sendsms of its own with the concatenation header, one after the other.
    const total = message.parts.length;
    for (const [i, part] of message.parts.entries()) {
      const seq = i + 1;
      const outcome = await submit(
        sendsmsUrl(s, message, {
          text: part.text,
          udh: concatUdh(message.id, total, seq),
          part: seq,
          ...validity,
        }),
      );
      if (outcome.ok) continue;
      if (seq === 1) return outcome;
      // Kannel has the first parts: sending them again would duplicate them on the handset.
      return {
        ok: false,
        class: 'unknown',
        code: outcome.code,
        text: `Kannel took parts 1–${seq - 1} of ${total}, not part ${seq}: ${outcome.text}`,
      };
    }
    return { ok: true, gatewayId: message.id, status: 'accepted' };
  }

  return Object.freeze({
    kind: 'kannel' as const,
    capabilities: Object.freeze({
      unicode: true,
      // sendsms has no national language shift tables; such texts go as UCS-2.
      shiftTables: Object.freeze([]),
      maxParts: account.maxParts,
      deliveryReports: s.dlrMask > 0,
      statusQuery: false,
      inbound: true,
      // Kannel's (and its SMSC's) throughput counts each SMS it sends: every part.
      throughputUnit: 'parts' as const,
    }),
    send,
    parseDeliveryReport: (request: CallbackRequest) => parseKannelReport(request, s.reportSecret),
    parseInbound: parseKannelInbound,
    // smsbox sends a non-empty answer back to the handset as a reply; with `omit-empty = true` in the
    // sms-service an empty one sends nothing.
    inboundAck: Object.freeze({ contentType: 'text/plain', body: '' }),
    async close() {
      closed = true;
    },
  });
}
