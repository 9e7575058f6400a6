export interface ApiKeyTable {
  id: string;
  name: string;
  /** Public, non-secret start of the key (`hk_XXXXXXXX`), shown in lists so users can tell keys apart. */
  prefix: string;
  /** SHA-256 (hex) of the full key. Keys carry 256 bits of randomness, so a fast hash is safe here. */
  secret_hash: string;
  /** JSON array of permission names. */
  permissions: string;
  /** JSON array of org unit ids the key may act for (descendants included). */
  org_unit_ids: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}
