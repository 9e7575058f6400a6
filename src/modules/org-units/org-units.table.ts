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
  created_at: string;
  updated_at: string;
}
