import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import type { Principal } from '../auth/auth.permissions.js';
import { requireLogReader } from '../messages/messages.usecases.js';
import { findInbound, type InboundRow, listInbound } from './inbound.repository.js';
import type { InboundQuery } from './inbound.schemas.js';

export function toInboundView(r: InboundRow) {
  return {
    id: r.id,
    orgUnitId: r.org_unit_id,
    providerAccountId: r.provider_account_id,
    gatewayMessageId: r.gateway_message_id,
    from: r.from_input,
    fromE164: r.from_e164,
    to: r.to_address,
    text: r.text,
    receivedAt: r.received_at,
    storedAt: r.stored_at,
    contactId: r.contact_id,
    lastMessageId: r.last_message_id,
    keyword:
      r.keyword !== null && r.keyword_action !== null
        ? {
            keyword: r.keyword,
            action: r.keyword_action,
            effect: r.keyword_effect,
            consentEventId: r.consent_event_id,
            replyMessageId: r.reply_message_id,
          }
        : null,
  };
}
export type InboundView = ReturnType<typeof toInboundView>;

/** Inbound messages of the caller's org units, newest first, keyset paged by (received at, id). */
export async function browseInbound({
  db,
  principal,
  query,
}: {
  db: Kysely<Database>;
  principal: Principal;
  query: InboundQuery;
}): Promise<{ items: InboundView[]; nextCursor: string | null }> {
  requireLogReader(principal);
  const before = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const rows = await listInbound(db, principal.orgScope, {
    ...(query.number ? { number: query.number } : {}),
    ...(query.contactId ? { contactId: query.contactId } : {}),
    ...(query.keyword ? { keyword: query.keyword } : {}),
    ...(query.orgUnitId ? { orgUnitId: query.orgUnitId } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    ...(before ? { before: { receivedAt: before[0]!, id: before[1]! } } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toInboundView),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.received_at, last.id]) : null,
  };
}

export async function getInbound({
  db,
  principal,
  id,
}: {
  db: Kysely<Database>;
  principal: Principal;
  id: string;
}): Promise<InboundView> {
  requireLogReader(principal);
  const row = await findInbound(db, principal.orgScope, id);
  if (!row) throw new AppError('inbound.not_found', 'No such inbound message.', { id });
  return toInboundView(row);
}
