import type { SqlBool } from '../../db/dialect.js';

export interface OrgUnitTable {
  id: string;
  parent_id: string | null;
  name: string;
  /** ISO 3166-1 alpha-2 region used to parse phone numbers written without a country code. */
  default_region: string;
  /** IANA time zone, used for quiet hours and schedules. */
  timezone: string;
  sending_enabled: SqlBool;
  /** Which sender configuration (gateway account + sender id) sends for this unit; set by the gateways feature. */
  sender_config_id: string | null;
  /** JSON array of message categories that need an explicit opt-in (default `["marketing"]`). */
  consent_required_categories: import('kysely').ColumnType<string, string | undefined, string>;
  /** Longest text (characters) a message of this unit may have; default 1,000. */
  max_text_length: import('kysely').ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}
