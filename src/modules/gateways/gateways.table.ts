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
  /** Owning org unit; null = shared (system managers manage it, every unit may use it). */
  org_unit_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface SenderConfigTable {
  id: string;
  name: string;
  provider_account_id: string;
  fallback_provider_account_id: string | null;
  sender_id: string;
  /** Owning org unit; null = shared. Its accounts must be shared or owned by this unit or an ancestor. */
  org_unit_id: string | null;
  created_at: string;
  updated_at: string;
}
