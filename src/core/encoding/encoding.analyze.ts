import { graphemeEnds } from './encoding.graphemes.js';
import {
  countGsmParts,
  gsmPartCapacity,
  splitGsm,
  splitUcs2,
  type TextPart,
  UCS2_MULTI_PART_UNITS,
  UCS2_SINGLE_PART_UNITS,
  udhOctets,
} from './encoding.parts.js';
import {
  buildCostTable,
  COST_TABLE_SIZE,
  DEFAULT_ALPHABET,
  DEFAULT_COSTS,
  DEFAULT_EXTENSION,
  NATIONAL_TABLES,
  type ShiftLanguage,
} from './encoding.tables.js';
import { type Replacement, transliterate } from './encoding.transliterate.js';

/** The data coding of a message: GSM 7-bit default alphabet (with shift tables) or UCS-2. */
export type Encoding = 'GSM-7' | 'UCS-2';

export interface AnalyzeOptions {
  /**
   * National language shift tables the route supports, in order of preference. Default: none, as
   * handsets and gateways support them unevenly. They are only used for a text the default
   * alphabet cannot encode, and only when they spare the message UCS-2.
   */
  shiftTables?: readonly ShiftLanguage[];
  /**
   * Replace look-alike characters (typographic quotes, dashes, special spaces, …) with GSM ones.
   * Default `false`. All or nothing: applied only if the result is GSM 7-bit; a text that stays UCS-2
   * is sent unchanged, because there its original characters cost the same or less (`…` is one
   * UCS-2 unit but three septets as `...`).
   */
  transliterate?: boolean;
}

/** The national language tables a GSM 7-bit message uses (announced in each part's UDH). */
export interface ShiftTableUse {
  language: ShiftLanguage;
  /** The language's locking shift table replaces the default alphabet. */
  locking: boolean;
  /** The language's single shift table replaces the default extension table. */
  single: boolean;
}

/** Everything the UI counter shows and the worker sends, from one function. */
export interface TextAnalysis {
  /**
   * The text actually sent: NFC-normalised, `\r\n` and lone `\r` turned into `\n`, and transliterated
   * if that was requested and made the text GSM 7-bit.
   */
  text: string;
  encoding: Encoding;
  /** User-perceived characters (extended grapheme clusters) of `text`. */
  characters: number;
  /** Septets for GSM 7-bit (extension characters count 2); UTF-16 code units for UCS-2. */
  units: number;
  /** The SMS to send, in order; their texts concatenated are exactly `text`. Never empty. */
  parts: TextPart[];
  /** Units one part can carry: 160 / 153 septets or 70 / 67 units, less with shift tables. */
  unitsPerPart: number;
  /** Units still free in the last part ("N characters left"). */
  unitsLeftInPart: number;
  /**
   * For UCS-2: the distinct grapheme clusters, in order of first appearance, holding a character
   * that no allowed GSM table encodes (with several table choices, those of the choice that misses
   * the fewest), after transliteration if it was requested. Empty for GSM 7-bit.
   */
  ucs2Characters: readonly string[];
  /** The national language tables in use, or `null` for the default alphabet and for UCS-2. */
  shiftTable: ShiftTableUse | null;
  /** Replacements made by transliteration, in order of first appearance; empty if none were applied. */
  transliterated: readonly Replacement[];
}

/** One way to encode GSM 7-bit: which tables, what each code unit costs, how much a part holds. */
interface GsmTables {
  shift: ShiftTableUse | null;
  costs: Uint8Array;
  singlePart: number;
  multiPart: number;
}

function gsmTables(shift: ShiftTableUse | null, costs: Uint8Array): GsmTables {
  const shiftIes = shift === null ? 0 : Number(shift.locking) + Number(shift.single);
  return {
    shift: shift === null ? null : Object.freeze(shift),
    costs,
    singlePart: gsmPartCapacity(udhOctets(false, shiftIes)),
    multiPart: gsmPartCapacity(udhOctets(true, shiftIes)),
  };
}

const DEFAULT_TABLES = gsmTables(null, DEFAULT_COSTS);

/**
 * Default costs with CR made unencodable: a text that scores here is all default-GSM characters and
 * thus already NFC (each of them is a stable starter no other GSM character composes with) and
 * free of CR, so it needs no normalisation. The fast path of the common case.
 */
