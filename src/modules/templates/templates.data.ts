import type { Selectable } from 'kysely';
import type { ContactPhoneTable, ContactTable } from '../contacts/contacts.table.js';

/** The data a template renders with; one object per recipient (see STANDARD_VARIABLES). */
export interface TemplateData {
  contact: {
    first_name: string | null;
    last_name: string | null;
    name: string;
    party: string | null;
    phone: string | null;
    department: string | null;
    branch: string | null;
    attributes: Record<string, unknown>;
  };
  sender: { name: string; org_unit: string };
  org_unit: { name: string };
  document: Readonly<Record<string, string>>;
  [group: string]: unknown;
}

export type TemplateContact = Pick<
  Selectable<ContactTable>,
  'name' | 'first_name' | 'last_name' | 'party' | 'department' | 'branch' | 'attributes'
>;
export type TemplatePhone = Pick<Selectable<ContactPhoneTable>, 'e164' | 'is_primary' | 'position'>;

export interface TemplateContext {
  /** The user or API key sending (`sender.name`). */
  senderName: string;
  /** The org unit the message is sent for (`sender.org_unit`, `org_unit.name`). */
  orgUnitName: string;
  /** The business document the message is about, values already formatted for the recipient. */
  document?: Readonly<Record<string, string>>;
  /** The number the message goes to (E.164); default: the contact's primary phone. */
  phone?: string | null;
}

/**
 * Maps a contact row and its phones to template data. Pure and cheap (one JSON.parse of the
 * attributes): the send path calls it once per recipient.
 */
export function templateDataForContact(
  contact: TemplateContact,
  phones: readonly TemplatePhone[],
  context: TemplateContext,
): TemplateData {
  return {
    contact: {
      first_name: contact.first_name,
      last_name: contact.last_name,
      name: contact.name,
      party: contact.party,
      phone: context.phone !== undefined ? context.phone : primaryPhone(phones),
      department: contact.department,
      branch: contact.branch,
      attributes: parseAttributes(contact.attributes),
    },
    sender: { name: context.senderName, org_unit: context.orgUnitName },
    org_unit: { name: context.orgUnitName },
    document: context.document ?? {},
  };
}

/** The primary phone's E.164, else the first valid one by position, else null. */
export function primaryPhone(phones: readonly TemplatePhone[]): string | null {
  let best: TemplatePhone | undefined;
  for (const p of phones) {
    if (p.e164 === null) continue;
    if (p.is_primary) return p.e164;
    if (!best || p.position < best.position) best = p;
  }
  return best?.e164 ?? null;
}

function parseAttributes(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
