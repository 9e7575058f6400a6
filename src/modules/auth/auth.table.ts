export interface SessionTable {
  /** SHA-256 of the session token; the token itself only lives in the browser's cookie. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}
