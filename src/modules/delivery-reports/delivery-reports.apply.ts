import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  applyStatus,
  type IgnoredReason,
  isFinal,
  isMessageStatus,
  type MessageStatus,
} from '../../core/status/index.js';
import type { Database } from '../../db/database.js';
import { changes, first, type Ops, rows, runOps } from '../../db/ops.js';
import type { DeliveryReport } from '../../providers/provider.contract.js';
import type { CommittedStatusChange } from '../events/events.publish.js';
import { aggregateParts, partStatusAfter } from './delivery-reports.parts.js';

export interface ApplyMessageStatusResult {
  /** The status changed. */
  applied: boolean;
  from: MessageStatus;
  /** The message's status afterwards. */
  status: MessageStatus;
  /** Why it did not change (duplicate, late, final, not a transition). */
  ignoredReason?: IgnoredReason;
  /** The `message_events` row written. */
  eventId: string;
  /** What to hand to `publishStatusChanges` once the transaction has committed. */
  change: CommittedStatusChange;
}

/** A status change rarely races another; after this many lost races something is wrong. */
const MAX_RACES = 5;

export interface ApplyMessageStatusArgs {
  clock: Clock;
  messageId: string;
  to: MessageStatus;
  /** Who reports it: `dlr`, `worker`, `user`, `system`, … */
  source: string;
  reason?: string | null;
  details?: Record<string, unknown>;
  error?: { code: string; text?: string | null };
}

/**
 * Moves a message to `to` through the status machine (`applyStatus`: monotonic, final stays final)
 * and always records the attempt in `message_events` — applied or not, so a late `sent` after
 * `delivered` shows in the history. In the event, `reason` is the caller's reason when applied, else
 * why it was ignored. When applied: `status`, `status_reason` (`reason` or null), `updated_at`,
 * `final_at` (final statuses) and, if given, `error_code`/`error_text` change.
 *
 * Runs in the caller's transaction, or opens one. The update is conditional on the status it read,
 * so two concurrent reports never both apply from the same status (the loser re-reads and decides
 * again). Throws `message.not_found`. Publishes nothing: pass `result.change` to
 * `publishStatusChanges` after the commit.
 */
