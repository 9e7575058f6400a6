import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { MessageStatus } from '../../core/status/index.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import type { EventBus } from '../events/events.bus.js';
import { type CommittedStatusChange, publishStatusChanges } from '../events/events.publish.js';
import {
  CANCELABLE_STATUSES,
  insertMessageEvents,
  markBatchMessagesCanceled,
} from '../messages/messages.repository.js';
import { actorDetails, requireLogReader } from '../messages/messages.usecases.js';
import {
  type BatchRow,
  findBatch,
  listBatches,
  markBatchCanceled,
  recipientsOfBatch,
  statusCountsOfBatches,
} from './batches.repository.js';
import type { BatchDetailView, BatchQuery, BatchView } from './batches.schemas.js';

/**
 * How the SMS Log counts a batch's messages, by their CURRENT status. The groups partition the statuses
 * (every message is in exactly one), except `delivered`, which is also part of `sent`:
 * sent + failed + blocked + pending + canceled = messageCount.
 */
export const STATUS_GROUPS = {
  /** "Numbers actually sent": the gateway has the message and nothing says it failed. */
  sent: ['accepted', 'sent', 'delivered'],
  delivered: ['delivered'],
  failed: ['undelivered', 'rejected', 'failed', 'status_timeout', 'expired'],
  blocked: ['blocked'],
  pending: ['scheduled', 'queued', 'sending', 'unknown'],
  canceled: ['canceled'],
} as const satisfies Record<string, readonly MessageStatus[]>;

const sum = (counts: ReadonlyMap<string, number> | undefined, statuses: readonly string[]) =>
  statuses.reduce((n, s) => n + (counts?.get(s) ?? 0), 0);

export const toBatchView = (b: BatchRow, counts: ReadonlyMap<string, number> | undefined): BatchView => ({
  id: b.id,
  orgUnitId: b.org_unit_id,
  senderName: b.sender_name,
  senderType: b.sender_type,
  sentOn: b.created_at,
  scheduledAt: b.scheduled_at,
  canceledAt: b.canceled_at,
  message: b.message,
  category: b.category,
  templateId: b.template_id,
  requestedCount: b.requested_count,
  messageCount: [...(counts?.values() ?? [])].reduce((a, n) => a + n, 0),
  sentCount: sum(counts, STATUS_GROUPS.sent),
  deliveredCount: sum(counts, STATUS_GROUPS.delivered),
  failedCount: sum(counts, STATUS_GROUPS.failed),
  blockedCount: sum(counts, STATUS_GROUPS.blocked),
  pendingCount: sum(counts, STATUS_GROUPS.pending),
  canceledCount: sum(counts, STATUS_GROUPS.canceled),
  canCancel: sum(counts, CANCELABLE_STATUSES) > 0,
});

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

/** The SMS Log: send actions newest first, each with its message counts (one grouped query per page). */
export async function browseBatches({
  db,
  principal,
  query,
}: Deps & { query: BatchQuery }): Promise<{ items: BatchView[]; nextCursor: string | null }> {
  requireLogReader(principal);
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
    throw new AppError('validation.failed', 'to: must be after from', {
      issues: [{ path: ['to'], message: 'must be after from' }],
    });
  }
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const rows = await listBatches(
    db,
    principal.orgScope,
    {
      orgUnitIds: query.orgUnitId?.length ? query.orgUnitId : undefined,
      from: query.from,
      to: query.to,
      q: query.q,
      senderName: query.senderName,
    },
    { limit: query.limit + 1, before: c ? { createdAt: c[0]!, id: c[1]! } : undefined },
  );
  const page = rows.slice(0, query.limit);
  const counts = await statusCountsOfBatches(
    db,
    principal.orgScope,
    page.map((b) => b.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((b) => toBatchView(b, counts.get(b.id))),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

const notFound = (id: string) => new AppError('batch.not_found', 'No such batch.', { id });

async function batchView(db: Kysely<Database>, principal: Principal, id: string): Promise<BatchView> {
  const batch = await findBatch(db, principal.orgScope, id);
  if (!batch) throw notFound(id);
  const counts = await statusCountsOfBatches(db, principal.orgScope, [id]);
  return toBatchView(batch, counts.get(id));
}

/** One SMS Log entry with the numbers requested and the numbers actually sent. */
export async function getBatch({ db, principal, id }: Deps & { id: string }): Promise<BatchDetailView> {
  requireLogReader(principal);
  const view = await batchView(db, principal, id);
  const recipients = await recipientsOfBatch(db, principal.orgScope, id);
  const sent = new Set<string>(STATUS_GROUPS.sent);
  return {
    ...view,
    requestedNumbers: recipients.map((r) => r.to_input),
    sentNumbers: recipients.filter((r) => sent.has(r.status)).map((r) => r.to_e164 ?? r.to_input),
  };
}

/**
 * Cancels every message of the batch that is still scheduled or queued, in one transaction, each by a
 * conditional update (a message a worker claimed meanwhile is left alone), with a history row per
 * message. `batch.not_cancelable` when none could be canceled (nothing is written then).
 */
export async function cancelBatch({
  db,
  clock,
  principal,
  id,
  bus,
}: Deps & { clock: Clock; id: string; bus?: EventBus }): Promise<{ canceled: number; batch: BatchView }> {
  requirePermission(principal, 'messages.send');
  const changes: CommittedStatusChange[] = [];
  const canceled = await db.transaction().execute(async (trx) => {
    const batch = await findBatch(trx, principal.orgScope, id);
    if (!batch) throw notFound(id);
    const now = clock.now().toISOString();
    const details = JSON.stringify({ ...actorDetails(principal), batchId: id });
    let n = 0;
    // scheduled first: one that turns queued between the two statements is still caught by the second.
    for (const from of CANCELABLE_STATUSES) {
      const ids = await markBatchMessagesCanceled(trx, principal.orgScope, id, from, now);
      n += ids.length;
      const events = ids.map((messageId) => ({
        id: newId(),
        message_id: messageId,
        occurred_at: now,
        from_status: from,
        to_status: 'canceled',
        applied: true,
        reason: null,
        source: 'user',
        details,
      }));
      await insertMessageEvents(trx, events);
      for (const e of events) {
        changes.push({
          eventId: e.id,
          messageId: e.message_id,
          orgUnitId: batch.org_unit_id,
          batchId: id,
          from,
          to: 'canceled',
          applied: true,
          at: now,
        });
      }
    }
    if (n === 0) {
      throw new AppError('batch.not_cancelable', 'No message of this batch is still scheduled or queued.', {
        id,
      });
    }
    await markBatchCanceled(trx, principal.orgScope, id, now);
    return n;
  });
  // After the commit: SSE streams and webhooks learn of each canceled message (and a completed batch).
  if (bus) await publishStatusChanges({ db, bus, clock, changes });
  return { canceled, batch: await batchView(db, principal, id) };
}
