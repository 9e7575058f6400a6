import type { SqlBool } from '../../db/dialect.js';

export const CONTACT_KINDS = [
  'customer_contact',
  'supplier_contact',
  'sales_partner_contact',
  'lead',
  'employee',
  'sales_person',
  'other',
] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** Status values by kind: leads are open/converted/lost, employees active/left; other kinds have none. */
export const CONTACT_STATUSES = {
  lead: ['open', 'converted', 'lost'],
  employee: ['active', 'left'],
} as const;

export interface ContactTable {
  id: string;
  org_unit_id: string;
  kind: ContactKind;
  name: string;
  first_name: string | null;
  last_name: string | null;
  /** The customer / supplier / sales partner this contact belongs to. */
  party: string | null;
  department: string | null;
  branch: string | null;
  status: string | null;
  locale: string | null;
  timezone: string | null;
  /** JSON object of free attributes, usable as `{{contact.attributes.<key>}}`. */
  attributes: string;
  created_at: string;
  updated_at: string;
}

export interface ContactPhoneTable {
  id: string;
  contact_id: string;
  org_unit_id: string;
  label: string;
  is_primary: SqlBool;
  e164: string | null;
  country: string | null;
  line_type: string | null;
  original: string;
  position: number;
}

export interface ImportJobTable {
  id: string;
  org_unit_id: string;
  created_by: string;
  /** running | done | failed */
  state: string;
  options: string;
  rows_total: number;
  rows_imported: number;
  rows_duplicate: number;
  rows_failed: number;
  bytes_read: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface ImportRowErrorTable {
  job_id: string;
  /** 1-based data row (the header is not counted). */
  row_number: number;
  /** `duplicate`, `invalid`, `invalid_phone`, `no_phone`, `invalid_status`, `invalid_consent`, `columns`, `invalid_csv`. */
  kind: string;
  message: string;
  /** The row as it was in the file (truncated), so the uploader can find and fix it. */
  raw: string | null;
  /** The CSV line the row starts on (added by 0003_contacts_search). */
  line_number: number | null;
}
