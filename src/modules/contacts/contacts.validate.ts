import { type CountryCode, type PhoneFailureReason, parsePhone } from '../../core/phone/index.js';
import { CONTACT_STATUSES, type ContactKind } from './contacts.table.js';

/**
 * Rules shared by the API and the CSV import, so a contact is valid or not the same way whichever
 * door it comes through. Pure functions: no database, no errors thrown.
 */

/** Why a status does not fit the kind, or null when it does (leads and employees may also have none). */
export function statusProblem(kind: ContactKind, status: string | null): string | null {
  if (status === null) return null;
  const allowed: readonly string[] | undefined = CONTACT_STATUSES[kind as keyof typeof CONTACT_STATUSES];
  if (!allowed) return `a ${kind} has no status`;
  if (!allowed.includes(status)) return `the status of a ${kind} is one of ${allowed.join(', ')}`;
  return null;
}

export interface PhoneDraft {
  label: string;
  is_primary: boolean;
  e164: string;
  country: string | null;
  line_type: string;
  original: string;
}

export type PhonesResult =
  | { ok: true; phones: PhoneDraft[] }
  | { ok: false; index: number; reason: PhoneFailureReason | 'duplicate'; input: string };

/**
 * Parses every number in the region of the contact's org unit (numbers with `+` or an international
 * prefix need none). Exactly one phone ends up primary: the one marked, else the first.
 * A number given twice is refused (`duplicate`) unless `collapseDuplicates`, which keeps the first
 * (the import does that: `mobile` and `phone` columns often repeat the same number).
 */
export function parsePhones(
  inputs: readonly { number: string; label: string; primary?: boolean | undefined }[],
  region: string,
  { collapseDuplicates = false } = {},
): PhonesResult {
  const phones: PhoneDraft[] = [];
  const seen = new Set<string>();
  let primaryIndex = inputs.findIndex((p) => p.primary === true);
  for (const [index, input] of inputs.entries()) {
    const parsed = parsePhone(input.number, region as CountryCode);
    if (!parsed.ok) return { ok: false, index, reason: parsed.reason, input: input.number };
    if (seen.has(parsed.e164)) {
      if (collapseDuplicates) {
        if (primaryIndex === index) primaryIndex = -1;
        continue;
      }
      return { ok: false, index, reason: 'duplicate', input: input.number };
    }
    seen.add(parsed.e164);
    phones.push({
      label: input.label,
      is_primary: index === primaryIndex,
      e164: parsed.e164,
      country: parsed.country,
      line_type: parsed.lineType,
      original: input.number,
    });
  }
  if (phones.length > 0 && !phones.some((p) => p.is_primary)) phones[0]!.is_primary = true;
  return { ok: true, phones };
}

const PHONE_REASONS: Record<PhoneFailureReason | 'duplicate', string> = {
  too_short: 'too short',
  too_long: 'too long',
  invalid_country: 'no country code and none can be assumed',
  not_a_number: 'not a phone number',
  invalid: 'not an assigned number',
  duplicate: 'given twice',
};

export const phoneReasonText = (reason: PhoneFailureReason | 'duplicate') => PHONE_REASONS[reason];
