import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { type CountryCode, parsePhone } from '../../core/phone/index.js';
import {
  BLOCK_REASON_LABELS,
  canResend,
  isBlockReason,
  isMessageStatus,
  type MessageStatus,
  STATUS_TABLE,
} from '../../core/status/index.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import type { EventBus } from '../events/events.bus.js';
import { type CommittedStatusChange, publishStatusChanges } from '../events/events.publish.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import {
  CANCELABLE_STATUSES,
  findMessage,
  insertMessageEvents,
  keyArity,
  keyOf,
  listMessages,
  type MessageFilter,
  type MessageRow,
  markMessageCanceled,
  messageHistory,
} from './messages.repository.js';
import type {
  MessageDetailView,
  MessageEventView,
  MessageQuery,
  MessageSort,
  MessageView,
} from './messages.schemas.js';
import type { MessageEventTable } from './messages.table.js';

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

/** Reading messages and the SMS Log needs `messages.read` or `log.read` (auditors have the latter). */
export function requireLogReader(principal: Principal): void {
  if (principal.permissions.has('log.read')) return;
  requirePermission(principal, 'messages.read');
}

const isCancelable = (status: string): status is (typeof CANCELABLE_STATUSES)[number] =>
  (CANCELABLE_STATUSES as readonly string[]).includes(status);

export const statusLabel = (status: string): string =>
  isMessageStatus(status) ? STATUS_TABLE[status].label : status;

export const toMessageView = (r: MessageRow): MessageView => ({
  id: r.id,
  to: r.to_e164 ?? r.to_input,
  body: r.body,
  encoding: r.encoding,
  parts: r.parts,
  characters: r.characters,
  status: r.status as MessageStatus,
  statusLabel: statusLabel(r.status),
  statusReason: r.status_reason,
  statusReasonLabel: isBlockReason(r.status_reason) ? BLOCK_REASON_LABELS[r.status_reason] : null,
  category: r.category,
  orgUnitId: r.org_unit_id,
  batchId: r.batch_id,
  contactId: r.contact_id,
  reference:
    r.reference_type !== null && r.reference_id !== null
      ? { type: r.reference_type, id: r.reference_id }
      : null,
  gateway: { providerAccountId: r.provider_account_id, messageId: r.gateway_message_id },
  attempts: r.attempts,
  createdAt: r.created_at,
  scheduledAt: r.scheduled_at,
  submittedAt: r.submitted_at,
  finalAt: r.final_at,
  resentOf: r.resent_of,
  resentBy: r.resent_by,
  // A message is resent at most once.
  canResend: isMessageStatus(r.status) && canResend(r.status) && r.resent_by === null,
  canCancel: isCancelable(r.status),
});

const toEventView = (e: Selectable<MessageEventTable>): MessageEventView => ({
  id: e.id,
  occurredAt: e.occurred_at,
  fromStatus: e.from_status,
  toStatus: e.to_status,
  toStatusLabel: statusLabel(e.to_status),
  applied: Boolean(e.applied),
  reason: e.reason,
  source: e.source,
  details: JSON.parse(e.details) as Record<string, unknown>,
});

/** How far back a text search looks when the caller gives no `from` (see docs/messages.md). */
export const TEXT_SEARCH_DEFAULT_DAYS = 14;

const invalid = (field: string, message: string) =>
  new AppError('validation.failed', `${field}: ${message}`, { issues: [{ path: [field], message }] });

/**
 * Turns the validated query into repository filters: resolves the phone number, checks combinations,
 * and bounds a text search to a window when none is given.
 */
export async function messageFilterOf(
  db: Kysely<Database>,
  principal: Principal,
  query: MessageQuery,
  now: Date,
): Promise<MessageFilter> {
  if (query.referenceId !== undefined && query.referenceType === undefined) {
    throw invalid('referenceId', 'give referenceType too (e.g. invoice)');
  }
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
    throw invalid('to', 'must be after from');
  }
  const filter: MessageFilter = {
    from: query.from,
    to: query.to,
    statuses: query.status?.length ? query.status : undefined,
    orgUnitIds: query.orgUnitId?.length ? query.orgUnitId : undefined,
    batchId: query.batchId,
    contactId: query.contactId,
    referenceType: query.referenceType,
    referenceId: query.referenceId,
    resent: query.resent,
    categories: query.category?.length ? query.category : undefined,
  };
  if (query.q) {
    filter.q = query.q;
    filter.from ??= new Date(now.getTime() - TEXT_SEARCH_DEFAULT_DAYS * 86_400_000).toISOString();
  }
  if (query.phone !== undefined) {
    const e164 = await resolvePhone(db, principal, query.phone, filter.orgUnitIds);
    if (e164) filter.e164 = e164;
    else filter.toInput = query.phone.trim();
  }
  return filter;
}

