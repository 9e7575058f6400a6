/** What a keyword asks for. `opt_in_if_opted_out` is YES: an opt-in only for a number that opted out. */
export const KEYWORD_ACTIONS = ['opt_out', 'opt_in', 'opt_in_if_opted_out', 'help'] as const;
export type KeywordAction = (typeof KEYWORD_ACTIONS)[number];

/** What a keyword did. */
export const KEYWORD_EFFECTS = [
  'opted_out',
  'already_opted_out',
  'opted_in',
  'already_opted_in',
  /** YES from a number that had not opted out: nothing done. */
  'not_opted_out',
  'help_sent',
  /** HELP again within 10 minutes of a help text to this number: not answered again (no loops). */
  'help_throttled',
  /** The sender's number could not be parsed: no consent change, no reply. */
  'no_number',
] as const;
export type KeywordEffect = (typeof KEYWORD_EFFECTS)[number];

export interface InboundMessageTable {
  id: string;
  provider_account_id: string;
  gateway_message_id: string | null;
  from_input: string;
  from_e164: string | null;
  to_address: string;
  text: string;
  received_at: string;
  stored_at: string;
  org_unit_id: string;
  contact_id: string | null;
  last_message_id: string | null;
  keyword: string | null;
  keyword_action: KeywordAction | null;
  keyword_effect: KeywordEffect | null;
  consent_event_id: string | null;
  reply_message_id: string | null;
  /** For a message joined from parts (migration 0013): how many parts it had; null when it came whole. */
  parts_total: number | null;
  /** How many of them arrived; less than `parts_total` when the set was flushed incomplete. */
  parts_received: number | null;
}

/** A part of a long inbound message waiting for the others (or kept a while after the join). */
export interface InboundPartTable {
  provider_account_id: string;
  /** `addressKey` of the sender. */
  sender: string;
  concat_ref: string;
  part: number;
  total: number;
  from_input: string;
  to_address: string;
  gateway_message_id: string | null;
  text: string;
  received_at: string;
  stored_at: string;
  /** The inbound message this part went into; null while waiting. */
  inbound_id: string | null;
}

export interface OrgUnitKeywordsTable {
  org_unit_id: string;
  /** JSON `KeywordOverrides`. */
  settings: string;
  updated_by: string | null;
  updated_at: string;
}
