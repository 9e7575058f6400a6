export type {
  AnalyzeOptions,
  Encoding,
  ShiftTableUse,
  TextAnalysis,
} from './encoding.analyze.js';
export { analyzeText, normaliseText } from './encoding.analyze.js';
export { graphemeEnds } from './encoding.graphemes.js';
export type { TextPart } from './encoding.parts.js';
export {
  CONCAT_IE_OCTETS,
  GSM_MULTI_PART_SEPTETS,
  GSM_SINGLE_PART_SEPTETS,
  gsmPartCapacity,
  MAX_USER_DATA_OCTETS,
  SHIFT_IE_OCTETS,
  UCS2_MULTI_PART_UNITS,
  UCS2_SINGLE_PART_UNITS,
  UDH_LENGTH_OCTETS,
  ucs2PartCapacity,
  udhOctets,
} from './encoding.parts.js';
export type { ShiftLanguage } from './encoding.tables.js';
export {
  DEFAULT_ALPHABET,
  DEFAULT_EXTENSION,
  GSM_ESCAPE,
  gsmSeptetLength,
  isGsmCharacter,
  NATIONAL_LANGUAGE_ID,
  NATIONAL_TABLES,
  SHIFT_LANGUAGES,
} from './encoding.tables.js';
export type { Replacement } from './encoding.transliterate.js';
export { TRANSLITERATIONS } from './encoding.transliterate.js';
