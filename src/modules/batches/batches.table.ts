/** One send action: the SMS Log entry. */
export interface BatchTable {
  id: string;
  org_unit_id: string;
  sender_type: 'user' | 'api_key';
  sender_ref: string;
  sender_name: string;
  message: string;
  template_id: string | null;
  category: string;
  request: string;
  requested_count: number;
  blocked_count: number;
  scheduled_at: string | null;
  created_at: string;
  canceled_at: string | null;
  /** Set once, when every message of the batch reached a final status. */
  completed_at: import('kysely').ColumnType<string | null, string | null | undefined, string | null>;
}
