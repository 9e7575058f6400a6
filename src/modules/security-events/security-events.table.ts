export interface SecurityEventTable {
  id: string;
  occurred_at: string;
  /** login, login_failed, logout, setup_completed, api_key_created, api_key_revoked, permission_denied, … */
  type: string;
  actor_type: 'user' | 'api_key' | 'anonymous' | 'system';
  actor_id: string | null;
  /** What was acted on, e.g. `api_key:0190…`. */
  target: string | null;
  ip: string | null;
  request_id: string | null;
  /** JSON object with event-specific details (never secrets, never message bodies). */
  details: string;
}
