/**
 * Part sizes and splitting. One SMS carries at most 140 octets of user data (TS 23.040 §9.2.3.24);
 * a User Data Header, when present, takes its length octet (UDHL) plus its information elements
 * out of those 140 octets, and in GSM 7-bit the septets start after the fill bits that align the
 * header to a septet boundary, hence capacity = floor((140 - udh) * 8 / 7).
 */

/** Octets of user data in one SMS. */
export const MAX_USER_DATA_OCTETS = 140;
/** The UDH length octet (UDHL), present whenever there is a UDH. */
export const UDH_LENGTH_OCTETS = 1;
/** Concatenation IE with an 8-bit reference: IEI 0x00, length, reference, total, sequence. */
export const CONCAT_IE_OCTETS = 5;
/** National language single shift (IEI 0x24) or locking shift (IEI 0x25) IE: IEI, length, language. */
export const SHIFT_IE_OCTETS = 3;

/** UDH octets (UDHL included) for a part; 0 when the part needs no header at all. */
export function udhOctets(concatenated: boolean, shiftIes: number): number {
  const ies = (concatenated ? CONCAT_IE_OCTETS : 0) + shiftIes * SHIFT_IE_OCTETS;
  return ies === 0 ? 0 : UDH_LENGTH_OCTETS + ies;
}

/** Septets left for text in a GSM 7-bit part with a UDH of `udh` octets. */
export const gsmPartCapacity = (udh: number): number => Math.floor(((MAX_USER_DATA_OCTETS - udh) * 8) / 7);

/** UTF-16 code units left for text in a UCS-2 part with a UDH of `udh` octets. */
export const ucs2PartCapacity = (udh: number): number => Math.floor((MAX_USER_DATA_OCTETS - udh) / 2);

/** 160: a GSM 7-bit message that fits in one SMS. */
export const GSM_SINGLE_PART_SEPTETS = gsmPartCapacity(0);
/** 153: each part of a concatenated GSM 7-bit message. */
export const GSM_MULTI_PART_SEPTETS = gsmPartCapacity(udhOctets(true, 0));
/** 70: a UCS-2 message that fits in one SMS. */
export const UCS2_SINGLE_PART_UNITS = ucs2PartCapacity(0);
/** 67: each part of a concatenated UCS-2 message. */
export const UCS2_MULTI_PART_UNITS = ucs2PartCapacity(udhOctets(true, 0));

/** One SMS of a message. */
export interface TextPart {
  /** The exact slice of the message text this part carries. */
  text: string;
  /** Septets (GSM 7-bit, extension characters count 2) or UTF-16 code units (UCS-2) in `text`. */
  units: number;
}

/**
 * GSM 7-bit parts: greedy, one code unit at a time, so an extension character (ESC + septet) is
 * never split across parts. `costs` must encode every code unit of `text`.
 */
export function splitGsm(text: string, costs: Uint8Array, capacity: number): TextPart[] {
  const parts: TextPart[] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = costs[text.charCodeAt(i)]!;
    if (used + cost > capacity) {
      parts.push({ text: text.slice(start, i), units: used });
      start = i;
      used = 0;
    }
    used += cost;
  }
  parts.push({ text: text.slice(start), units: used });
  return parts;
}

/** How many parts `splitGsm` would make, without making them. */
export function countGsmParts(text: string, costs: Uint8Array, capacity: number): number {
  let parts = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = costs[text.charCodeAt(i)]!;
    if (used + cost > capacity) {
      parts++;
      used = 0;
    }
    used += cost;
  }
  return parts;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * UCS-2 parts: whole grapheme clusters (`ends` = end offset of each cluster, ascending). A cluster
 * longer than a whole part is the only thing ever cut, and then at a code point boundary: it fills
 * the current part and continues in the next ones, never cutting a surrogate pair.
 */
export function splitUcs2(text: string, ends: readonly number[], capacity: number): TextPart[] {
  const parts: TextPart[] = [];
  let start = 0;
  let clusterStart = 0;
  for (const end of ends) {
    if (end - start > capacity) {
      if (end - clusterStart <= capacity) {
        parts.push({ text: text.slice(start, clusterStart), units: clusterStart - start });
        start = clusterStart;
      } else {
        while (end - start > capacity) {
          let cut = start + capacity;
          if (isHighSurrogate(text.charCodeAt(cut - 1)) && isLowSurrogate(text.charCodeAt(cut))) cut--;
          parts.push({ text: text.slice(start, cut), units: cut - start });
          start = cut;
        }
      }
    }
    clusterStart = end;
  }
  parts.push({ text: text.slice(start), units: text.length - start });
  return parts;
}
