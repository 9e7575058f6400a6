/**
 * Consent rules (pure). Opted-out numbers are always blocked; categories the org unit lists as
 * requiring consent need an explicit opt-in; other categories (e.g. transactional, by default)
 * may go to numbers whose consent is unknown.
 */
export type ConsentStateValue = 'opted_in' | 'opted_out' | 'unknown';

export type ConsentDecision = 'ok' | 'no_consent' | 'opted_out';

/**
 * The category of Herald's own answer to a keyword (STOP/START confirmation, HELP text). It is not a
 * category users or API clients can send with; the dispatch policy sends these even to a number that
 * opted out (the answer to its own STOP), through the account the keyword arrived on. `consentDecision`
 * does not exempt it, so a copy made any other way (a resend) is checked like any message.
 */
export const KEYWORD_REPLY_CATEGORY = 'keyword_reply';

export function consentDecision(
  state: ConsentStateValue | undefined,
  category: string,
  requiredCategories: readonly string[],
): ConsentDecision {
  if (state === 'opted_out') return 'opted_out';
  if (state === 'opted_in') return 'ok';
  return requiredCategories.includes(category) ? 'no_consent' : 'ok';
}
