export interface ProviderAccountTable {
  id: string;
  name: string;
  /** simulator | http | twilio | vonage | kannel | smpp */
  kind: string;
  /** JSON adapter settings (secrets encrypted by the gateways feature). */
  settings: string;
  messages_per_second: number;
  max_parts: number;
  price_per_part: number | null;
  currency: string | null;
  /** JSON array of national language shift tables the route supports. */
  shift_tables: string;
  /** Unguessable path segment of this account's delivery-report callback URL. */
  callback_token: string;
  created_at: string;
  updated_at: string;
}

export interface SenderConfigTable {
  id: string;
  name: string;
  provider_account_id: string;
  fallback_provider_account_id: string | null;
  sender_id: string;
  created_at: string;
  updated_at: string;
}
