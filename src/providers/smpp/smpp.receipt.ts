import type { DeliveryReport, ReportStatus } from '../provider.contract.js';
import { normalizeGatewayId } from '../provider.contract.js';
import type { SmppSettings } from './smpp.settings.js';

/**
 * SMSC delivery receipts: the text of a `deliver_sm` with the receipt bit in `esm_class` (SMPP 3.4
 * Appendix B, `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`), plus the
 * `receipted_message_id` and `message_state` TLVs where the SMSC sends them.
 */

/** The fields of a receipt's text; absent fields are `undefined`. */
export interface ReceiptText {
  readonly id?: string;
  readonly stat?: string;
  readonly err?: string;
  readonly submitDate?: string;
  readonly doneDate?: string;
}

/**
 * Reads the receipt's fields, tolerant of case, extra or missing spaces and `_` in the date keys.
 * The free `text:` field (the message's first characters) is cut off first, so a message that says
 * "stat:DELIVRD" cannot fake its own receipt.
 */
export function parseReceiptText(raw: string): ReceiptText {
  const textAt = raw.search(/\btext\s*:/i);
  const head = textAt >= 0 ? raw.slice(0, textAt) : raw;
  const field = (re: RegExp) => re.exec(head)?.[1];
  return {
    id: field(/(?:^|\s)id\s*:\s*([0-9A-Za-z-]+)/i),
    stat: field(/\bstat\s*:\s*([A-Za-z_]+)/i)?.toUpperCase(),
    err: field(/\berr\s*:\s*([0-9A-Za-z]+)/i),
    submitDate: field(/\bsubmit[\s_]*date\s*:\s*(\d{10}(?:\d{2})?)/i),
    doneDate: field(/\bdone[\s_]*date\s*:\s*(\d{10}(?:\d{2})?)/i),
  };
}

/** Receipt states (Appendix B, and the long forms some SMSCs write) → Herald's report statuses. */
const STATS: Readonly<Record<string, ReportStatus>> = {
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
  UNDELIV: 'undelivered',
  UNDELIVERABLE: 'undelivered',
  EXPIRED: 'undelivered',
  DELETED: 'undelivered',
  REJECTD: 'rejected',
  REJECTED: 'rejected',
  UNKNOWN: 'failed',
  ACCEPTD: 'sent',
  ACCEPTED: 'sent',
  ENROUTE: 'sent',
};

/** `message_state` TLV values (SMPP 3.4 §5.2.28) as receipt states. */
const MESSAGE_STATES: Readonly<Record<number, string>> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

export const receiptStatus = (stat: string): ReportStatus | undefined => STATS[stat.toUpperCase()];

/** `YYMMDDhhmm[ss]` on the SMSC's clock → ISO 8601, or `undefined` when it is not a real time. */
export function receiptDate(value: string | undefined, utcOffsetMinutes: number): string | undefined {
  if (!value) return undefined;
  const n = (i: number) => Number(value.slice(i, i + 2));
  const [yy, mo, dd, hh, mi] = [n(0), n(2), n(4), n(6), n(8)];
  const ss = value.length >= 12 ? n(10) : 0;
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) return undefined;
  const ms = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss) - utcOffsetMinutes * 60_000;
  return new Date(ms).toISOString();
}

export function decimalToHex(id: string): string | undefined {
  return /^\d{1,40}$/.test(id) ? BigInt(id).toString(16) : undefined;
}

export function hexToDecimal(id: string): string | undefined {
  return /^[0-9a-f]{1,32}$/i.test(id) ? BigInt(`0x${id}`).toString(10) : undefined;
}

/**
 * The id a receipt reports, in the form `submit_sm_resp` gave it (see `receiptIds` in the settings).
 * `wasSubmitted` says whether this connection submitted a message with that (normalised) id lately.
 */
export function receiptGatewayId(
  textId: string | undefined,
  tlvId: string | undefined,
  mode: SmppSettings['receiptIds'],
  wasSubmitted: (normalizedId: string) => boolean,
): string | undefined {
  if (tlvId && (mode === 'auto' || !textId)) return tlvId;
  if (!textId) return undefined;
  switch (mode) {
    case 'as-is':
      return textId;
    case 'decimal-to-hex':
      return decimalToHex(textId) ?? textId;
    case 'hex-to-decimal':
      return hexToDecimal(textId) ?? textId;
    default: {
      if (wasSubmitted(normalizeGatewayId(textId))) return textId;
      for (const converted of [decimalToHex(textId), hexToDecimal(textId)]) {
        if (converted && wasSubmitted(normalizeGatewayId(converted))) return converted;
      }
      return textId;
    }
  }
}

export type ReceiptResult = { ok: true; report: DeliveryReport } | { ok: false; reason: string };

/** A receipt `deliver_sm` → a delivery report, or why it was ignored (for the log line). */
export function receiptToReport(
  input: { text: string; receiptedMessageId?: string; messageState?: number },
  settings: Pick<SmppSettings, 'receiptIds' | 'smscUtcOffsetMinutes'>,
  wasSubmitted: (normalizedId: string) => boolean,
): ReceiptResult {
  const fields = parseReceiptText(input.text);
  const tlvState = input.messageState !== undefined ? MESSAGE_STATES[input.messageState] : undefined;
  const stat = fields.stat ?? tlvState;
  if (!stat) return { ok: false, reason: 'receipt has no stat field or message_state' };
  const status = receiptStatus(stat);
  if (!status) return { ok: false, reason: `receipt has an unknown stat ${stat.slice(0, 16)}` };
  const tlvId = input.receiptedMessageId?.replace(/\0+$/, '').trim() || undefined;
  const gatewayId = receiptGatewayId(fields.id, tlvId, settings.receiptIds, wasSubmitted);
  if (!gatewayId) return { ok: false, reason: 'receipt has no id field or receipted_message_id' };
  const err = fields.err && !/^0+$/.test(fields.err) ? fields.err : undefined;
  const failed = status !== 'delivered' && status !== 'sent';
  const errorCode = err ?? (failed ? stat : undefined);
  const at = receiptDate(fields.doneDate, settings.smscUtcOffsetMinutes);
  return {
    ok: true,
    report: { gatewayId, status, ...(errorCode ? { errorCode } : {}), ...(at ? { at } : {}) },
  };
}
