import type { Schemas } from '../../api/client';
import { type MessageKey, t } from '../../i18n';

export type Contact = Schemas['Contact'];
export type ContactKind = Contact['kind'];

export const CONTACT_KINDS: ContactKind[] = [
  'customer_contact',
  'supplier_contact',
  'sales_partner_contact',
  'lead',
  'employee',
  'sales_person',
  'other',
];

export const kindLabel = (k: string) => t(`kind.${k}` as MessageKey);
export const kindOptions = () => CONTACT_KINDS.map((k) => ({ value: k, label: kindLabel(k) }));

/** The primary number (E.164 when it parsed), or the first one. */
export const primaryPhone = (c: Pick<Contact, 'phones'>) => {
  const p = c.phones.find((x) => x.primary) ?? c.phones[0];
  return p ? (p.e164 ?? p.original) : '';
};
