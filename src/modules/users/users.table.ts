import type { SqlBool } from '../../db/dialect.js';

export interface UserTable {
  id: string;
  /** Stored lower-cased; unique. */
  email: string;
  name: string;
  /** argon2id PHC string. */
  password_hash: string;
  /** JSON array of role names. */
  roles: string;
  active: SqlBool;
  created_at: string;
  updated_at: string;
}

export interface UserOrgUnitTable {
  user_id: string;
  org_unit_id: string;
}
