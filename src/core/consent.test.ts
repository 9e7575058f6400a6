import { describe, expect, it } from 'vitest';
import { consentDecision } from './consent.js';

describe('consentDecision', () => {
  it('blocks opted-out numbers for every category, even ones that need no consent', () => {
    expect(consentDecision('opted_out', 'transactional', [])).toBe('opted_out');
    expect(consentDecision('opted_out', 'marketing', ['marketing'])).toBe('opted_out');
  });
  it('needs an explicit opt-in only for the categories the org unit lists', () => {
    expect(consentDecision('unknown', 'marketing', ['marketing'])).toBe('no_consent');
    expect(consentDecision(undefined, 'marketing', ['marketing'])).toBe('no_consent');
    expect(consentDecision('unknown', 'transactional', ['marketing'])).toBe('ok');
    expect(consentDecision(undefined, 'transactional', ['transactional', 'marketing'])).toBe('no_consent');
    expect(consentDecision('opted_in', 'marketing', ['marketing'])).toBe('ok');
  });
});
