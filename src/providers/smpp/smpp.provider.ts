import type {
  CallbackRequest,
  OutboundMessage,
  ParseReportResult,
  Provider,
  ProviderAccount,
  ProviderDeps,
  ProviderFactory,
  SendOutcome,
} from '../provider.contract.js';
import { normalizeGatewayId } from '../provider.contract.js';
import { createReassembler, gsmDecodedAsAscii, inboundPart } from './smpp.inbound.js';
import { commandStatusName, hexStatus, type SmppPdu, smppLib } from './smpp.lib.js';
import type { SubmitSmFields } from './smpp.pdu.js';
import { receiptToReport } from './smpp.receipt.js';
import { createSmppConnection, type SubmitAnswer } from './smpp.session.js';
import { type SmppSettings, smppSettingsSchema } from './smpp.settings.js';
import { buildSubmitParts, destinationAddress, sourceAddress, validityPeriod } from './smpp.submit.js';

/** `esm_class` bits 2–5 mark a deliver_sm as a receipt: 0x04 SMSC delivery receipt, 0x20 intermediate. */
const ESM_RECEIPT_MASK = 0x04 | 0x20;
/** Ids of messages this instance submitted, kept to match receipts whose ids differ in base. */
const RECENT_IDS = 100_000;
/** How long the parts of a concatenated inbound message are waited for. */
const CONCAT_TIMEOUT_MS = 5 * 60_000;
/** Rounds of re-submitting the throttled parts of a message whose other parts were accepted. */
const PART_RETRY_ROUNDS = 3;
const THROTTLING = new Set([smppLib.errors.ESME_RTHROTTLED, smppLib.errors.ESME_RMSGQFUL]);

export const smppFactory: ProviderFactory<SmppSettings> = {
  kind: 'smpp',
  settingsSchema: smppSettingsSchema,
  secretSettings: ['password'],
  addressSettings: ['host'],
  create: (account, deps) => createSmpp(account, deps),
};

/**
 * An SMPP 3.4 ESME bound as transceiver (docs/gateways.md, "SMPP"). Each part of a message is its
 * own `submit_sm` (UDH concatenation), so the outcome carries every part's id in `partIds`; receipts
 * and inbound messages arrive as `deliver_sm` on the same bind and go to `deps.sink`. Nothing connects
 * until the first send or `listen()`.
 */
