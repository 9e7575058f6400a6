import {
  DEFAULT_ALPHABET,
  DEFAULT_EXTENSION,
  GSM_ESCAPE,
  NATIONAL_TABLES,
  type ShiftLanguage,
} from '../../core/encoding/index.js';

/**
 * GSM 7-bit encoding for `submit_sm` (3GPP TS 23.038): text → septets with the default alphabet or a
 * national language's locking/single shift tables, and the packing of septets into octets that some
 * SMSCs want instead of SMPP's usual one septet per octet.
 */

export interface GsmTables {
  /** National language whose tables are in use; `null` for the default alphabet and extension. */
  readonly language: ShiftLanguage | null;
  readonly locking: boolean;
  readonly single: boolean;
}

export const DEFAULT_GSM_TABLES: GsmTables = { language: null, locking: false, single: false };

const encoders = new Map<string, Map<string, number[]>>();

function encoderFor(tables: GsmTables): Map<string, number[]> {
  const key = `${tables.language}:${tables.locking}:${tables.single}`;
  let map = encoders.get(key);
  if (map) return map;
  map = new Map();
  const national = tables.language ? NATIONAL_TABLES[tables.language] : null;
  const basic = (tables.locking && national?.locking) || DEFAULT_ALPHABET;
  const extension = tables.single && national ? national.single : DEFAULT_EXTENSION;
  for (const [septet, char] of extension) map.set(char, [GSM_ESCAPE, septet]);
  // A character in both tables is sent from the basic one (one septet), as the counter costed it.
  for (let septet = 0; septet < basic.length; septet++) {
    if (septet !== GSM_ESCAPE) map.set(basic[septet]!, [septet]);
  }
  encoders.set(key, map);
  return map;
}

/** Septets of `text`, or `null` when a character is in neither table (the text is not GSM 7-bit). */
export function encodeSeptets(text: string, tables: GsmTables = DEFAULT_GSM_TABLES): number[] | null {
  const map = encoderFor(tables);
  const out: number[] = [];
  for (const char of text) {
    const septets = map.get(char);
    if (!septets) return null;
    out.push(...septets);
  }
  return out;
}

/**
 * Packs septets 8-in-7 (TS 23.038 §6.1.2.1.1), after `fillBits` zero bits that align them to a septet
 * boundary behind a User Data Header.
 */
export function packSeptets(septets: readonly number[], fillBits = 0): Buffer {
  const totalBits = fillBits + septets.length * 7;
  const out = Buffer.alloc(Math.ceil(totalBits / 8));
  let bit = fillBits;
  for (const s of septets) {
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte]! |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1]! |= s >> (8 - shift);
    bit += 7;
  }
  return out;
}

/** Zero bits between a UDH of `udhOctets` octets (UDHL included) and the first septet. */
export const fillBitsAfter = (udhOctets: number): number => (7 - ((udhOctets * 8) % 7)) % 7;
