import type { ApiKeyTable } from '../modules/api-keys/api-keys.table.js';
import type { SessionTable } from '../modules/auth/auth.table.js';
import type { OrgUnitTable } from '../modules/org-units/org-units.table.js';
import type { SecurityEventTable } from '../modules/security-events/security-events.table.js';
import type { UserOrgUnitTable, UserTable } from '../modules/users/users.table.js';

/** The one Database type: every table Herald stores, as Kysely sees it. */
/** Instance-wide facts such as `setup_completed`. */
export interface InstanceFactTable {
  key: string;
  value: string;
  created_at: string;
}

export interface Database {
  instance_facts: InstanceFactTable;
  org_units: OrgUnitTable;
  users: UserTable;
  user_org_units: UserOrgUnitTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  security_events: SecurityEventTable;
}