function createSmpp(account: ProviderAccount<SmppSettings>, deps: ProviderDeps): Provider {
  const s = account.settings;
  const logFields = { provider: 'smpp', account: account.id };
  const recentIds = new Set<string>();
  let reference = Math.floor(deps.random() * 256);

  const remember = (id: string) => {
    recentIds.add(normalizeGatewayId(id));
    if (recentIds.size > RECENT_IDS) recentIds.delete(recentIds.values().next().value!);
  };

  const reassembler = createReassembler({
    timeoutMs: CONCAT_TIMEOUT_MS,
    now: () => deps.clock.now(),
    onIncomplete: (sms, missing) => {
      deps.log('warn', 'smpp: concatenated inbound message incomplete; handing on the parts received', {
        ...logFields,
        missing,
      });
      deps.sink.inbound([sms]).catch(() => {});
    },
  });

  async function onDeliver(pdu: SmppPdu): Promise<number> {
    if (((pdu.esm_class ?? 0) & ESM_RECEIPT_MASK) !== 0) {
      const part = inboundPart(pdu);
      const result = receiptToReport(
        {
          // Receipt texts are ASCII; with data_coding 0 the library decoded them as GSM.
          text: ((pdu.data_coding ?? 0) & 0x0f) === 0 ? gsmDecodedAsAscii(part.text) : part.text,
          ...(pdu.receipted_message_id ? { receiptedMessageId: pdu.receipted_message_id } : {}),
          ...(pdu.message_state !== undefined ? { messageState: pdu.message_state } : {}),
        },
        s,
        (id) => recentIds.has(id),
      );
      if (!result.ok) {
        // Answered with success all the same: sending it again would not make it readable.
        deps.log('warn', 'smpp: receipt ignored', { ...logFields, reason: result.reason });
        return 0;
      }
      await deps.sink.reports([result.report]);
      return 0;
    }
    const sms = reassembler.add(inboundPart(pdu));
    if (sms) await deps.sink.inbound([sms]);
    return 0;
  }

  const connection = createSmppConnection({ settings: s, deps, logFields, onDeliver });

  const permanent = (code: string, text: string): SendOutcome => ({
    ok: false,
    class: 'permanent',
    code,
    text,
  });

  /** A refused `submit_sm` as an outcome: throttling backs off; every other status is final. */
  function refused(status: number): SendOutcome {
    const name = commandStatusName(status);
    if (THROTTLING.has(status)) {
      return {
        ok: false,
        class: 'throttled',
        code: name,
        text: `The SMSC is throttling (${hexStatus(status)} ${name}); try again later.`,
        retryAfterMs: s.throttleBackoffMs,
      };
    }
    return permanent(name, `The SMSC refused the message (${hexStatus(status)} ${name}).`);
  }

  function failure(answer: Exclude<SubmitAnswer, { kind: 'resp' }>): SendOutcome {
    if (answer.kind === 'unavailable') {
      return {
        ok: false,
        class: 'retryable',
        code: answer.code,
        text:
          answer.code === 'SMPP_WINDOW_FULL'
            ? 'The SMPP window stayed full (the SMSC answers slowly); nothing was sent.'
            : 'No SMPP bind to the SMSC; nothing was sent.',
        retryAfterMs: answer.retryAfterMs,
      };
    }
    return answer.written
      ? {
          ok: false,
          class: 'unknown',
          code: 'SMPP_NO_RESPONSE',
          text: 'The bind was lost after the message was sent, before the SMSC answered.',
        }
      : {
          ok: false,
          class: 'retryable',
          code: 'SMPP_NOT_SENT',
          text: 'The bind was lost before the message was sent.',
          retryAfterMs: s.reconnectMinMs,
        };
  }

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    const now = deps.clock.now();
    if (message.parts.length > account.maxParts) {
      return permanent('SMPP_TOO_MANY_PARTS', `The message has more than ${account.maxParts} parts.`);
    }
    if (message.validityUntil && message.validityUntil.getTime() <= now.getTime()) {
      return permanent('SMPP_EXPIRED', 'The message expired before it was submitted.');
    }
    reference = (reference + 1) & 0xff;
    const built = buildSubmitParts(message, {
      reference,
      shiftTables: account.shiftTables,
      packing: s.gsmPacking,
    });
    if (!built.ok) return permanent('SMPP_ENCODING', built.reason);
    const source = sourceAddress(message.from, s);
    const destination = destinationAddress(message.to);
    const validity = message.validityUntil
      ? validityPeriod(message.validityUntil, now, s.validityFormat)
      : '';
    const fieldsOf = (i: number): SubmitSmFields => {
      const part = built.parts[i]!;
      return {
        sourceTon: source.ton,
        sourceNpi: source.npi,
        source: source.addr,
        destTon: destination.ton,
        destNpi: destination.npi,
        destination: destination.addr,
        esmClass: part.esmClass,
        registeredDelivery: 1,
        dataCoding: part.dataCoding,
        validityPeriod: validity,
        shortMessage: part.shortMessage,
      };
    };

    // All parts go into the window together: written in order on one TCP stream, they reach the
    // SMSC in order; their responses may come back in any order.
    const answers: SubmitAnswer[] = await Promise.all(
      built.parts.map((_, i) => connection.submit(fieldsOf(i))),
    );
    const ids: (string | null)[] = answers.map((a) =>
      a.kind === 'resp' && a.status === 0 ? a.messageId : null,
    );

    if (ids.every((id) => id === null)) {
      // Nothing accepted: the first part's answer decides (the others had the same fate or worse).
      const worst = answers.find((a) => a.kind === 'lost' && a.written) ?? answers[0]!;
      return worst.kind === 'resp' ? refused(worst.status) : failure(worst);
    }

    // Some parts accepted: sending the whole message again would duplicate them, so the parts that
    // were throttled or not sent are submitted again here, with the same concatenation reference.
    for (let round = 0; round < PART_RETRY_ROUNDS; round++) {
      const again = answers
        .map((a, i) => ({ a, i }))
        .filter(
          ({ a }) =>
            (a.kind === 'resp' && THROTTLING.has(a.status)) ||
            a.kind === 'unavailable' ||
            (a.kind === 'lost' && !a.written),
        );
      if (again.length === 0) break;
      await new Promise((r) => setTimeout(r, s.throttleBackoffMs));
      for (const { i } of again) {
        const answer = await connection.submit(fieldsOf(i));
        answers[i] = answer;
        if (answer.kind === 'resp' && answer.status === 0) ids[i] = answer.messageId;
      }
    }
    const missing = ids.indexOf(null);
    if (missing >= 0) {
      const a = answers[missing]!;
      const why = a.kind === 'resp' ? `${hexStatus(a.status)} ${commandStatusName(a.status)}` : 'no response';
      return {
        ok: false,
        // Part of the message is with the SMSC: never resend it blindly.
        class: a.kind === 'resp' && !THROTTLING.has(a.status) ? 'permanent' : 'unknown',
        code: a.kind === 'resp' ? commandStatusName(a.status) : 'SMPP_PARTIAL',
        text: `Part ${missing + 1} of ${ids.length} was not accepted (${why}); the other parts were.`,
      };
    }
    const partIds = ids as string[];
    for (const id of partIds) remember(id);
    return {
      ok: true,
      gatewayId: partIds[0]!,
      ...(partIds.length > 1 ? { partIds } : {}),
      status: 'accepted',
    };
  }

  function parseDeliveryReport(_request: CallbackRequest): ParseReportResult {
    // SMPP receipts come over the bind (deps.sink), never to the callback URL.
    return { ok: false, reason: 'invalid_payload' };
  }

  return Object.freeze({
    kind: 'smpp' as const,
    capabilities: Object.freeze({
      unicode: true,
      shiftTables: Object.freeze([...account.shiftTables]),
      maxParts: Math.min(account.maxParts, 255),
      deliveryReports: true,
      statusQuery: false,
      inbound: true,
      throughputUnit: 'parts' as const,
    }),
    send,
    parseDeliveryReport,
    listen: () => connection.keepOpen(),
    async close() {
      reassembler.clear();
      await connection.close();
    },
  });
}