/**
 * A number with `+` parses on its own; a national one (or one with the region's international prefix,
 * `0049…` in DE) parses in the default region of the one org unit the caller filters on. Anything else
 * is matched as it was requested (`to_input`).
 */
async function resolvePhone(
  db: Kysely<Database>,
  principal: Principal,
  phone: string,
  orgUnitIds: readonly string[] | undefined,
): Promise<string | undefined> {
  const plain = parsePhone(phone);
  if (plain.ok) return plain.e164;
  if (orgUnitIds?.length !== 1) return undefined;
  const unit = await findOrgUnit(db, principal.orgScope, orgUnitIds[0]!);
  if (!unit) return undefined;
  const national = parsePhone(phone, unit.default_region as CountryCode);
  return national.ok ? national.e164 : undefined;
}

function decodeMessageCursor(cursor: string, sort: MessageSort): string[] {
  const values = decodeCursor(cursor, keyArity(sort) + 1);
  if (values[0] !== sort) {
    throw new AppError('validation.failed', 'The cursor belongs to another sort; start again without it.', {
      issues: [{ path: ['cursor'], message: 'cursor of another sort' }],
    });
  }
  return values.slice(1);
}

/** The message list: filters, sort, keyset pages. */
export async function browseMessages({
  db,
  principal,
  clock,
  query,
}: Deps & { clock: Clock; query: MessageQuery }): Promise<{
  items: MessageView[];
  nextCursor: string | null;
}> {
  requireLogReader(principal);
  const filter = await messageFilterOf(db, principal, query, clock.now());
  const after = query.cursor ? decodeMessageCursor(query.cursor, query.sort) : undefined;
  const rows = await listMessages(db, principal.orgScope, filter, {
    sort: query.sort,
    limit: query.limit + 1,
    after,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toMessageView),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor([query.sort, ...keyOf(query.sort, last)]) : null,
  };
}

const notFound = (id: string) => new AppError('message.not_found', 'No such message.', { id });

/** One message with its full status history (oldest first). Other units' messages do not exist here. */
export async function getMessage({ db, principal, id }: Deps & { id: string }): Promise<MessageDetailView> {
  requireLogReader(principal);
  const row = await findMessage(db, principal.orgScope, id);
  if (!row) throw notFound(id);
  const history = await messageHistory(db, principal.orgScope, id);
  return {
    ...toMessageView(row),
    senderId: row.sender_id,
    expiresAt: row.expires_at,
    error:
      row.error_code === null && row.error_text === null
        ? null
        : { code: row.error_code, text: row.error_text },
    history: history.map(toEventView),
  };
}

/** Who did it, for the `details` of a history row. */
export const actorDetails = (principal: Principal) => ({
  actor: { type: principal.kind, id: principal.id, name: principal.name },
});

/**
 * Cancels a message that is still `scheduled` or `queued`. The update is conditional on the status just
 * read, inside one transaction, so a message a worker claimed meanwhile (now `sending`) is left alone
 * and the caller gets `message.not_cancelable` with its current status. A `scheduled` message that
 * became `queued` in between is read again and canceled from `queued`, so its history stays exact.
 */
export async function cancelMessage({
  db,
  clock,
  principal,
  id,
  bus,
}: Deps & { clock: Clock; id: string; bus?: EventBus }): Promise<MessageView> {
  requirePermission(principal, 'messages.send');
  let change: CommittedStatusChange | undefined;
  const view = await db.transaction().execute(async (trx) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = await findMessage(trx, principal.orgScope, id);
      if (!row) throw notFound(id);
      if (!isCancelable(row.status)) break;
      const now = clock.now().toISOString();
      if (await markMessageCanceled(trx, principal.orgScope, id, row.status, now)) {
        const eventId = newId();
        change = {
          eventId,
          messageId: id,
          orgUnitId: row.org_unit_id,
          batchId: row.batch_id,
          from: row.status,
          to: 'canceled',
          applied: true,
          at: now,
        };
        await insertMessageEvents(trx, [
          {
            id: eventId,
            message_id: id,
            occurred_at: now,
            from_status: row.status,
            to_status: 'canceled',
            applied: true,
            reason: null,
            source: 'user',
            details: JSON.stringify(actorDetails(principal)),
          },
        ]);
        return toMessageView({ ...row, status: 'canceled', status_reason: null, final_at: now });
      }
    }
    const current = await findMessage(trx, principal.orgScope, id);
    if (!current) throw notFound(id);
    throw new AppError(
      'message.not_cancelable',
      `Only a scheduled or queued message can be canceled; this one is ${statusLabel(current.status)}.`,
      { id, messageStatus: current.status },
    );
  });
  // After the commit: live streams and webhooks see the cancel.
  if (bus && change) await publishStatusChanges({ db, bus, clock, changes: [change] });
  return view;
}
