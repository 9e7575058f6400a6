import type { SqlBool } from '../../db/dialect.js';

export interface MessageTable {
  id: string;
  org_unit_id: string;
  batch_id: string | null;
  contact_id: string | null;
  phone_id: string | null;
  to_input: string;
  to_e164: string | null;
  body: string;
  encoding: string;
  parts: number;
  characters: number;
  category: string;
  status: string;
  status_reason: string | null;
  sender_config_id: string | null;
  provider_account_id: string | null;
  sender_id: string | null;
  gateway_message_id: string | null;
  attempts: number;
  scheduled_at: string | null;
  due_at: string | null;
  expires_at: string;
  lease_until: string | null;
  leased_by: string | null;
  reference_type: string | null;
  reference_id: string | null;
  campaign_id: string | null;
  trigger_id: string | null;
  resent_of: string | null;
  resent_by: string | null;
  error_code: string | null;
  error_text: string | null;
  created_by_type: string;
  created_by_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  final_at: string | null;
  /** Set (committed) right before the gateway is called; null while the submit has not started. */
  submit_started_at: import('kysely').ColumnType<string | null, string | null | undefined, string | null>;
  /** Attempts answered "throttled": they do not spend the retry budget. */
  throttled_count: import('kysely').ColumnType<number, number | undefined, number>;
}

export interface MessageEventTable {
  id: string;
  message_id: string;
  occurred_at: string;
  from_status: string | null;
  to_status: string;
  applied: SqlBool;
  reason: string | null;
  source: string;
  details: string;
}
