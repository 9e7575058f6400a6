/**
 * GSM 7-bit character tables of 3GPP TS 23.038: the default alphabet (§6.2.1), its extension
 * table (§6.2.1.1) and the national language shift tables of Annex A that Herald supports.
 *
 * A "basic" table (the default alphabet or a national *locking* shift table) is written as 128
 * characters indexed by septet value; position 0x1B is the escape to the extension / single shift
 * table and is not a character. An extension (single shift) table lists `[septet, character]`
 * pairs; each of its characters costs two septets (ESC + septet).
 */

/** The national languages whose shift tables Herald can use. */
export type ShiftLanguage = 'turkish' | 'spanish' | 'portuguese';

export const SHIFT_LANGUAGES: readonly ShiftLanguage[] = ['turkish', 'spanish', 'portuguese'];

/** National Language Identifier sent in the UDH shift IEs (TS 23.038 §6.2.1.2.4). */
export const NATIONAL_LANGUAGE_ID: Readonly<Record<ShiftLanguage, number>> = {
  turkish: 1,
  spanish: 2,
  portuguese: 3,
};

/** The escape septet (0x1B): switches to the extension or single shift table for one character. */
export const GSM_ESCAPE = 0x1b;

const ESC = '\u001b';

type ExtensionTable = readonly (readonly [septet: number, char: string])[];

/** §6.2.1 GSM 7 bit default alphabet. */
export const DEFAULT_ALPHABET =
  `@£$¥èéùìòÇ\nØø\rÅå` +
  `Δ_ΦΓΛΩΠΨΣΘΞ${ESC}ÆæßÉ` +
  ` !"#¤%&'()*+,-./` +
  `0123456789:;<=>?` +
  `¡ABCDEFGHIJKLMNO` +
  `PQRSTUVWXYZÄÖÑÜ§` +
  `¿abcdefghijklmno` +
  `pqrstuvwxyzäöñüà`;

/** §6.2.1.1 default alphabet extension table: form feed, `^ { } \ [ ~ ] |` and `€`. */
export const DEFAULT_EXTENSION: ExtensionTable = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

/** A.3.1 Turkish national language locking shift table. */
const TURKISH_LOCKING =
  `@£$¥€éùıòÇ\nĞğ\rÅå` +
  `Δ_ΦΓΛΩΠΨΣΘΞ${ESC}ŞşßÉ` +
  ` !"#¤%&'()*+,-./` +
  `0123456789:;<=>?` +
  `İABCDEFGHIJKLMNO` +
  `PQRSTUVWXYZÄÖÑÜ§` +
  `çabcdefghijklmno` +
  `pqrstuvwxyzäöñüà`;

/** A.3.3 Portuguese national language locking shift table. */
const PORTUGUESE_LOCKING =
  `@£$¥êéúíóç\nÔô\rÁá` +
  `Δ_ªÇÀ∞^\\€Ó|${ESC}ÂâÊÉ` +
  ` !"#º%&'()*+,-./` +
  `0123456789:;<=>?` +
  `ÍABCDEFGHIJKLMNO` +
  `PQRSTUVWXYZÃÕÚÜ§` +
  `~abcdefghijklmno` +
  'pqrstuvwxyzãõ`üà';

/** A.2.1 Turkish national language single shift table. */
const TURKISH_SINGLE: ExtensionTable = [
  ...DEFAULT_EXTENSION,
  [0x47, 'Ğ'],
  [0x49, 'İ'],
  [0x53, 'Ş'],
  [0x63, 'ç'],
  [0x67, 'ğ'],
  [0x69, 'ı'],
  [0x73, 'ş'],
];

/** A.2.2 Spanish national language single shift table (Spanish has no locking shift table). */
const SPANISH_SINGLE: ExtensionTable = [
  ...DEFAULT_EXTENSION,
  [0x09, 'ç'],
  [0x41, 'Á'],
  [0x49, 'Í'],
  [0x4f, 'Ó'],
  [0x55, 'Ú'],
  [0x61, 'á'],
  [0x69, 'í'],
  [0x6f, 'ó'],
  [0x75, 'ú'],
];

/** A.2.3 Portuguese national language single shift table. */
const PORTUGUESE_SINGLE: ExtensionTable = [
  ...DEFAULT_EXTENSION,
  [0x05, 'ê'],
  [0x09, 'ç'],
  [0x0b, 'Ô'],
  [0x0c, 'ô'],
  [0x0e, 'Á'],
  [0x0f, 'á'],
  [0x12, 'Φ'],
  [0x13, 'Γ'],
  [0x15, 'Ω'],
  [0x16, 'Π'],
  [0x17, 'Ψ'],
  [0x18, 'Σ'],
  [0x19, 'Θ'],
  [0x1f, 'Ê'],
  [0x41, 'À'],
  [0x49, 'Í'],
  [0x4f, 'Ó'],
  [0x55, 'Ú'],
  [0x5b, 'Ã'],
  [0x5c, 'Õ'],
  [0x61, 'Â'],
  [0x69, 'í'],
  [0x6f, 'ó'],
  [0x75, 'ú'],
  [0x7b, 'ã'],
  [0x7c, 'õ'],
  [0x7f, 'â'],
];

/** The tables of one national language; `null` where TS 23.038 defines none. */
export interface NationalTables {
  locking: string | null;
  single: ExtensionTable;
}

export const NATIONAL_TABLES: Readonly<Record<ShiftLanguage, NationalTables>> = {
  turkish: { locking: TURKISH_LOCKING, single: TURKISH_SINGLE },
  spanish: { locking: null, single: SPANISH_SINGLE },
  portuguese: { locking: PORTUGUESE_LOCKING, single: PORTUGUESE_SINGLE },
};

/**
 * Cost tables are indexed by UTF-16 code unit. Every character of every supported table is below
 * U+2220 (the highest is ∞, U+221E), so code units at or above this size cost 0 = not encodable.
 */
export const COST_TABLE_SIZE = 0x2220;

/**
 * Septets each UTF-16 code unit costs with a basic table and an extension table: 1 for a basic
 * character, 2 for an extension character (ESC + septet), 0 when it cannot be encoded. A character
 * present in both tables costs 1 (the encoder uses the basic table).
 */
export function buildCostTable(basic: string, extension: ExtensionTable): Uint8Array {
  const costs = new Uint8Array(COST_TABLE_SIZE);
  for (const [, char] of extension) costs[char.charCodeAt(0)] = 2;
  for (let septet = 0; septet < basic.length; septet++) {
    if (septet !== GSM_ESCAPE) costs[basic.charCodeAt(septet)] = 1;
  }
  return costs;
}

/** Costs with the default alphabet and the default extension table. */
export const DEFAULT_COSTS = buildCostTable(DEFAULT_ALPHABET, DEFAULT_EXTENSION);

/**
 * Septets `text` takes in the default alphabet (extension characters count 2), or `null` if some
 * character is not in the default alphabet or its extension table. No normalisation is applied.
 */
export function gsmSeptetLength(text: string): number | null {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const cost = code < COST_TABLE_SIZE ? DEFAULT_COSTS[code]! : 0;
    if (cost === 0) return null;
    septets += cost;
  }
  return septets;
}

/** Whether `char` (one UTF-16 code unit) is in the default alphabet or its extension table. */
export const isGsmCharacter = (char: string): boolean => char.length === 1 && gsmSeptetLength(char) !== null;
