import type { CountryCode, PhoneNumber, PhoneNumberType } from 'libphonenumber-js/max';
import { ParseError, parsePhoneNumberWithError, validatePhoneNumberLength } from 'libphonenumber-js/max';

export type { CountryCode };

/** What kind of line a valid number belongs to, from libphonenumber's "max" metadata. */
export type PhoneLineType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'voip'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

/**
 * Why an input is not a usable phone number.
 * - `not_a_number`: empty, or contains anything that does not belong in a phone number
 *   (letters, `;`, `*`, `#`, emoji, a `+` that is not the first character, URI parameters…).
 * - `too_short` / `too_long`: the digits are too few / too many for the numbering plan
 *   (and every input longer than {@link MAX_PHONE_INPUT_LENGTH} characters is `too_long`).
 * - `invalid_country`: no country calling code could be determined (no `+`/IDD prefix and no
 *   default region, an unknown calling code, or an unsupported default region).
 * - `invalid`: the right shape and length, but not a number the numbering plan assigns.
 */
export type PhoneFailureReason = 'too_short' | 'too_long' | 'invalid_country' | 'not_a_number' | 'invalid';

export interface ParsedPhone {
  ok: true;
  /** E.164 form, e.g. `+4915123456789`. The only form to store, compare and send to gateways. */
  e164: string;
  /** ISO 3166-1 alpha-2 region; `null` for non-geographic calling codes (+800, +882, …). */
  country: CountryCode | null;
  /** Calling code without `+`, e.g. `49`. */
  countryCallingCode: string;
  lineType: PhoneLineType;
  /** National format for display, e.g. `01512 3456789`. */
  national: string;
  /** The input exactly as given. */
  input: string;
}

export interface PhoneParseFailure {
  ok: false;
  reason: PhoneFailureReason;
  input: string;
}

export type PhoneResult = ParsedPhone | PhoneParseFailure;

/** Inputs longer than this are rejected as `too_long` before any other work. */
export const MAX_PHONE_INPUT_LENGTH = 64;