const NORMALISED_DEFAULT_COSTS = DEFAULT_COSTS.slice();
NORMALISED_DEFAULT_COSTS[0x0d] = 0;

/** A language's table combinations, cheapest UDH first: single shift, locking shift, both. */
interface LanguageTables {
  single: GsmTables;
  locking: GsmTables | null;
  both: GsmTables | null;
}

const languageTables = new Map<ShiftLanguage, LanguageTables>();

function tablesOf(language: ShiftLanguage): LanguageTables | undefined {
  let tables = languageTables.get(language);
  if (tables !== undefined) return tables;
  const national = NATIONAL_TABLES[language];
  if (national === undefined) return undefined;
  const { locking, single } = national;
  tables = {
    single: gsmTables({ language, locking: false, single: true }, buildCostTable(DEFAULT_ALPHABET, single)),
    locking:
      locking === null
        ? null
        : gsmTables({ language, locking: true, single: false }, buildCostTable(locking, DEFAULT_EXTENSION)),
    both:
      locking === null
        ? null
        : gsmTables({ language, locking: true, single: true }, buildCostTable(locking, single)),
  };
  languageTables.set(language, tables);
  return tables;
}

/** The shift table combinations for `languages`: every single shift, then locking, then both. */
function shiftCandidates(languages: readonly ShiftLanguage[] | undefined): GsmTables[] {
  if (languages === undefined || languages.length === 0) return [];
  const known = [...new Set(languages)].map(tablesOf).filter((t) => t !== undefined);
  const candidates: GsmTables[] = known.map((t) => t.single);
  for (const t of known) if (t.locking) candidates.push(t.locking);
  for (const t of known) if (t.both) candidates.push(t.both);
  return candidates;
}

/** Septets of `text` with `costs`, or -1 if a code unit cannot be encoded. */
function countSeptets(text: string, costs: Uint8Array): number {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const cost = code < COST_TABLE_SIZE ? costs[code]! : 0;
    if (cost === 0) return -1;
    septets += cost;
  }
  return septets;
}

/** NFC, and `\r\n` / lone `\r` → `\n`. */
export function normaliseText(text: string): string {
  const lf = text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
  // Code units below U+0300 never change under NFC and never combine with one another.
  for (let i = 0; i < lf.length; i++) {
    if (lf.charCodeAt(i) >= 0x300) return lf.normalize('NFC');
  }
  return lf;
}

const NOTHING: readonly never[] = Object.freeze([]);

function gsmResult(
  text: string,
  septets: number,
  tables: GsmTables,
  transliterated: readonly Replacement[],
): TextAnalysis {
  const single = septets <= tables.singlePart;
  const unitsPerPart = single ? tables.singlePart : tables.multiPart;
  const parts = single ? [{ text, units: septets }] : splitGsm(text, tables.costs, unitsPerPart);
  return {
    text,
    encoding: 'GSM-7',
    // Every character of every GSM table is one code unit and a grapheme cluster of its own.
    characters: text.length,
    units: septets,
    parts,
    unitsPerPart,
    unitsLeftInPart: unitsPerPart - parts[parts.length - 1]!.units,
    ucs2Characters: NOTHING,
    shiftTable: tables.shift,
    transliterated,
  };
}

/** The cheapest shift table combination that encodes `text`: fewest parts, then earliest. */
function encodeWithShiftTables(
  text: string,
  candidates: readonly GsmTables[],
  transliterated: readonly Replacement[],
): TextAnalysis | null {
  let best: GsmTables | null = null;
  let bestSeptets = 0;
  let bestParts = Number.POSITIVE_INFINITY;
  for (const tables of candidates) {
    const septets = countSeptets(text, tables.costs);
    if (septets < 0) continue;
    const parts = septets <= tables.singlePart ? 1 : countGsmParts(text, tables.costs, tables.multiPart);
    if (parts < bestParts) {
      best = tables;
      bestSeptets = septets;
      bestParts = parts;
    }
  }
  return best === null ? null : gsmResult(text, bestSeptets, best, transliterated);
}

/**
 * Marks for de-duplicating single-code-unit clusters without hashing strings: `seenAt[code] === pass`
 * means seen in the current pass, and a new pass needs no reset. Allocated on first use (256 KiB).
 */
