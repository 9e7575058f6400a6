/**
 * Consent rules (pure). Opted-out numbers are always blocked; categories the org unit lists as
 * requiring consent need an explicit opt-in; other categories (e.g. transactional, by default)
 * may go to numbers whose consent is unknown.
 */
export type ConsentStateValue = 'opted_in' | 'opted_out' | 'unknown';

export type ConsentDecision = 'ok' | 'no_consent' | 'opted_out';

export function consentDecision(
  state: ConsentStateValue | undefined,
  category: string,
  requiredCategories: readonly string[],
): ConsentDecision {
  if (state === 'opted_out') return 'opted_out';
  if (state === 'opted_in') return 'ok';
  return requiredCategories.includes(category) ? 'no_consent' : 'ok';
}
