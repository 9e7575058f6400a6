import { analyzeText, NATIONAL_LANGUAGE_ID, type ShiftLanguage } from '../../core/encoding/index.js';
import type { OutboundMessage } from '../provider.contract.js';
import {
  DEFAULT_GSM_TABLES,
  encodeSeptets,
  fillBitsAfter,
  type GsmTables,
  packSeptets,
} from './smpp.gsm7.js';
import type { SmppSettings } from './smpp.settings.js';

/**
 * Turns a message's parts (from the core's `analyzeText`, the same parts the user's counter showed)
 * into the `submit_sm` fields of each part: the User Data Header with the concatenation IE (and the
 * national language shift IEs when the text uses them), `esm_class` 0x40 (UDHI) when there is a UDH,
 * `data_coding` 0 (SMSC default alphabet, GSM 7-bit) or 8 (UCS-2).
 */

export const ESM_CLASS_UDHI = 0x40;
export const DATA_CODING_GSM = 0x00;
export const DATA_CODING_UCS2 = 0x08;
/** IEI of the concatenation IE with an 8-bit reference (TS 23.040 §9.2.3.24.1). */
export const IEI_CONCAT_8 = 0x00;
/** IEI of the concatenation IE with a 16-bit reference (§9.2.3.24.8). */
export const IEI_CONCAT_16 = 0x08;
const IEI_SINGLE_SHIFT = 0x24;
const IEI_LOCKING_SHIFT = 0x25;

export interface SubmitPart {
  readonly esmClass: number;
  readonly dataCoding: number;
  /** UDH (if any) followed by the encoded text. */
  readonly shortMessage: Buffer;
}

export type BuildResult = { ok: true; parts: SubmitPart[] } | { ok: false; reason: string };

/**
 * The national language tables the worker's analysis used for this text: `analyzeText` is run again
 * with the route's shift tables, and its choice is taken only if it yields exactly the parts given.
 */
function tablesOf(message: OutboundMessage, shiftTables: readonly ShiftLanguage[]): GsmTables {
  if (shiftTables.length === 0) return DEFAULT_GSM_TABLES;
  const again = analyzeText(message.text, { shiftTables });
  const same =
    again.shiftTable !== null &&
    again.parts.length === message.parts.length &&
    again.parts.every((p, i) => p.text === message.parts[i]!.text);
  if (!same || !again.shiftTable) return DEFAULT_GSM_TABLES;
  return again.shiftTable;
}

function udhFor(index: number, total: number, reference: number, tables: GsmTables): Buffer {
  const ies: number[] = [];
  if (total > 1) ies.push(IEI_CONCAT_8, 3, reference & 0xff, total, index + 1);
  if (tables.language) {
    const id = NATIONAL_LANGUAGE_ID[tables.language];
    if (tables.locking) ies.push(IEI_LOCKING_SHIFT, 1, id);
    if (tables.single) ies.push(IEI_SINGLE_SHIFT, 1, id);
  }
  if (ies.length === 0) return Buffer.alloc(0);
  return Buffer.from([ies.length, ...ies]);
}

function ucs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** The `submit_sm` fields of every part, or why the message cannot be encoded for SMPP. */
export function buildSubmitParts(
  message: OutboundMessage,
  options: { reference: number; shiftTables: readonly ShiftLanguage[]; packing: SmppSettings['gsmPacking'] },
): BuildResult {
  const total = message.parts.length;
  if (total === 0) return { ok: false, reason: 'The message has no parts.' };
  if (total > 255) return { ok: false, reason: 'The message has more than 255 parts.' };
  const tables = message.encoding === 'GSM-7' ? tablesOf(message, options.shiftTables) : DEFAULT_GSM_TABLES;
  const parts: SubmitPart[] = [];
  for (let i = 0; i < total; i++) {
    const udh = udhFor(i, total, options.reference, tables);
    let payload: Buffer;
    if (message.encoding === 'UCS-2') {
      payload = ucs2(message.parts[i]!.text);
    } else {
      const septets = encodeSeptets(message.parts[i]!.text, tables);
      if (!septets) return { ok: false, reason: 'The text has a character outside the GSM 7-bit tables.' };
      payload =
        options.packing === 'packed' ? packSeptets(septets, fillBitsAfter(udh.length)) : Buffer.from(septets);
    }
    parts.push({
      esmClass: udh.length > 0 ? ESM_CLASS_UDHI : 0,
      dataCoding: message.encoding === 'UCS-2' ? DATA_CODING_UCS2 : DATA_CODING_GSM,
      shortMessage: Buffer.concat([udh, payload]),
    });
  }
  return { ok: true, parts };
}

export interface SmppAddress {
  readonly addr: string;
  readonly ton: number;
  readonly npi: number;
}

/**
 * The sender as SMPP writes it: alphanumeric → TON 5 NPI 0; `+` and digits → TON 1 NPI 1 without
 * the `+`; other digits → TON 0 NPI 1. `sourceTon` / `sourceNpi` in the settings override the choice.
 */
export function sourceAddress(
  from: string,
  settings: Pick<SmppSettings, 'sourceTon' | 'sourceNpi'>,
): SmppAddress {
  let address: SmppAddress;
  if (/^\+\d+$/.test(from)) address = { addr: from.slice(1), ton: 1, npi: 1 };
  else if (/^\d+$/.test(from)) address = { addr: from, ton: 0, npi: 1 };
  else address = { addr: from, ton: 5, npi: 0 };
  return {
    addr: address.addr,
    ton: settings.sourceTon ?? address.ton,
    npi: settings.sourceNpi ?? address.npi,
  };
}

/** The recipient: E.164 → TON 1 NPI 1 without the `+`. */
export function destinationAddress(to: string): SmppAddress {
  return to.startsWith('+') ? { addr: to.slice(1), ton: 1, npi: 1 } : { addr: to, ton: 0, npi: 1 };
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * `validity_period` (SMPP 3.4 §7.1.1): absolute `YYMMDDhhmmsstnnp` in UTC (`000+`), or relative
 * `YYMMDDhhmmss000R` counting from the SMSC's receipt (days, hours, minutes, seconds; at most 99 days).
 */
export function validityPeriod(until: Date, now: Date, format: SmppSettings['validityFormat']): string {
  if (format === 'absolute') {
    return (
      two(until.getUTCFullYear() % 100) +
      two(until.getUTCMonth() + 1) +
      two(until.getUTCDate()) +
      two(until.getUTCHours()) +
      two(until.getUTCMinutes()) +
      two(until.getUTCSeconds()) +
      '000+'
    );
  }
  let seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  seconds = Math.min(seconds, 99 * 86_400 + 86_399);
  const days = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `0000${two(days)}${two(h)}${two(m)}${two(s)}000R`;
}
