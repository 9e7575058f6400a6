import type { ContactKind } from '../contacts/contacts.table.js';

/**
 * The SMS Center's "Send To" groups, as users of ERPNext know them. Each picks contacts by kind and,
 * for leads and employees, by status.
 */
export const RECIPIENT_GROUPS = {
  all_contacts: { label: 'All Contact', kinds: null, status: null },
  all_customer_contacts: { label: 'All Customer Contact', kinds: ['customer_contact'], status: null },
  all_supplier_contacts: { label: 'All Supplier Contact', kinds: ['supplier_contact'], status: null },
  all_sales_partner_contacts: {
    label: 'All Sales Partner Contact',
    kinds: ['sales_partner_contact'],
    status: null,
  },
  all_leads_open: { label: 'All Lead (Open)', kinds: ['lead'], status: 'open' },
  all_employees_active: { label: 'All Employee (Active)', kinds: ['employee'], status: 'active' },
  all_sales_persons: { label: 'All Sales Person', kinds: ['sales_person'], status: null },
} as const satisfies Record<
  string,
  { label: string; kinds: readonly ContactKind[] | null; status: string | null }
>;

export type RecipientGroup = keyof typeof RECIPIENT_GROUPS;
export const RECIPIENT_GROUP_NAMES = Object.keys(RECIPIENT_GROUPS) as [RecipientGroup, ...RecipientGroup[]];

/** Narrowing filters of the SMS Center, applied on top of a group. */
export interface RecipientFilters {
  /** Only contacts of this customer (party of customer contacts). */
  customer?: string;
  supplier?: string;
  salesPartner?: string;
  department?: string;
  branch?: string;
  /** Only contacts of these org units (each must be visible to the sender). */
  orgUnitIds?: string[];
}

/** Eligibility of one resolved recipient, as "Create receiver list" reports it. */
export const ELIGIBILITY = [
  'ok',
  'no_phone',
  'invalid_phone',
  'no_consent',
  'opted_out',
  'duplicate',
  'sending_disabled',
  'sender_not_configured',
] as const;
export type Eligibility = (typeof ELIGIBILITY)[number];
