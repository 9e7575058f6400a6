import type { Db } from '../../src/db/db.js';

let seq = 0;
const now = '2026-11-22T09:00:00.000Z';

/**
 * Gives an org unit a route (provider account + sender configuration) by writing the rows directly,
 * unless it already has one. Returns the ids.
 */
export async function ensureRoute(
  db: Db,
  orgUnitId: string,
  opts: { maxParts?: number; pricePerPart?: number | null; currency?: string | null } = {},
): Promise<{ senderConfigId: string; providerAccountId: string }> {
  const unit = await db.kysely
    .selectFrom('org_units')
    .select('sender_config_id')
    .where('id', '=', orgUnitId)
    .executeTakeFirstOrThrow();
  if (unit.sender_config_id) {
    const s = await db.kysely
      .selectFrom('sender_configs')
      .select(['id', 'provider_account_id'])
      .where('id', '=', unit.sender_config_id)
      .executeTakeFirstOrThrow();
    const patch = {
      ...(opts.maxParts !== undefined ? { max_parts: opts.maxParts } : {}),
      ...(opts.pricePerPart !== undefined ? { price_per_part: opts.pricePerPart } : {}),
      ...(opts.currency !== undefined ? { currency: opts.currency } : {}),
    };
    if (Object.keys(patch).length > 0) {
      await db.kysely
        .updateTable('provider_accounts')
        .set(patch)
        .where('id', '=', s.provider_account_id)
        .execute();
    }
    return { senderConfigId: s.id, providerAccountId: s.provider_account_id };
  }
  seq++;
  const providerAccountId = `pa-test-${seq}`;
  const senderConfigId = `sc-test-${seq}`;
  await db.kysely
    .insertInto('provider_accounts')
    .values({
      id: providerAccountId,
      name: `Test gateway ${seq}`,
      kind: 'simulator',
      settings: '{}',
      messages_per_second: 50,
      max_parts: opts.maxParts ?? 10,
      price_per_part: opts.pricePerPart ?? null,
      currency: opts.currency ?? null,
      shift_tables: '[]',
      callback_token: `cb-test-${seq}-${Math.random().toString(36).slice(2)}`,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.kysely
    .insertInto('sender_configs')
    .values({
      id: senderConfigId,
      name: `Test sender ${seq}`,
      provider_account_id: providerAccountId,
      fallback_provider_account_id: null,
      sender_id: 'Herald',
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.kysely
    .updateTable('org_units')
    .set({ sender_config_id: senderConfigId })
    .where('id', '=', orgUnitId)
    .execute();
  return { senderConfigId, providerAccountId };
}

export interface ContactSpec {
  orgUnitId: string;
  name: string;
  kind?: string;
  firstName?: string;
  party?: string;
  department?: string;
  branch?: string;
  status?: string | null;
  attributes?: Record<string, unknown>;
  /** E.164 of the primary phone; `null` for an unparseable stored number; omit for no phone. */
  e164?: string | null;
  original?: string;
}

/** Writes a contact (and its primary phone) directly, as the contacts module would store it. */
export async function insertContact(db: Db, c: ContactSpec): Promise<{ id: string; phoneId: string | null }> {
  seq++;
  const id = `c-test-${String(seq).padStart(6, '0')}`;
  await db.kysely
    .insertInto('contacts')
    .values({
      id,
      org_unit_id: c.orgUnitId,
      kind: (c.kind ?? 'customer_contact') as 'customer_contact',
      name: c.name,
      first_name: c.firstName ?? null,
      last_name: null,
      party: c.party ?? null,
      department: c.department ?? null,
      branch: c.branch ?? null,
      status: c.status ?? null,
      locale: null,
      timezone: null,
      attributes: JSON.stringify(c.attributes ?? {}),
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (c.e164 === undefined) return { id, phoneId: null };
  const phoneId = `p-test-${seq}`;
  await db.kysely
    .insertInto('contact_phones')
    .values({
      id: phoneId,
      contact_id: id,
      org_unit_id: c.orgUnitId,
      label: 'mobile',
      is_primary: true,
      e164: c.e164,
      country: c.e164 ? 'DE' : null,
      line_type: c.e164 ? 'mobile' : null,
      original: c.original ?? c.e164 ?? 'not a number',
      position: 0,
    })
    .execute();
  return { id, phoneId };
}
