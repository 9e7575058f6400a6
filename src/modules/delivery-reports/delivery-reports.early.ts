import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { changes, type Ops, runOps } from '../../db/ops.js';
import { type DeliveryReport, normalizeGatewayId } from '../../providers/provider.contract.js';
import type { EventBus } from '../events/events.bus.js';
import { type CommittedStatusChange, publishStatusChanges } from '../events/events.publish.js';
import { applyDeliveryReport } from './delivery-reports.apply.js';

/** How long a report whose message is not known yet is kept (HERALD_EARLY_REPORT_TTL_HOURS). */
export const DEFAULT_EARLY_REPORT_TTL_HOURS = 48;

const cutoffOf = (clock: Clock, ttlHours: number) =>
  new Date(clock.now().getTime() - ttlHours * 3_600_000).toISOString();

/**
 * Keeps a report that matched no message: the gateway may have answered the callback before the worker
 * stored the submit response's gateway id. Stored once per account, normalised gateway id, part and
 * status (the same report posted again adds nothing). Removes reports older than the TTL on the way.
 * Runs in the caller's transaction.
 */
export async function storeEarlyReport({
  db,
  ...args
}: StoreEarlyReportArgs & { db: Kysely<Database> }): Promise<void> {
  await runOps(db as Kysely<unknown>, storeEarlyReportOps(db, args));
}

export interface StoreEarlyReportArgs {
  clock: Clock;
  providerAccountId: string;
  report: DeliveryReport;
  ttlHours?: number;
}

/** {@link storeEarlyReport} as a procedure (db/ops.ts), for the caller's transaction. */
export function* storeEarlyReportOps(
  db: Kysely<Database>,
  { clock, providerAccountId, report, ttlHours = DEFAULT_EARLY_REPORT_TTL_HOURS }: StoreEarlyReportArgs,
): Ops<void> {
  yield* changes(db.deleteFrom('early_reports').where('received_at', '<', cutoffOf(clock, ttlHours)));
  yield* changes(
    db
      .insertInto('early_reports')
      .values({
        id: newId(),
        provider_account_id: providerAccountId,
        gateway_id: normalizeGatewayId(report.gatewayId),
        part: report.part ?? 0,
        status: report.status,
        error_code: report.errorCode ?? null,
        reported_at: report.at ?? null,
        received_at: clock.now().toISOString(),
      })
      .onConflict((oc) => oc.columns(['provider_account_id', 'gateway_id', 'part', 'status']).doNothing()),
  );
}

export interface EarlyReportsResult {
  /** Kept reports that changed the message's status. */
  applied: number;
  /** Kept reports recorded in the history without changing the status (late, duplicate). */
  ignored: number;
  /** Kept reports older than the TTL: deleted, not applied. */
  expired: number;
  /**
   * The committed changes. Already published when `db` was not a transaction; when the caller passed
   * its transaction, the caller publishes them with `publishStatusChanges` after its commit.
   */
  changes: CommittedStatusChange[];
}

/**
 * Applies the delivery reports that arrived for `gatewayId` on `providerAccountId` before the gateway id
 * was known, to `messageId`, and deletes them. **The dispatch worker calls this right after it stored a
 * message's gateway id** (after that commit, with the root `db`: then this opens its own transaction and
 * publishes the changes after it commits). Each report goes through the status machine like a fresh one
 * (history source `dlr`, `details.early: true`), so order and duplicates do not matter.
 *
 * Reports are taken with `DELETE … RETURNING`, so two concurrent calls (the worker, and the callback that
 * stored the report and then saw the id appear) never apply the same row twice. Reports older than the
 * TTL are deleted without being applied. Throws `message.not_found` (nothing deleted) for an unknown
 * message that has kept reports; with none kept for the id, it returns at once without a write.
 */
export async function applyEarlyReports({
  db,
  clock,
  bus,
  providerAccountId,
  gatewayId,
  messageId,
  part,
  ttlHours = DEFAULT_EARLY_REPORT_TTL_HOURS,
}: {
  db: Kysely<Database>;
  clock: Clock;
  bus: EventBus;
  providerAccountId: string;
  /** As the gateway returned it; normalised here. */
  gatewayId: string;
  messageId: string;
  /** `gatewayId` is the id of this part (1-based) of the message: its reports apply as that part's. */
  part?: number;
  ttlHours?: number;
}): Promise<EarlyReportsResult> {
  const run = async (trx: Kysely<Database>): Promise<EarlyReportsResult> => {
    const result: EarlyReportsResult = { applied: 0, ignored: 0, expired: 0, changes: [] };
    const message = await trx
      .selectFrom('messages')
      .select(['id', 'parts'])
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (!message) throw new AppError('message.not_found', 'No such message.', { id: messageId });
    const rows = await trx
      .deleteFrom('early_reports')
      .where('provider_account_id', '=', providerAccountId)
      .where('gateway_id', '=', normalizeGatewayId(gatewayId))
      .returningAll()
      .execute();
    const cutoff = cutoffOf(clock, ttlHours);
    rows.sort((a, b) => a.received_at.localeCompare(b.received_at) || a.id.localeCompare(b.id));
    for (const row of rows) {
      if (row.received_at < cutoff) {
        result.expired++;
        continue;
      }
      const applied = await applyDeliveryReport({
        db: trx,
        clock,
        providerAccountId,
        message,
        early: true,
        report: {
          gatewayId: row.gateway_id,
          status: row.status as DeliveryReport['status'],
          ...(part !== undefined ? { part } : row.part > 0 ? { part: row.part } : {}),
          ...(row.error_code !== null ? { errorCode: row.error_code } : {}),
          ...(row.reported_at !== null ? { at: row.reported_at } : {}),
        },
      });
      if (applied.applied) result.applied++;
      else result.ignored++;
      result.changes.push(applied.change);
    }
    return result;
  };
  if (db.isTransaction) return run(db);
  // The worker calls this after every submit, and almost never finds a kept report: a read first (no
  // write lock, no transaction) spares it a write transaction per message. A report stored after this
  // read is not lost: its callback looks for the gateway id again after its own commit, and by then
  // the caller's commit (which stored the id) is visible.
  const kept = await db
    .selectFrom('early_reports')
    .select('id')
    .where('provider_account_id', '=', providerAccountId)
    .where('gateway_id', '=', normalizeGatewayId(gatewayId))
    .limit(1)
    .executeTakeFirst();
  if (!kept) return { applied: 0, ignored: 0, expired: 0, changes: [] };
  const result = await db.transaction().execute(run);
  await publishStatusChanges({ db, bus, clock, changes: result.changes });
  return result;
}

/** Deletes kept reports older than the TTL (also done whenever a new one is stored); returns how many. */
export async function expireEarlyReports({
  db,
  clock,
  ttlHours = DEFAULT_EARLY_REPORT_TTL_HOURS,
}: {
  db: Kysely<Database>;
  clock: Clock;
  ttlHours?: number;
}): Promise<number> {
  const r = await db
    .deleteFrom('early_reports')
    .where('received_at', '<', cutoffOf(clock, ttlHours))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