// Full-width (U+FF10–FF19), Arabic-Indic (U+0660–0669) and Extended Arabic-Indic (U+06F0–06F9).
const NON_ASCII_DIGIT = /[\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/g;

/** Replaces full-width and (Extended) Arabic-Indic digits with ASCII digits; leaves everything else. */
export function normalizeDigits(s: string): string {
  return s.replace(NON_ASCII_DIGIT, (d) => {
    const code = d.charCodeAt(0);
    const zero = code >= 0xff10 ? 0xff10 : code >= 0x06f0 ? 0x06f0 : 0x0660;
    return String.fromCharCode(48 + code - zero);
  });
}

// Typographic variants of the separators we accept, as produced by word processors, spreadsheets
// and East Asian input methods. They are mapped to their ASCII form so that the character check
// below and libphonenumber only ever see ASCII.
const SEPARATOR_VARIANTS: Readonly<Record<string, string>> = {
  '\u00A0': ' ', // no-break space
  '\u2007': ' ', // figure space
  '\u2009': ' ', // thin space
  '\u202F': ' ', // narrow no-break space
  '\u3000': ' ', // ideographic space
  '\u2010': '-', // hyphen
  '\u2011': '-', // non-breaking hyphen
  '\u2012': '-', // figure dash
  '\u2013': '-', // en dash
  '\u2014': '-', // em dash
  '\u2212': '-', // minus sign
  '\uFF0D': '-', // full-width hyphen-minus
  '\uFF0E': '.',
  '\uFF0F': '/',
  '\uFF08': '(',
  '\uFF09': ')',
  '\uFF0B': '+', // full-width plus
};
const SEPARATOR_VARIANT =
  /[\u00A0\u2007\u2009\u202F\u3000\u2010-\u2014\u2212\uFF0D\uFF0E\uFF0F\uFF08\uFF09\uFF0B]/g;

// After normalisation the whole input must be: an optional leading `+`, then digits and the
// separators space - . / ( ). Anything else (letters, `;`, `,`, `#`, `*`, emoji, control
// characters, a second `+`) means the text is more than a phone number, and we refuse to guess
// which part was meant — libphonenumber would happily extract a number out of surrounding junk.
const PHONE_CHARACTERS = /^\+?[0-9 ()./-]*$/;
const TEL_PREFIX = /^tel:/i;

const LINE_TYPES: Readonly<Record<PhoneNumberType, PhoneLineType>> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed_line',
  FIXED_LINE_OR_MOBILE: 'fixed_line_or_mobile',
  VOIP: 'voip',
  TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium_rate',
  SHARED_COST: 'shared_cost',
  PERSONAL_NUMBER: 'personal_number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

const PARSE_ERRORS: Readonly<Record<string, PhoneFailureReason>> = {
  TOO_SHORT: 'too_short',
  TOO_LONG: 'too_long',
  INVALID_COUNTRY: 'invalid_country',
  NOT_A_NUMBER: 'not_a_number',
};

/**
 * Parses one phone number typed by a person or sent by a business system.
 *
 * Accepted: digits (ASCII, full-width, Arabic-Indic, Extended Arabic-Indic), spaces, `-`, `.`,
 * `/`, parentheses and their typographic variants, one leading `+` (or `＋`), surrounding
 * whitespace, and an optional `tel:` prefix (any case). Numbers without `+` are read in
 * `defaultRegion`, including its international prefix (`0049…` in DE, `011…` in US).
 *
 * Rejected as `not_a_number`, by design:
 * - any other character, so `+49 1512 3456789; DROP TABLE x` is never shortened to a number;
 * - extensions (`x12`, `ext. 12`, `#12`, `;ext=12`): an SMS cannot reach an extension;
 * - `tel:` URI parameters (`;phone-context=…`, `;isub=…`): `tel:` is accepted only as a plain
 *   prefix for a global number or a number in `defaultRegion`; we do not resolve contexts.
 */
export function parsePhone(input: string, defaultRegion?: CountryCode): PhoneResult {
  if (input.length > MAX_PHONE_INPUT_LENGTH) return fail('too_long', input);
  const text = normalizePhoneInput(input);
  if (text === null) return fail('not_a_number', input);

  let phone: PhoneNumber;
  try {
    // `extract: false`: parse the whole string, never a number found inside it.
    phone = parsePhoneNumberWithError(text, { defaultCountry: defaultRegion, extract: false });
  } catch (error) {
    if (error instanceof ParseError) return fail(PARSE_ERRORS[error.message] ?? 'invalid', input);
    throw error;
  }
  // Unreachable given the character check, kept so an extension can never slip through silently.
  if (phone.ext !== undefined) return fail('not_a_number', input);
  if (!phone.isValid()) return fail(invalidReason(text, defaultRegion), input);

  // The line type and the national format cost a third of a parse each and most callers (a send)
  // read neither: worked out when first read.
  let lineType: PhoneLineType | undefined;
  let national: string | undefined;
  return {
    ok: true,
    e164: phone.number,
    country: phone.country ?? null,
    countryCallingCode: phone.countryCallingCode,
    get lineType() {
      if (lineType === undefined) {
        const type = phone.getType();
        lineType = type === undefined ? 'unknown' : LINE_TYPES[type];
      }
      return lineType;
    },
    get national() {
      national ??= phone.formatNational();
      return national;
    },
    input,
  };
}

/** Returns the ASCII-only text to hand to libphonenumber, or `null` if it is not phone-number text. */
function normalizePhoneInput(input: string): string | null {
  let text = normalizeDigits(input).replace(SEPARATOR_VARIANT, (c) => SEPARATOR_VARIANTS[c] ?? c);
  text = text.trim();
  if (TEL_PREFIX.test(text)) text = text.slice(4).trim();
  return PHONE_CHARACTERS.test(text) ? text : null;
}

// A number that parsed but is not valid: say "too short"/"too long" when the length alone rules
// it out, since that is what the person typing it can fix; otherwise it is simply not assigned.
function invalidReason(text: string, defaultRegion: CountryCode | undefined): PhoneFailureReason {
  const length = validatePhoneNumberLength(text, { defaultCountry: defaultRegion });
  if (length === 'TOO_SHORT') return 'too_short';
  if (length === 'TOO_LONG') return 'too_long';
  return 'invalid';
}

function fail(reason: PhoneFailureReason, input: string): PhoneParseFailure {
  return { ok: false, reason, input };
}
