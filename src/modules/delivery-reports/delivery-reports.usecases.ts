import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SecretBox } from '../../core/secrets.js';
import type { Database } from '../../db/database.js';
import { changes, first, type Ops, opsRunnerFor, runOps } from '../../db/ops.js';
import type { CallbackRequest, DeliveryReport, ProviderDeps } from '../../providers/provider.contract.js';
import { normalizeGatewayId } from '../../providers/provider.contract.js';
import type { EventBus } from '../events/events.bus.js';
import { type CommittedStatusChange, publishStatusChanges } from '../events/events.publish.js';
import { findProviderAccountByCallbackToken } from '../gateways/gateways.repository.js';
import { openProvider } from '../gateways/gateways.usecases.js';
import { applyDeliveryReportOps } from './delivery-reports.apply.js';
import {
  applyEarlyReports,
  DEFAULT_EARLY_REPORT_TTL_HOURS,
  storeEarlyReportOps,
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
  /**
   * The part of `ignored` that was received before (the same report posted again: the gateway's retry,
   * or a replayed request): dropped without a trace in the message's history.
   */
  duplicates: number;
}

/** How long a report's receipt is kept: a copy posted again within this time is dropped. */
export const REPORT_RECEIPT_TTL_HOURS = 30 * 24;

interface ReportTarget {
  message: { id: string; parts: number };
  /** Set when the id is the gateway id of one part (see `message_part_ids`). */
  part?: number;
}

/**
 * What a report's gateway id points at: the id of one part of a multi-part message (gateways that return
 * an id per part), else the account's message with this gateway id (compared in normalised form), the
 * newest if several.
 */
async function reportTarget(
  db: Kysely<Database>,
  providerAccountId: string,
  gatewayId: string,
): Promise<ReportTarget | undefined> {
  return runOps(db as Kysely<unknown>, reportTargetOps(db, providerAccountId, gatewayId));
}

function* reportTargetOps(
  db: Kysely<Database>,
  providerAccountId: string,
  gatewayId: string,
): Ops<ReportTarget | undefined> {
  const normalised = normalizeGatewayId(gatewayId);
  const part = yield* first(
    db
      .selectFrom('message_part_ids as p')
      .innerJoin('messages as m', 'm.id', 'p.message_id')
      .select(['m.id', 'm.parts', 'p.part'])
      .where('p.provider_account_id', '=', providerAccountId)
      .where('p.gateway_id', '=', normalised),
  );
  if (part) return { message: { id: part.id, parts: part.parts }, part: part.part };
  const message = yield* first(
    db
      .selectFrom('messages')
      .select(['id', 'parts'])
      .where('provider_account_id', '=', providerAccountId)
      .where('gateway_message_id', 'in', [...new Set([normalised, gatewayId])])
      .orderBy('created_at', 'desc')
      .limit(1),
  );
  return message ? { message } : undefined;
}

/** A report's identity: the same report posted twice has the same digest. */
function reportDigest(report: DeliveryReport): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        normalizeGatewayId(report.gatewayId),
        report.part ?? 0,
        report.status,
        report.errorCode ?? null,
        report.at ?? null,
      ]),
    )
    .digest('hex');
}

/** How often old receipts are deleted (they are kept {@link REPORT_RECEIPT_TTL_HOURS}; a minute more is nothing). */
const RECEIPT_PRUNE_EVERY_MS = 60_000;
const lastReceiptPrune = new WeakMap<object, number>();

