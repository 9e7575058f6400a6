export const CONSENT_STATES = ['opted_in', 'opted_out', 'unknown'] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];
export const CONSENT_SOURCES = ['ui', 'api', 'import', 'keyword', 'provider'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** Append-only: no code path updates or deletes these rows. */
export interface ConsentEventTable {
  id: string;
  e164: string;
  state: ConsentState;
  source: ConsentSource;
  actor_type: string;
  actor_id: string | null;
  occurred_at: string;
  text_version: string | null;
  evidence: string;
}

/** The current state per number, derived from the newest event. */
export interface ConsentStateTable {
  e164: string;
  state: ConsentState;
  last_event_id: string;
  updated_at: string;
}
