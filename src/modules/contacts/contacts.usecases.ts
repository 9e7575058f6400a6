import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { type CountryCode, parsePhone } from '../../core/phone/index.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { OrgScope, Principal } from '../auth/auth.permissions.js';
import { findOrgUnit, listOrgUnits, type OrgUnitRow } from '../org-units/org-units.repository.js';
import {
  type ContactFilter,
  type ContactPhoneRow,
  type ContactRow,
  deleteContact,
  findContact,
  insertContacts,
  insertPhones,
  listContacts,
  moveContactPhones,
  phonesOfContacts,
  replacePhones,
  updateContact,
} from './contacts.repository.js';
import type { Contact, CreateContact, PhoneInput, UpdateContact } from './contacts.schemas.js';
import type { ContactKind } from './contacts.table.js';
import { type PhoneDraft, parsePhones, phoneReasonText, statusProblem } from './contacts.validate.js';

export const toContact = (r: ContactRow, phones: readonly ContactPhoneRow[]): Contact => ({
  id: r.id,
  orgUnitId: r.org_unit_id,
  kind: r.kind,
  name: r.name,
  firstName: r.first_name,
  lastName: r.last_name,
  party: r.party,
  department: r.department,
  branch: r.branch,
  status: r.status,
  locale: r.locale,
  timezone: r.timezone,
  attributes: JSON.parse(r.attributes) as Contact['attributes'],
  phones: [...phones]
    .sort((a, b) => a.position - b.position)
    .map((p) => ({
      id: p.id,
      label: p.label,
      primary: Boolean(p.is_primary),
      e164: p.e164,
      country: p.country,
      lineType: p.line_type,
      original: p.original,
    })),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

/** The search input of the list and the export, as the routes receive it. */
export interface ContactSearch {
  q?: string | undefined;
  phone?: string | undefined;
  party?: string | undefined;
  kind?: ContactKind[] | undefined;
  department?: string | undefined;
  branch?: string | undefined;
  orgUnitId?: string | undefined;
  status?: string | undefined;
}

/**
 * Turns the search input into repository filters. A phone search is normalised: with `+` it needs no
 * region; a national number is read in the region of the filtered org unit, or of every unit the
 * caller sees (a caller whose units span DE and AT finds `0151…` in either). Not a number at all → 422.
 */
export async function contactFilter(
  db: Kysely<Database>,
  scope: OrgScope,
  s: ContactSearch,
): Promise<ContactFilter> {
  const filter: ContactFilter = {
    ...(s.q ? { q: s.q } : {}),
    ...(s.party ? { party: s.party } : {}),
    ...(s.kind && s.kind.length > 0 ? { kinds: s.kind } : {}),
    ...(s.department ? { department: s.department } : {}),
    ...(s.branch ? { branch: s.branch } : {}),
    ...(s.orgUnitId ? { orgUnitId: s.orgUnitId } : {}),
    ...(s.status ? { status: s.status } : {}),
  };
  if (s.phone) {
    const units = s.orgUnitId
      ? [await findOrgUnit(db, scope, s.orgUnitId)].filter((u): u is OrgUnitRow => u !== undefined)
      : await listOrgUnits(db, scope);
    const regions = [...new Set(units.map((u) => u.default_region))];
    const numbers = new Set<string>();
    let reason = 'not_a_number';
    for (const region of regions.length > 0 ? regions : [undefined]) {
      const parsed = parsePhone(s.phone, region as CountryCode | undefined);
      if (parsed.ok) numbers.add(parsed.e164);
      else reason = parsed.reason;
    }
    if (numbers.size === 0) {
      throw new AppError(
        'contact.invalid_phone',
        `The phone number to search for is not valid (${reason}).`,
        {
          issues: [{ path: ['phone'], message: reason }],
        },
      );
    }
    filter.e164s = [...numbers];
  }
  return filter;
}

export async function browseContacts({
  db,
  principal,
  query,
}: Deps & { query: ContactSearch & { limit: number; cursor?: string | undefined } }) {
  requirePermission(principal, 'contacts.read');
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const filter = await contactFilter(db, principal.orgScope, query);
  const rows = await listContacts(db, principal.orgScope, filter, {
    limit: query.limit + 1,
    ...(c ? { after: { name: c[0]!, id: c[1]! } } : {}),
  });
  const page = rows.slice(0, query.limit);
  const phones = await phonesOfContacts(
    db,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((r) => toContact(r, phones.get(r.id) ?? [])),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.name, last.id]) : null,
  };
}

const notFound = (id: string) => new AppError('contact.not_found', 'No such contact.', { id });

export async function getContact({ db, principal, id }: Deps & { id: string }): Promise<Contact> {
  requirePermission(principal, 'contacts.read');
  const row = await findContact(db, principal.orgScope, id);
  if (!row) throw notFound(id);
  return toContact(row, (await phonesOfContacts(db, [id])).get(id) ?? []);
}