/** Records the report's receipt; false when it was received before (a replay). In the caller's transaction. */
function* firstReceiptOps(
  db: Kysely<Database>,
  providerAccountId: string,
  report: DeliveryReport,
  now: string,
): Ops<boolean> {
  const stored = yield* changes(
    db
      .insertInto('report_receipts')
      .values({ provider_account_id: providerAccountId, digest: reportDigest(report), received_at: now })
      .onConflict((oc) => oc.columns(['provider_account_id', 'digest']).doNothing()),
  );
  return stored === 1;
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
  box,
  earlyReportTtlHours = DEFAULT_EARLY_REPORT_TTL_HOURS,
}: {
  db: Kysely<Database>;
  clock: Clock;
  logger?: Logger;
  bus: EventBus;
  token: string;
  request: CallbackRequest;
  providerDeps?: Partial<ProviderDeps>;
  /** Opens the account's sealed credentials (signature keys such as Twilio's auth token). */
  box?: SecretBox;
  earlyReportTtlHours?: number;
}): Promise<DeliveryReportResult> {
  const account = await findProviderAccountByCallbackToken(db, token);
  if (!account) throw new AppError('callback.not_found', 'Not found.');
  const provider = openProvider(account, providerDeps, box);
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
 * gateway id (normalised) — or, when the id is that of one part, as that part's report — through the
 * status machine (parts aggregated), in one transaction; then publishes the changes. A report matching
 * no message is kept as an early report. A report received before (same id, part, status, error and
 * time) is dropped: a replayed callback is processed once. Used by the callback route, and by adapters
 * that receive reports over their own connection (SMPP `deliver_sm`, through the worker's sink).
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
  const statusChanges: CommittedStatusChange[] = [];
  function* apply(trx: Kysely<Database>): Ops<DeliveryReportResult> {
    const out: DeliveryReportResult = { applied: 0, ignored: 0, unmatched: 0, duplicates: 0 };
    const now = clock.now().toISOString();
    for (const report of reports) {
      if (!(yield* firstReceiptOps(trx, providerAccountId, report, now))) {
        out.ignored++;
        out.duplicates++;
        continue;
      }
      const target = yield* reportTargetOps(trx, providerAccountId, report.gatewayId);
      if (!target) {
        yield* storeEarlyReportOps(trx, { clock, providerAccountId, report, ttlHours: earlyReportTtlHours });
        kept.push(report);
        out.ignored++;
        out.unmatched++;
        continue;
      }
      const applied = yield* applyDeliveryReportOps(trx, {
        clock,
        providerAccountId,
        message: target.message,
        report: target.part !== undefined ? { ...report, part: target.part } : report,
      });
      statusChanges.push(applied.change);
      if (applied.applied) out.applied++;
      else out.ignored++;
    }
    return out;
  }
  // Concurrent callbacks share commits; each still answers after its commit. On SQLite the unit runs
  // synchronously on the connection (db/sync-group.ts): the write lock is held for its SQL alone.
  const result = await opsRunnerFor(db)(apply);
  await publishStatusChanges({ db, bus, clock, changes: statusChanges });
  // Old receipts go after the commit, in a statement of their own: concurrent callbacks never wait on
  // each other's clean-up. At most once a minute per database (it was a write per callback); a failure
  // only delays it to the next round.
  const nowMs = clock.now().getTime();
  if (nowMs - (lastReceiptPrune.get(db) ?? Number.NEGATIVE_INFINITY) >= RECEIPT_PRUNE_EVERY_MS) {
    lastReceiptPrune.set(db, nowMs);
    const cutoff = new Date(nowMs - REPORT_RECEIPT_TTL_HOURS * 3_600_000).toISOString();
    await db
      .deleteFrom('report_receipts')
      .where('received_at', '<', cutoff)
      .execute()
      .catch(() => {});
  }
  // The worker may have stored the gateway id after our lookup but read the early reports before our
  // commit; then nobody would apply what we kept. Looking again after our commit closes that gap (the
  // DELETE … RETURNING in applyEarlyReports makes a double application impossible).
  for (const gatewayId of new Set(kept.map((r) => normalizeGatewayId(r.gatewayId)))) {
    const target = await reportTarget(db, providerAccountId, gatewayId);
    if (target) {
      await applyEarlyReports({
        db,
        clock,
        bus,
        providerAccountId,
        gatewayId,
        messageId: target.message.id,
        ...(target.part !== undefined ? { part: target.part } : {}),
        ttlHours: earlyReportTtlHours,
      });
    }
  }
  return result;
}
