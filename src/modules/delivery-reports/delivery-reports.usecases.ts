import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import {
  applyStatus,
  type IgnoredReason,
  isFinal,
  isMessageStatus,
  type MessageStatus,
} from '../../core/status/index.js';
import type { Database } from '../../db/database.js';
import type { CallbackRequest, ProviderDeps } from '../../providers/provider.contract.js';
import { normalizeGatewayId } from '../../providers/provider.contract.js';
import { findProviderAccountByCallbackToken } from '../gateways/gateways.repository.js';
import { openProvider } from '../gateways/gateways.usecases.js';

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
}

/** A status change rarely races another; after this many lost races something is wrong. */
const MAX_RACES = 5;

/**
 * Moves a message to `to` through the status machine (`applyStatus`: monotonic, final stays final)
 * and always records the attempt in `message_events` — applied or not, so a late `sent` after
 * `delivered` shows in the history. In the event, `reason` is the caller's reason when applied, else
 * why it was ignored. When applied: `status`, `status_reason` (`reason` or null), `updated_at`,
 * `final_at` (final statuses) and, if given, `error_code`/`error_text` change.
 *
 * Runs in the caller's transaction, or opens one. The update is conditional on the status it read,
 * so two concurrent reports never both apply from the same status (the loser re-reads and decides
 * again). Throws `message.not_found`.
 */
export async function applyMessageStatus({
  db,
  clock,
  messageId,
  to,
  source,
  reason,
  details,
  error,
}: {
  db: Kysely<Database>;
  clock: Clock;
  messageId: string;
  to: MessageStatus;
  /** Who reports it: `dlr`, `worker`, `user`, `system`, … */
  source: string;
  reason?: string | null;
  details?: Record<string, unknown>;
  error?: { code: string; text?: string | null };
}): Promise<ApplyMessageStatusResult> {
  const run = async (trx: Kysely<Database>): Promise<ApplyMessageStatusResult> => {
    for (let race = 0; race < MAX_RACES; race++) {
      const message = await trx
        .selectFrom('messages')
        .select(['id', 'status'])
        .where('id', '=', messageId)
        .executeTakeFirst();
      if (!message) throw new AppError('message.not_found', 'No such message.', { id: messageId });
      if (!isMessageStatus(message.status)) {
        throw new Error(`message ${messageId} has an unknown status`);
      }
      const from = message.status;
      const decision = applyStatus(from, to);
      const now = clock.now().toISOString();
      if (decision.changed) {
        const result = await trx
          .updateTable('messages')
          .set({
            status: to,
            status_reason: reason ?? null,
            updated_at: now,
            ...(isFinal(to) ? { final_at: now } : {}),
            ...(error ? { error_code: error.code, error_text: error.text ?? null } : {}),
          })
          .where('id', '=', messageId)
          .where('status', '=', from)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) continue; // changed meanwhile: decide again
      }
      const eventId = newId();
      await trx
        .insertInto('message_events')
        .values({
          id: eventId,
          message_id: messageId,
          occurred_at: now,
          from_status: from,
          to_status: to,
          applied: decision.changed,
          reason: decision.changed ? (reason ?? null) : decision.ignoredReason,
          source,
          details: JSON.stringify(details ?? {}),
        })
        .execute();
      return decision.changed
        ? { applied: true, from, status: decision.status, eventId }
        : { applied: false, from, status: decision.status, ignoredReason: decision.ignoredReason, eventId };
    }
    throw new Error(`the status of message ${messageId} kept changing`);
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

export interface DeliveryReportResult {
  /** Reports that changed a message's status. */
  applied: number;
  /** Reports that changed nothing: duplicates, late reports, and those matching no message. */
  ignored: number;
  /** The part of `ignored` whose gateway id matched no message of this account (yet). */
  unmatched: number;
}

/**
 * Handles a delivery report posted to an account's callback URL: finds the account by its token,
 * lets its adapter verify and parse the request, then applies each report to the message with that
 * gateway id (compared in normalised form), all in one transaction. Nothing is written when the
 * token, signature or payload is bad (`callback.not_found`, `callback.invalid_signature`,
 * `callback.invalid_payload`).
 */
export async function receiveDeliveryReport({
  db,
  clock,
  logger,
  token,
  request,
  providerDeps,
}: {
  db: Kysely<Database>;
  clock: Clock;
  logger?: Logger;
  token: string;
  request: CallbackRequest;
  providerDeps?: Partial<ProviderDeps>;
}): Promise<DeliveryReportResult> {
  const account = await findProviderAccountByCallbackToken(db, token);
  if (!account) throw new AppError('callback.not_found', 'Not found.');
  const provider = openProvider(account, providerDeps);
  let parsed: ReturnType<typeof provider.parseDeliveryReport>;
  try {
    parsed = provider.parseDeliveryReport(request);
  } finally {
    await provider.close();
  }
  if (!parsed.ok) {
    logger?.warn('delivery report refused', { providerAccountId: account.id, reason: parsed.reason });
    throw parsed.reason === 'invalid_signature'
      ? new AppError('callback.invalid_signature', 'The report signature is not valid.')
      : new AppError('callback.invalid_payload', 'The report could not be read.');
  }
  const reports = parsed.reports;
  return db.transaction().execute(async (trx) => {
    const result: DeliveryReportResult = { applied: 0, ignored: 0, unmatched: 0 };
    for (const report of reports) {
      const normalised = normalizeGatewayId(report.gatewayId);
      const message = await trx
        .selectFrom('messages')
        .select('id')
        .where('provider_account_id', '=', account.id)
        .where('gateway_message_id', 'in', [...new Set([normalised, report.gatewayId])])
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!message) {
        result.ignored++;
        result.unmatched++;
        continue;
      }
      const applied = await applyMessageStatus({
        db: trx,
        clock,
        messageId: message.id,
        to: report.status,
        source: 'dlr',
        details: {
          providerAccountId: account.id,
          gatewayId: report.gatewayId,
          ...(report.at !== undefined ? { reportedAt: report.at } : {}),
          ...(report.part !== undefined ? { part: report.part } : {}),
          ...(report.errorCode !== undefined ? { errorCode: report.errorCode } : {}),
        },
        ...(report.errorCode !== undefined ? { error: { code: report.errorCode } } : {}),
      });
      if (applied.applied) result.applied++;
      else result.ignored++;
    }
    return result;
  });
}
