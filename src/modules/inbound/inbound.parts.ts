import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { InboundSms } from '../../providers/provider.contract.js';
import { lockKey } from './inbound.lock.postgres.js';
import { addressKey } from './inbound.repository.js';
import type { InboundPartTable } from './inbound.table.js';

/**
 * Parts of long inbound messages that a gateway delivers one request per part (Vonage), kept in
 * `inbound_parts` until the whole message is there. A set is (account, sender, concatenation reference).
 * Every step runs in the caller's transaction after `lockPartSet`, so two parts of one set handled at
 * the same time (two API processes on PostgreSQL) see each other: exactly one of them completes it.
 */

export type PartRow = Selectable<InboundPartTable>;

export interface PartSet {
  providerAccountId: string;
  sender: string;
  ref: string;
}

export function partSetOf(providerAccountId: string, sms: InboundSms): PartSet {
  return { providerAccountId, sender: addressKey(sms.from), ref: sms.concat?.ref ?? '' };
}

/** Serialises work on one set until the caller's transaction ends (PostgreSQL; SQLite needs nothing). */
export async function lockPartSet(db: Kysely<Database>, s: PartSet): Promise<void> {
  await lockKey(db, `herald:inbound-parts:${s.providerAccountId}:${s.sender}:${s.ref}`);
}

const inSet = (s: PartSet) =>
  ({
    provider_account_id: s.providerAccountId,
    sender: s.sender,
    concat_ref: s.ref,
  }) as const;

/** Stores a part unless that part of the set is stored already; returns whether it was new. */
export async function insertPart(db: Kysely<Database>, row: InboundPartTable): Promise<boolean> {
  const r = await db
    .insertInto('inbound_parts')
    .values(row)
    .onConflict((oc) => oc.columns(['provider_account_id', 'sender', 'concat_ref', 'part']).doNothing())
    .returning('part')
    .executeTakeFirst();
  return r !== undefined;
}

export async function findPart(db: Kysely<Database>, s: PartSet, part: number) {
  const k = inSet(s);
  return db
    .selectFrom('inbound_parts')
    .selectAll()
    .where('provider_account_id', '=', k.provider_account_id)
    .where('sender', '=', k.sender)
    .where('concat_ref', '=', k.concat_ref)
    .where('part', '=', part)
    .executeTakeFirst();
}

/** The parts of the set still waiting, in part order. */
export async function waitingParts(db: Kysely<Database>, s: PartSet): Promise<PartRow[]> {
  const k = inSet(s);
  return db
    .selectFrom('inbound_parts')
    .selectAll()
    .where('provider_account_id', '=', k.provider_account_id)
    .where('sender', '=', k.sender)
    .where('concat_ref', '=', k.concat_ref)
    .where('inbound_id', 'is', null)
    .orderBy('part')
    .execute();
}

/** Marks the waiting parts of the set as gone into inbound message `inboundId` (kept to recognise replays). */
export async function markPartsJoined(db: Kysely<Database>, s: PartSet, inboundId: string): Promise<void> {
  const k = inSet(s);
  await db
    .updateTable('inbound_parts')
    .set({ inbound_id: inboundId })
    .where('provider_account_id', '=', k.provider_account_id)
    .where('sender', '=', k.sender)
    .where('concat_ref', '=', k.concat_ref)
    .where('inbound_id', 'is', null)
    .execute();
}

/** Forgets the joined parts of the set (its reference is used again for a new message). */
export async function deleteJoinedParts(db: Kysely<Database>, s: PartSet): Promise<void> {
  const k = inSet(s);
  await db
    .deleteFrom('inbound_parts')
    .where('provider_account_id', '=', k.provider_account_id)
    .where('sender', '=', k.sender)
    .where('concat_ref', '=', k.concat_ref)
    .where('inbound_id', 'is not', null)
    .execute();
}

/** Whether every part 1…total of a set is among `rows`. */
export function isComplete(rows: readonly PartRow[], total: number): boolean {
  const have = new Set(rows.map((r) => r.part));
  for (let p = 1; p <= total; p++) if (!have.has(p)) return false;
  return true;
}

/**
 * The message the parts make: their text in part order, sender and recipient of the first part that
 * arrived in order, its gateway id (the lowest part's, so a set flushed twice is stored once), and the
 * time the last part was received.
 */
export function joinParts(rows: readonly PartRow[]): InboundSms {
  const sorted = [...rows].sort((a, b) => a.part - b.part);
  const first = sorted[0]!;
  const receivedAt = sorted.map((r) => r.received_at).reduce((a, b) => (a > b ? a : b));
  return {
    from: first.from_input,
    to: first.to_address,
    text: sorted.map((r) => r.text).join(''),
    receivedAt,
    ...(first.gateway_message_id !== null && { gatewayMessageId: first.gateway_message_id }),
  };
}

/** Sets with parts waiting since before `before` (oldest first), at most `limit`. */
export async function staleSets(db: Kysely<Database>, before: string, limit: number): Promise<PartSet[]> {
  const rows = await db
    .selectFrom('inbound_parts')
    .select(['provider_account_id', 'sender', 'concat_ref'])
    .select((eb) => eb.fn.min('stored_at').as('oldest'))
    .where('inbound_id', 'is', null)
    .where('stored_at', '<', before)
    .groupBy(['provider_account_id', 'sender', 'concat_ref'])
    .orderBy('oldest')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ providerAccountId: r.provider_account_id, sender: r.sender, ref: r.concat_ref }));
}

/** Drops parts of joined messages stored before `before` (they only served to recognise replays). */
export async function pruneJoinedParts(db: Kysely<Database>, before: string): Promise<void> {
  await db
    .deleteFrom('inbound_parts')
    .where('inbound_id', 'is not', null)
    .where('stored_at', '<', before)
    .execute();
}
