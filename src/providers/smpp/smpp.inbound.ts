import { DEFAULT_ALPHABET, DEFAULT_EXTENSION, GSM_ESCAPE } from '../../core/encoding/index.js';
import type { InboundSms } from '../provider.contract.js';
import type { DecodedMessage, SmppPdu } from './smpp.lib.js';
import { IEI_CONCAT_8, IEI_CONCAT_16 } from './smpp.submit.js';

/**
 * Mobile-originated `deliver_sm` → inbound SMS. The `smpp` library has already decoded the text by
 * `data_coding` (0: GSM 7-bit, one septet per octet; 8: UCS-2; 3: Latin-1) and split off the UDH;
 * concatenated messages (UDH IE 0x00 / 0x08, or the `sar_*` TLVs) are put back together here.
 */

export interface Concatenation {
  readonly reference: number;
  readonly total: number;
  /** 1-based. */
  readonly seq: number;
}

export interface InboundPart {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly concat: Concatenation | null;
}

function messageOf(value: SmppPdu['short_message']): { text: string; udh: readonly Buffer[] } {
  if (value === undefined) return { text: '', udh: [] };
  if (typeof value === 'string') return { text: value, udh: [] };
  if (Buffer.isBuffer(value)) return { text: value.toString('latin1'), udh: [] };
  const m = value as DecodedMessage;
  const text = typeof m.message === 'string' ? m.message : m.message.toString('latin1');
  return { text, udh: m.udh ?? [] };
}

function concatOf(udh: readonly Buffer[], pdu: SmppPdu): Concatenation | null {
  for (const ie of udh) {
    if (ie[0] === IEI_CONCAT_8 && ie[1] === 3 && ie.length >= 5) {
      return { reference: ie[2]!, total: ie[3]!, seq: ie[4]! };
    }
    if (ie[0] === IEI_CONCAT_16 && ie[1] === 4 && ie.length >= 6) {
      return { reference: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
    }
  }
  if (pdu.sar_msg_ref_num !== undefined && pdu.sar_total_segments && pdu.sar_segment_seqnum) {
    return { reference: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum };
  }
  return null;
}

const SEPTETS = new Map<string, string>();
for (const [septet, char] of DEFAULT_EXTENSION) SEPTETS.set(char, String.fromCharCode(GSM_ESCAPE, septet));
for (let septet = 0; septet < DEFAULT_ALPHABET.length; septet++) {
  if (septet !== GSM_ESCAPE) SEPTETS.set(DEFAULT_ALPHABET[septet]!, String.fromCharCode(septet));
}

/**
 * The octets of a text the library decoded as GSM 7-bit, read as IA5/ASCII instead. The library
 * decodes `data_coding` 0 and 1 alike as GSM, but receipts and IA5 messages are ASCII: `_` (0x5F)
 * would come out as `§`, `@` (0x40) as `¡`.
 */
export function gsmDecodedAsAscii(text: string): string {
  let out = '';
  for (const char of text) out += SEPTETS.get(char) ?? char;
  return out;
}

/** An address with TON 1 (international) gets its `+` back. */
const withPlus = (addr: string, ton: number | undefined) =>
  ton === 1 && /^\d+$/.test(addr) ? `+${addr}` : addr;

export function inboundPart(pdu: SmppPdu): InboundPart {
  const sm = messageOf(pdu.short_message);
  // Long messages may come in message_payload with an empty short_message.
  const body = sm.text === '' && pdu.message_payload !== undefined ? messageOf(pdu.message_payload) : sm;
  return {
    from: withPlus(pdu.source_addr ?? '', pdu.source_addr_ton),
    to: withPlus(pdu.destination_addr ?? '', pdu.dest_addr_ton),
    text: ((pdu.data_coding ?? 0) & 0x0f) === 1 ? gsmDecodedAsAscii(body.text) : body.text,
    concat: concatOf(sm.udh.length > 0 ? sm.udh : body.udh, pdu),
  };
}

interface Pending {
  readonly parts: Map<number, string>;
  readonly total: number;
  readonly from: string;
  readonly to: string;
  timer: NodeJS.Timeout;
}

export interface Reassembler {
  /** The whole message when `part` completes one (or is not concatenated); otherwise `null`. */
  add(part: InboundPart): InboundSms | null;
  /** Drops what is waiting (for `close()`). */
  clear(): void;
}

/**
 * Holds the parts of concatenated inbound messages by sender, recipient and reference. Parts that
 * do not complete within `timeoutMs` are handed on as they are, missing parts left out (logged), so a
 * lost part costs a piece of the text, never the whole message.
 */
export function createReassembler(options: {
  timeoutMs: number;
  now: () => Date;
  onIncomplete: (sms: InboundSms, missing: number) => void;
}): Reassembler {
  const pending = new Map<string, Pending>();
  const join = (p: Pending): InboundSms => ({
    from: p.from,
    to: p.to,
    text: [...p.parts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, t]) => t)
      .join(''),
    receivedAt: options.now().toISOString(),
  });
  return {
    add(part) {
      if (!part.concat || part.concat.total <= 1) {
        return { from: part.from, to: part.to, text: part.text, receivedAt: options.now().toISOString() };
      }
      const { reference, total, seq } = part.concat;
      const key = `${part.from}\u0000${part.to}\u0000${reference}\u0000${total}`;
      let p = pending.get(key);
      if (!p) {
        const entry: Pending = { parts: new Map(), total, from: part.from, to: part.to, timer: undefined! };
        entry.timer = setTimeout(() => {
          pending.delete(key);
          options.onIncomplete(join(entry), entry.total - entry.parts.size);
        }, options.timeoutMs);
        entry.timer.unref();
        pending.set(key, entry);
        p = entry;
      }
      p.parts.set(seq, part.text);
      if (p.parts.size < p.total) return null;
      clearTimeout(p.timer);
      pending.delete(key);
      return join(p);
    },
    clear() {
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
    },
  };
}
