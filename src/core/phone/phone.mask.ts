import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';

// Calling codes that belong to no region (international freephone, satellite, networks…).
const NON_GEOGRAPHIC_CALLING_CODES = ['800', '808', '870', '878', '881', '882', '883', '888', '979'];

const CALLING_CODES: ReadonlySet<string> = new Set([
  ...getCountries().map((country) => getCountryCallingCode(country)),
  ...NON_GEOGRAPHIC_CALLING_CODES,
]);

// E.164 calling codes are prefix-free, so at most one of the 1–3 digit prefixes is a code.
function callingCodeLength(digits: string): number {
  for (let length = 1; length <= 3; length++) {
    if (CALLING_CODES.has(digits.slice(0, length))) return length;
  }
  return 0;
}

/** Digits a masked number must hide at least, so a short number is not left readable. */
const MIN_HIDDEN_DIGITS = 4;
const VISIBLE_TAIL = 2;
const VISIBLE_AFTER_CALLING_CODE = 3;

/**
 * Masks a phone number for logs (DESIGN §6: logs never hold full phone numbers).
 * `+4915123456789` → `+49151*****89`: the calling code and the next 3 digits, `*` for each
 * hidden digit, the last 2 digits. When that would hide fewer than 4 digits, only the calling
 * code and the last 2 stay; when even that hides fewer than 4, only the calling code stays.
 * Input that is not `+` and digits (e.g. a rejected raw input) keeps only its last 2 digits, and
 * nothing at all if it has fewer than 6. Never throws.
 */
export function maskPhone(e164: string): string {
  const isE164 = /^\+[0-9]+$/.test(e164);
  const digits = isE164 ? e164.slice(1) : e164.replace(/[^0-9]/g, '');
  const codeLength = isE164 ? callingCodeLength(digits) : 0;
  const layouts: ReadonlyArray<readonly [head: number, tail: number]> = isE164
    ? [
        [codeLength + VISIBLE_AFTER_CALLING_CODE, VISIBLE_TAIL],
        [codeLength, VISIBLE_TAIL],
      ]
    : [[0, VISIBLE_TAIL]];
  const plus = isE164 ? '+' : '';
  for (const [head, tail] of layouts) {
    const hidden = digits.length - head - tail;
    if (hidden >= MIN_HIDDEN_DIGITS) {
      return `${plus}${digits.slice(0, head)}${'*'.repeat(hidden)}${digits.slice(digits.length - tail)}`;
    }
  }
  return `${plus}${digits.slice(0, codeLength)}${'*'.repeat(digits.length - codeLength)}`;
}
