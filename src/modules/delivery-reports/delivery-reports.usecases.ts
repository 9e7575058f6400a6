import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import type { CallbackRequest, DeliveryReport, ProviderDeps } from '../../providers/provider.contract.js';
import { normalizeGatewayId } from '../../providers/provider.contract.js';
import type { EventBus } from '../events/events.bus.js';
import { type CommittedStatusChange, publishStatusChanges } from '../events/events.publish.js';
import { findProviderAccountByCallbackToken } from '../gateways/gateways.repository.js';
import { openProvider } from '../gateways/gateways.usecases.js';
import { applyDeliveryReport } from './delivery-reports.apply.js';
import {
  applyEarlyReports,
  DEFAULT_EARLY_REPORT_TTL_HOURS,
  storeEarlyReport,
} from './delivery-reports.early.js';

export {
  type ApplyMessageStatusResult,
  applyDeliveryReport,
  applyMessageStatus,
} from './delivery-reports.apply.js';
export {
  applyEarlyReports,
  type EarlyReportsResult,
  expireEarlyReports,
} from './delivery-reports.early.js';

export interface DeliveryReportResult {
  /** Reports that changed a message's status. */
  applied: number;
  /** Reports that changed nothing: duplicates, late reports, and those matching no message. */
  ignored: number;
  /**
   * The part of `ignored` whose gateway id matched no message of this account (yet). They are kept and
   * applied when the worker stores that gateway id (see `applyEarlyReports`).
   */
  unmatched: number;
}

/** The account's message with this gateway id (compared in normalised form), the newest if several. */
async function messageByGatewayId(db: Kysely<Database>, providerAccountId: string, gatewayId: string) {
  return db
    .selectFrom('messages')
    .select(['id', 'parts'])
    .where('provider_account_id', '=', providerAccountId)
    .where('gateway_message_id', 'in', [...new Set([normalizeGatewayId(gatewayId), gatewayId])])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Handles a delivery report posted to an account's callback URL: finds the account by its token,
 * lets its adapter verify and parse the request, then applies each report to the message with that
 * gateway id (compared in normalised form) through the status machine, all in one transaction, and
 * publishes the changes after the commit. A report matching no message is kept as an early report.
 * Nothing is written when the token, signature or payload is bad (`callback.not_found`,
 * `callback.invalid_signature`, `callback.invalid_payload`).
 */
export async function receiveDeliveryReport({
  db,
  clock,
  logger,
  bus,
  token,
  request,
  providerDeps,
  earlyReportTtlHours = DEFAULT_EARLY_REPORT_TTL_HOURS,
}: {
  db: Kysely<Database>;
  clock: Clock;
  logger?: Logger;
  bus: EventBus;
  token: string;
  request: CallbackRequest;
  providerDeps?: Partial<ProviderDeps>;
  earlyReportTtlHours?: number;
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
  return applyDeliveryReports({
    db,
    clock,
    bus,
    providerAccountId: account.id,
    reports: parsed.reports,
    earlyReportTtlHours,
  });
}

/**
 * Applies parsed delivery reports of one provider account: each to the account's message with that
 * gateway id (normalised), through the status machine (parts aggregated), in one transaction; then
 * publishes the changes. A report matching no message is kept as an early report. Used by the callback
 * route, and by adapters that receive reports over their own connection (SMPP `deliver_sm`).
 */
export async function applyDeliveryReports({
  db,
  clock,
  bus,
  providerAccountId,
  reports,
  earlyReportTtlHours = DEFAULT_EARLY_REPORT_TTL_HOURS,
}: {
  db: Kysely<Database>;
  clock: Clock;
  bus: EventBus;
  providerAccountId: string;
  reports: readonly DeliveryReport[];
  earlyReportTtlHours?: number;
}): Promise<DeliveryReportResult> {
  const kept: DeliveryReport[] = [];
  const changes: CommittedStatusChange[] = [];
  const result = await db.transaction().execute(async (trx) => {
    const out: DeliveryReportResult = { applied: 0, ignored: 0, unmatched: 0 };
    for (const report of reports) {
      const message = await messageByGatewayId(trx, providerAccountId, report.gatewayId);
      if (!message) {
        await storeEarlyReport({ db: trx, clock, providerAccountId, report, ttlHours: earlyReportTtlHours });
        kept.push(report);
        out.ignored++;
        out.unmatched++;
        continue;
      }
      const applied = await applyDeliveryReport({ db: trx, clock, providerAccountId, message, report });
      changes.push(applied.change);
      if (applied.applied) out.applied++;
      else out.ignored++;
    }
    return out;
  });
  await publishStatusChanges({ db, bus, clock, changes });
  // The worker may have stored the gateway id after our lookup but read the early reports before our
  // commit; then nobody would apply what we kept. Looking again after our commit closes that gap (the
  // DELETE … RETURNING in applyEarlyReports makes a double application impossible).
  for (const gatewayId of new Set(kept.map((r) => normalizeGatewayId(r.gatewayId)))) {
    const message = await messageByGatewayId(db, providerAccountId, gatewayId);
    if (message) {
      await applyEarlyReports({
        db,
        clock,
        bus,
        providerAccountId,
        gatewayId,
        messageId: message.id,
        ttlHours: earlyReportTtlHours,
      });
    }
  }
  return result;
}
