/**
 * Opt-in transliteration of look-alike characters to GSM 7-bit ones: typographic quotes, dashes,
 * spaces, the ellipsis, bullets, invisible format characters and full-width ASCII forms, which word
 * processors and phones insert and which alone would force a whole message into UCS-2.
 *
 * Letters are left alone. Dropping an accent (`á` → `a`) or changing case (`ç` → `Ç`) changes names
 * and words, and the one mapping that looks standard is ambiguous: TS 23.038 puts capital `Ç` at
 * 0x09, where the original GSM 03.38 had small `ç`, so handsets disagree on what that septet shows.
 * Texts with such letters stay UCS-2 unless a national shift table that contains them is enabled.
 *
 * No source character is in any GSM table Herald supports (the tests check it), so transliteration
 * can only change a text that is not GSM-encodable as it stands.
 */

const SINGLE_QUOTE = "'";
const DOUBLE_QUOTE = '"';

const entries: [string, string][] = [
  // Quotes, primes and apostrophe-like accents.
  ['\u2018', SINGLE_QUOTE], // ‘ left single quotation mark
  ['\u2019', SINGLE_QUOTE], // ’ right single quotation mark
  ['\u201a', SINGLE_QUOTE], // ‚ single low-9 quotation mark
  ['\u201b', SINGLE_QUOTE], // ‛ single high-reversed-9 quotation mark
  ['\u2032', SINGLE_QUOTE], // ′ prime
  ['\u00b4', SINGLE_QUOTE], // ´ acute accent (spacing)
  ['\u201c', DOUBLE_QUOTE], // “ left double quotation mark
  ['\u201d', DOUBLE_QUOTE], // ” right double quotation mark
  ['\u201e', DOUBLE_QUOTE], // „ double low-9 quotation mark
  ['\u201f', DOUBLE_QUOTE], // ‟ double high-reversed-9 quotation mark
  ['\u2033', DOUBLE_QUOTE], // ″ double prime
  ['\u00ab', DOUBLE_QUOTE], // « left-pointing double angle quotation mark
  ['\u00bb', DOUBLE_QUOTE], // » right-pointing double angle quotation mark
  // Dashes and hyphens.
  ['\u2010', '-'], // ‐ hyphen
  ['\u2011', '-'], // ‑ non-breaking hyphen
  ['\u2012', '-'], // ‒ figure dash
  ['\u2013', '-'], // – en dash
  ['\u2014', '-'], // — em dash
  ['\u2015', '-'], // ― horizontal bar
  ['\u2212', '-'], // − minus sign
  // Spaces: no-break, typographic widths, narrow no-break, medium mathematical, ideographic; tab.
  ['\u0009', ' '],
  ['\u00a0', ' '],
  ...Array.from({ length: 11 }, (_, i): [string, string] => [String.fromCharCode(0x2000 + i), ' ']),
  ['\u202f', ' '],
  ['\u205f', ' '],
  ['\u3000', ' '],
  // Line and paragraph separators are line breaks.
  ['\u2028', '\n'],
  ['\u2029', '\n'],
  // Ellipsis, leaders and bullets.
  ['\u2026', '...'], // … horizontal ellipsis
  ['\u2024', '.'], // ․ one dot leader
  ['\u2022', '-'], // • bullet
  ['\u2023', '-'], // ‣ triangular bullet
  ['\u2043', '-'], // ⁃ hyphen bullet
  // Invisible format characters, removed: zero width space, ZWNJ, ZWJ, word joiner, BOM / zero
  // width no-break space, soft hyphen. ZWJ and ZWNJ only matter in emoji and in scripts that are
  // UCS-2 anyway, and transliteration is only applied when the result is GSM 7-bit.
  ['\u200b', ''],
  ['\u200c', ''],
  ['\u200d', ''],
  ['\u2060', ''],
  ['\ufeff', ''],
  ['\u00ad', ''],
  // Full-width ASCII forms (U+FF01–U+FF5E), e.g. from East Asian input methods: NFKC maps them to
  // ASCII. The full-width grave accent is left out: ` is not GSM either.
  ...Array.from({ length: 0x5e }, (_, i): [string, string] => [
    String.fromCharCode(0xff01 + i),
    String.fromCharCode(0x21 + i),
  ]).filter(([, to]) => to !== '`'),
];

/** Every transliteration: source character (one UTF-16 code unit) → GSM replacement (maybe empty). */
export const TRANSLITERATIONS: ReadonlyMap<string, string> = new Map(entries);

/** One kind of replacement made, counted. */
export interface Replacement {
  /** The character replaced. */
  from: string;
  /** What it was replaced with; `''` when it was removed. */
  to: string;
  /** How many times. */
  count: number;
}

/** `text` with every transliteration applied, and the replacements in order of first appearance. */
export function transliterate(text: string): { text: string; replacements: Replacement[] } {
  const counts = new Map<string, number>();
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const to = TRANSLITERATIONS.get(char);
    if (to === undefined) continue;
    out += text.slice(copiedUpTo, i) + to;
    copiedUpTo = i + 1;
    counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  if (counts.size === 0) return { text, replacements: [] };
  out += text.slice(copiedUpTo);
  const replacements = [...counts].map(([from, count]) => ({ from, to: TRANSLITERATIONS.get(from)!, count }));
  return { text: out, replacements };
}
