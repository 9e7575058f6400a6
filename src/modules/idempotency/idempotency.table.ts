export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  endpoint: string;
  request_hash: string;
  /** in_progress | done */
  state: string;
  response_status: number | null;
  response_body: string | null;
  created_at: string;
  expires_at: string;
}