export async function applyMessageStatus({
  db,
  ...args
}: ApplyMessageStatusArgs & { db: Kysely<Database> }): Promise<ApplyMessageStatusResult> {
  const run = (trx: Kysely<Database>) => runOps(trx as Kysely<unknown>, applyMessageStatusOps(trx, args));
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** {@link applyMessageStatus} as a procedure (db/ops.ts): its statements built with `db`, run by the caller's runner. */
export function* applyMessageStatusOps(
  db: Kysely<Database>,
  { clock, messageId, to, source, reason, details, error }: ApplyMessageStatusArgs,
): Ops<ApplyMessageStatusResult> {
  for (let race = 0; race < MAX_RACES; race++) {
    const message = yield* first(
      db
        .selectFrom('messages')
        .select(['id', 'status', 'org_unit_id', 'batch_id'])
        .where('id', '=', messageId),
    );
    if (!message) throw new AppError('message.not_found', 'No such message.', { id: messageId });
    if (!isMessageStatus(message.status)) {
      throw new Error(`message ${messageId} has an unknown status`);
    }
    const from = message.status;
    const decision = applyStatus(from, to);
    const now = clock.now().toISOString();
    if (decision.changed) {
      const updated = yield* changes(
        db
          .updateTable('messages')
          .set({
            status: to,
            status_reason: reason ?? null,
            updated_at: now,
            ...(isFinal(to) ? { final_at: now } : {}),
            ...(error ? { error_code: error.code, error_text: error.text ?? null } : {}),
          })
          .where('id', '=', messageId)
          .where('status', '=', from),
      );
      if (updated === 0) continue; // changed meanwhile: decide again
    }
    const eventId = newId();
    yield* changes(
      db.insertInto('message_events').values({
        id: eventId,
        message_id: messageId,
        occurred_at: now,
        from_status: from,
        to_status: to,
        applied: decision.changed,
        reason: decision.changed ? (reason ?? null) : decision.ignoredReason,
        source,
        details: JSON.stringify(details ?? {}),
      }),
    );
    const change: CommittedStatusChange = {
      eventId,
      messageId,
      orgUnitId: message.org_unit_id,
      batchId: message.batch_id,
      from,
      to,
      applied: decision.changed,
      at: now,
    };
    return decision.changed
      ? { applied: true, from, status: decision.status, eventId, change }
      : {
          applied: false,
          from,
          status: decision.status,
          ignoredReason: decision.ignoredReason,
          eventId,
          change,
        };
  }
  throw new Error(`the status of message ${messageId} kept changing`);
}

export interface ApplyDeliveryReportArgs {
  clock: Clock;
  providerAccountId: string;
  message: { id: string; parts: number };
  report: DeliveryReport;
  /** The report was kept because it arrived before the gateway id was stored. */
  early?: boolean;
}

/**
 * Applies one delivery report to its message, inside the caller's transaction.
 *
 * A report about one part of a multi-part message (`report.part` set, message with more than one part)
 * first updates that part's row in `message_part_reports` (first final verdict per part stays), then
 * moves the message to what its parts add up to (see `aggregateParts`); the history row carries every
 * part's status in `details.partStatuses`. Any other report moves the message directly.
 */
export async function applyDeliveryReport({
  db,
  ...args
}: ApplyDeliveryReportArgs & { db: Kysely<Database> }): Promise<ApplyMessageStatusResult> {
  const run = (trx: Kysely<Database>) => runOps(trx as Kysely<unknown>, applyDeliveryReportOps(trx, args));
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** {@link applyDeliveryReport} as a procedure (db/ops.ts), for the caller's transaction. */
export function* applyDeliveryReportOps(
  db: Kysely<Database>,
  { clock, providerAccountId, message, report, early = false }: ApplyDeliveryReportArgs,
): Ops<ApplyMessageStatusResult> {
  const details: Record<string, unknown> = {
    providerAccountId,
    gatewayId: report.gatewayId,
    ...(report.at !== undefined ? { reportedAt: report.at } : {}),
    ...(report.part !== undefined ? { part: report.part } : {}),
    ...(report.errorCode !== undefined ? { errorCode: report.errorCode } : {}),
    ...(early ? { early: true } : {}),
  };
  if (report.part === undefined || message.parts <= 1) {
    return yield* applyMessageStatusOps(db, {
      clock,
      messageId: message.id,
      to: report.status,
      source: 'dlr',
      details,
      ...(report.errorCode !== undefined ? { error: { code: report.errorCode } } : {}),
    });
  }
  const now = clock.now().toISOString();
  // Take the message's row lock first (a no-op update): two reports about different parts of one
  // message then aggregate one after the other, so neither misses the other's part (PostgreSQL; on
  // SQLite writers are serialised anyway).
  yield* changes(
    db
      .updateTable('messages')
      .set((eb) => ({ updated_at: eb.ref('updated_at') }))
      .where('id', '=', message.id),
  );
  const current = yield* first(
    db
      .selectFrom('message_part_reports')
      .select('status')
      .where('message_id', '=', message.id)
      .where('part', '=', report.part),
  );
  const next = partStatusAfter(current?.status, report.status);
  if (next) {
    const row = {
      status: next,
      error_code: report.errorCode ?? null,
      reported_at: report.at ?? null,
      updated_at: now,
    };
    yield* changes(
      db
        .insertInto('message_part_reports')
        .values({ message_id: message.id, part: report.part, ...row })
        .onConflict((oc) => oc.columns(['message_id', 'part']).doUpdateSet(row)),
    );
  }
  const parts = yield* rows(
    db
      .selectFrom('message_part_reports')
      .select(['part', 'status', 'error_code'])
      .where('message_id', '=', message.id)
      .orderBy('part'),
  );
  const byPart = new Map(parts.map((r) => [r.part, { status: r.status, errorCode: r.error_code }]));
  // A gateway that reports more parts than we counted: all of them must arrive.
  const total = Math.max(message.parts, ...parts.map((r) => r.part));
  const aggregate = aggregateParts(total, byPart);
  const errorCode = aggregate.failingPart?.errorCode;
  return yield* applyMessageStatusOps(db, {
    clock,
    messageId: message.id,
    to: aggregate.status,
    source: 'dlr',
    details: {
      ...details,
      partsTotal: total,
      partStatuses: Object.fromEntries(parts.map((r) => [String(r.part), r.status])),
      ...(aggregate.failingPart ? { failingPart: aggregate.failingPart.part } : {}),
    },
    ...(errorCode ? { error: { code: errorCode } } : {}),
  });
}
