export { maskPhone } from './phone.mask.js';
export type {
  CountryCode,
  ParsedPhone,
  PhoneFailureReason,
  PhoneLineType,
  PhoneParseFailure,
  PhoneResult,
} from './phone.parse.js';
export { MAX_PHONE_INPUT_LENGTH, normalizeDigits, parsePhone } from './phone.parse.js';