async function unitInScope(db: Kysely<Database>, principal: Principal, id: string): Promise<OrgUnitRow> {
  const unit = await findOrgUnit(db, principal.orgScope, id);
  if (!unit) throw new AppError('org_unit.not_found', 'No such org unit.', { id });
  return unit;
}

function assertStatus(kind: ContactKind, status: string | null): void {
  const problem = statusProblem(kind, status);
  if (problem) {
    throw new AppError('contact.invalid_status', `The status does not fit the kind: ${problem}.`, {
      issues: [{ path: ['status'], message: problem }],
    });
  }
}

/** Parses the numbers or refuses the whole request, naming the phone and why (nothing is stored). */
function phonesOrThrow(inputs: readonly PhoneInput[], region: string): PhoneDraft[] {
  const result = parsePhones(inputs, region);
  if (result.ok) return result.phones;
  const why = phoneReasonText(result.reason);
  throw new AppError('contact.invalid_phone', `phones[${result.index}]: the phone number is ${why}.`, {
    issues: [{ path: ['phones', result.index, 'number'], message: result.reason }],
  });
}

const phoneRows = (contactId: string, orgUnitId: string, phones: readonly PhoneDraft[]) =>
  phones.map((p, position) => ({
    id: newId(),
    contact_id: contactId,
    org_unit_id: orgUnitId,
    position,
    ...p,
  }));

export async function createContact({
  db,
  clock,
  principal,
  input,
}: Deps & { clock: Clock; input: CreateContact }): Promise<Contact> {
  requirePermission(principal, 'contacts.manage');
  assertStatus(input.kind, input.status ?? null);
  return db.transaction().execute(async (trx) => {
    const unit = await unitInScope(trx, principal, input.orgUnitId);
    const phones = phonesOrThrow(input.phones, unit.default_region);
    const now = clock.now().toISOString();
    const row: ContactRow = {
      id: newId(),
      org_unit_id: unit.id,
      kind: input.kind,
      name: input.name,
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      party: input.party ?? null,
      department: input.department ?? null,
      branch: input.branch ?? null,
      status: input.status ?? null,
      locale: input.locale ?? null,
      timezone: input.timezone ?? null,
      attributes: JSON.stringify(input.attributes),
      created_at: now,
      updated_at: now,
    };
    const rows = phoneRows(row.id, unit.id, phones);
    await insertContacts(trx, [row]);
    await insertPhones(trx, rows);
    return toContact(row, rows);
  });
}

/**
 * Changes the given fields; `phones`, when given, replaces every phone (national numbers are read in the
 * region of the unit the contact ends up in). Stored numbers are E.164 already, so a move keeps them.
 */
export async function changeContact({
  db,
  clock,
  principal,
  id,
  patch,
}: Deps & { clock: Clock; id: string; patch: UpdateContact }): Promise<Contact> {
  requirePermission(principal, 'contacts.manage');
  return db.transaction().execute(async (trx) => {
    const current = await findContact(trx, principal.orgScope, id);
    if (!current) throw notFound(id);
    const unit =
      patch.orgUnitId && patch.orgUnitId !== current.org_unit_id
        ? await unitInScope(trx, principal, patch.orgUnitId)
        : undefined;
    const kind = patch.kind ?? current.kind;
    const status = patch.status === undefined ? current.status : patch.status;
    assertStatus(kind, status);
    const pick = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
    const updated: ContactRow = {
      ...current,
      org_unit_id: unit?.id ?? current.org_unit_id,
      kind,
      name: patch.name ?? current.name,
      first_name: pick(patch.firstName, current.first_name),
      last_name: pick(patch.lastName, current.last_name),
      party: pick(patch.party, current.party),
      department: pick(patch.department, current.department),
      branch: pick(patch.branch, current.branch),
      status,
      locale: pick(patch.locale, current.locale),
      timezone: pick(patch.timezone, current.timezone),
      attributes: patch.attributes ? JSON.stringify(patch.attributes) : current.attributes,
      updated_at: clock.now().toISOString(),
    };
    const { id: _id, created_at: _created, ...changes } = updated;
    await updateContact(trx, id, changes);
    if (patch.phones) {
      const region = (unit ?? (await unitInScope(trx, principal, updated.org_unit_id))).default_region;
      await replacePhones(trx, id, phoneRows(id, updated.org_unit_id, phonesOrThrow(patch.phones, region)));
    } else if (unit) {
      await moveContactPhones(trx, id, unit.id);
    }
    return toContact(updated, (await phonesOfContacts(trx, [id])).get(id) ?? []);
  });
}

export async function removeContact({ db, principal, id }: Deps & { id: string }): Promise<void> {
  requirePermission(principal, 'contacts.manage');
  await db.transaction().execute(async (trx) => {
    if (!(await findContact(trx, principal.orgScope, id))) throw notFound(id);
    await deleteContact(trx, id);
  });
}