let seenAt: Uint32Array | undefined;
let pass = 0;

/** Clusters holding a code unit `costs` cannot encode, distinct, in order of first appearance. */
function unencodableClusters(text: string, ends: readonly number[], costs: Uint8Array): string[] {
  const found: string[] = [];
  let longSeen: Set<string> | undefined;
  seenAt ??= new Uint32Array(0x10000);
  const seen = seenAt;
  pass = pass === 0xffffffff ? 1 : pass + 1;
  if (pass === 1) seen.fill(0);
  let start = 0;
  for (const end of ends) {
    if (end - start === 1) {
      const code = text.charCodeAt(start);
      if ((code >= COST_TABLE_SIZE || costs[code] === 0) && seen[code] !== pass) {
        seen[code] = pass;
        found.push(text[start]!);
      }
    } else {
      for (let i = start; i < end; i++) {
        const code = text.charCodeAt(i);
        if (code >= COST_TABLE_SIZE || costs[code] === 0) {
          const cluster = text.slice(start, end);
          longSeen ??= new Set();
          if (!longSeen.has(cluster)) {
            longSeen.add(cluster);
            found.push(cluster);
          }
          break;
        }
      }
    }
    start = end;
  }
  return found;
}

function ucs2Characters(text: string, ends: readonly number[], candidates: readonly GsmTables[]): string[] {
  let fewest = unencodableClusters(text, ends, DEFAULT_COSTS);
  for (const tables of candidates) {
    const missing = unencodableClusters(text, ends, tables.costs);
    if (missing.length < fewest.length) fewest = missing;
  }
  return fewest;
}

function ucs2Result(text: string, candidates: readonly GsmTables[], forcedBy: string): TextAnalysis {
  const ends = graphemeEnds(text);
  const units = text.length;
  const single = units <= UCS2_SINGLE_PART_UNITS;
  const unitsPerPart = single ? UCS2_SINGLE_PART_UNITS : UCS2_MULTI_PART_UNITS;
  const parts = single ? [{ text, units }] : splitUcs2(text, ends, unitsPerPart);
  const forcedEnds = forcedBy === text ? ends : graphemeEnds(forcedBy);
  return {
    text,
    encoding: 'UCS-2',
    characters: ends.length,
    units,
    parts,
    unitsPerPart,
    unitsLeftInPart: unitsPerPart - parts[parts.length - 1]!.units,
    ucs2Characters: ucs2Characters(forcedBy, forcedEnds, candidates),
    shiftTable: null,
    transliterated: NOTHING,
  };
}

/**
 * Encoding, length and exact parts of an SMS body. Used both by the UI counter and by the worker
 * that sends, so the count the user sees is the count that is sent.
 *
 * The default alphabet is used whenever it encodes the text; otherwise the cheapest allowed shift
 * table combination; otherwise (after transliteration, if requested) UCS-2.
 */
export function analyzeText(input: string, options?: AnalyzeOptions): TextAnalysis {
  const fastSeptets = countSeptets(input, NORMALISED_DEFAULT_COSTS);
  if (fastSeptets >= 0) return gsmResult(input, fastSeptets, DEFAULT_TABLES, NOTHING);

  const text = normaliseText(input);
  const septets = countSeptets(text, DEFAULT_COSTS);
  if (septets >= 0) return gsmResult(text, septets, DEFAULT_TABLES, NOTHING);
  const candidates = shiftCandidates(options?.shiftTables);
  const shifted = encodeWithShiftTables(text, candidates, NOTHING);
  if (shifted !== null) return shifted;
  if (options?.transliterate !== true) return ucs2Result(text, candidates, text);

  const { text: replaced, replacements } = transliterate(text);
  if (replacements.length === 0) return ucs2Result(text, candidates, text);
  // Removing an invisible character can bring a base letter and a combining mark together.
  const transliterated = normaliseText(replaced);
  const gsmSeptets = countSeptets(transliterated, DEFAULT_COSTS);
  if (gsmSeptets >= 0) return gsmResult(transliterated, gsmSeptets, DEFAULT_TABLES, replacements);
  return (
    encodeWithShiftTables(transliterated, candidates, replacements) ??
    ucs2Result(text, candidates, transliterated)
  );
}
