import {
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type SqlBool,
  sql,
  type UpdateObject,
} from 'kysely';
import { newId } from '../core/ids.js';
import { canTransition, type MessageStatus } from '../core/status/index.js';
import type { DialectName } from '../db/dialect.js';
import type { CommittedStatusChange } from '../modules/events/events.publish.js';
import type { MessageEventTable } from '../modules/messages/messages.table.js';
import { postgresStatements } from './claim.postgres.js';
import type { ClaimedRow, ClaimParams, DialectStatements } from './claim.shared.js';
import { sqliteStatements } from './claim.sqlite.js';
import type { DispatchDatabase } from './dispatch.tables.js';

/** Every bulk move below is a transition of the status machine; checked once when the module loads. */
for (const [from, to] of [
  ['queued', 'sending'],
  ['scheduled', 'queued'],
  ['scheduled', 'expired'],
  ['queued', 'expired'],
  ['sending', 'queued'],
  ['sending', 'unknown'],
  ['sending', 'failed'],
  ['accepted', 'status_timeout'],
  ['sent', 'status_timeout'],
  ['unknown', 'status_timeout'],
] as const satisfies readonly (readonly [MessageStatus, MessageStatus])[]) {
  if (!canTransition(from, to))
    throw new Error(`dispatch relies on ${from} → ${to}, which the status table forbids`);
}

export const statementsFor = (dialect: DialectName): DialectStatements =>
  dialect === 'postgres' ? postgresStatements : sqliteStatements;

/** Rows per INSERT of message_events (9 columns: well under both dialects' parameter limits). */
const EVENT_CHUNK = 500;

export interface MovedRow {
  id: string;
  org_unit_id: string;
  batch_id: string | null;
  status: string;
}

/** Writes one applied `message_events` row per moved message and returns the changes to publish. */
export async function recordMoves<R extends MovedRow>(
  trx: Kysely<DispatchDatabase>,
  rows: readonly R[],
  e: { from: MessageStatus; at: string; source: string; reason: string | null; details: (r: R) => object },
): Promise<CommittedStatusChange[]> {
  const events: Insertable<MessageEventTable>[] = rows.map((r) => ({
    id: newId(),
    message_id: r.id,
    occurred_at: e.at,
    from_status: e.from,
    to_status: r.status,
    applied: true,
    reason: e.reason,
    source: e.source,
    details: JSON.stringify(e.details(r)),
  }));
  for (let i = 0; i < events.length; i += EVENT_CHUNK) {
    await trx
      .insertInto('message_events')
      .values(events.slice(i, i + EVENT_CHUNK))
      .execute();
  }
  return rows.map((r, i) => ({
    eventId: events[i]!.id,
    messageId: r.id,
    orgUnitId: r.org_unit_id,
    batchId: r.batch_id,
    from: e.from,
    to: r.status,
    applied: true,
    at: e.at,
  }));
}

/**
 * Claims up to `limit` due messages for this worker in one short transaction: they become `sending`
 * with a lease (`lease_until`, `leased_by`), their `attempts` go up by one, and each gets a
 * `message_events` row (source `worker`). The dialect's statement guarantees no two workers claim the
 * same message. Publish the returned changes after this returns (it has committed).
 */
export async function claimDue({
  db,
  dialect,
  params,
}: {
  db: Kysely<DispatchDatabase>;
  dialect: DialectName;
  params: ClaimParams;
}): Promise<{ claimed: ClaimedRow[]; changes: CommittedStatusChange[] }> {
  const statements = statementsFor(dialect);
  return db.transaction().execute(async (trx) => {
    const claimed = await statements.claim(trx, params);
    const changes = await recordMoves(
      trx,
      claimed.map((m) => ({ ...m, status: 'sending' })),
      {
        from: 'queued',
        at: params.now,
        source: 'worker',
        reason: null,
        details: (r) => ({ workerId: params.workerId, attempt: r.attempts }),
      },
    );
    return { claimed, changes };
  });
}

type MessagesWhere = (eb: ExpressionBuilder<DispatchDatabase, 'messages'>) => Expression<SqlBool>;

/**
 * Moves up to `limit` messages in status `from` that match `where` in one statement (rows another
 * worker is moving are skipped on PostgreSQL), writes their events, all in one transaction.
 */
async function bulkMove({
  db,
  dialect,
  from,
  where,
  set,
  limit,
  at,
  reason,
}: {
  db: Kysely<DispatchDatabase>;
  dialect: DialectName;
  from: MessageStatus;
  where: MessagesWhere;
  set: UpdateObject<DispatchDatabase, 'messages'>;
  limit: number;
  at: string;
  reason: string;
}): Promise<CommittedStatusChange[]> {
  const statements = statementsFor(dialect);
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('messages')
      .set(set)
      .where('messages.id', 'in', (eb) =>
        statements.lockRows(
          eb
            .selectFrom('messages')
            .select('messages.id')
            .where('messages.status', '=', from)
            .where(where)
            .limit(limit),
        ),
      )
      // Re-checked for PostgreSQL (a row may have moved between the locking subquery and the update);
      // as an expression, so SQLite looks the ids up by primary key instead of walking the status index.
      .where(sql`coalesce(messages.status, '')`, '=', from)
      .returning(['messages.id', 'messages.org_unit_id', 'messages.batch_id', 'messages.status'])
      .execute();
    return recordMoves(trx, rows, { from, at, source: 'worker', reason, details: () => ({}) });
  });
}

export interface SweepParams {
  db: Kysely<DispatchDatabase>;
  dialect: DialectName;
  now: string;
  limit: number;
}

/** The scheduler step: `scheduled` messages whose time came become `queued` (reason `schedule_due`). */
export function promoteScheduled(p: SweepParams) {
  return bulkMove({
    ...p,
    from: 'scheduled',
    where: (eb) => eb.and([eb('messages.due_at', '<=', p.now), eb('messages.expires_at', '>', p.now)]),
    set: { status: 'queued', updated_at: p.now },
    at: p.now,
    reason: 'schedule_due',
  });
}

/** Messages not sent before their validity ended become `expired` (reason `validity_expired`). */
export async function expireUnsent(p: SweepParams) {
  const out: CommittedStatusChange[] = [];
  for (const from of ['scheduled', 'queued'] as const) {
    out.push(
      ...(await bulkMove({
        ...p,
        from,
        where: (eb) => eb('messages.expires_at', '<=', p.now),
        set: { status: 'expired', status_reason: null, final_at: p.now, updated_at: p.now, due_at: null },
        at: p.now,
        reason: 'validity_expired',
      })),
    );
  }
  return out;
}

/**
 * The crash rule. A `sending` message whose lease ran out belongs to a worker that died (or lost the
 * database for longer than the lease):
 * - `submit_started_at` set: the worker was about to call, or calling, the gateway. The gateway may
 *   have the message, so it becomes `unknown` — never sent again; a delivery report or the status
 *   check resolves it. (`submitted_at` takes the marker's time, so the status timeout counts from it.)
 * - not set: the worker never called the gateway; back to `queued`, due now. The attempt stays
 *   counted: a message that kills its worker every time ends `failed` once it used up the retry
 *   budget, instead of looping.
 * Reason `lease_expired`.
 */
export function recoverExpiredLeases(p: SweepParams & { retryBudget: number }) {
  const spent = sql`attempts - throttled_count >= ${p.retryBudget}`;
  const giveUp = sql`submit_started_at IS NULL AND ${spent}`;
  return bulkMove({
    ...p,
    from: 'sending',
    where: (eb) => eb('messages.lease_until', '<', p.now),
    set: {
      status: sql<string>`CASE WHEN submit_started_at IS NOT NULL THEN 'unknown' WHEN ${spent} THEN 'failed' ELSE 'queued' END`,
      status_reason: sql<string | null>`CASE WHEN ${giveUp} THEN 'retry_budget_exhausted' ELSE NULL END`,
      final_at: sql<string | null>`CASE WHEN ${giveUp} THEN ${p.now} ELSE final_at END`,
      submitted_at: sql<
        string | null
      >`CASE WHEN submit_started_at IS NULL THEN submitted_at ELSE submit_started_at END`,
      due_at: p.now,
      lease_until: null,
      leased_by: null,
      updated_at: p.now,
    },
    at: p.now,
    reason: 'lease_expired',
  });
}

/**
 * The status timeout without a status query: `accepted`, `sent` and `unknown` messages submitted before
 * `cutoff` become `status_timeout`. Messages of `exceptAccounts` (adapters that can be asked) are left
 * to the caller.
 */
export async function timeOutStatuses(
  p: SweepParams & { cutoff: string; exceptAccounts: readonly string[] },
) {
  const out: CommittedStatusChange[] = [];
  for (const from of ['accepted', 'sent', 'unknown'] as const) {
    out.push(
      ...(await bulkMove({
        ...p,
        from,
        where: (eb) =>
          eb.and([
            // created_at ≤ submitted_at, so this bound lets the (status, created_at) index narrow the scan.
            eb('messages.created_at', '<=', p.cutoff),
            eb(eb.fn.coalesce('messages.submitted_at', 'messages.created_at'), '<=', p.cutoff),
            ...(p.exceptAccounts.length > 0
              ? [
                  eb.or([
                    eb('messages.provider_account_id', 'is', null),
                    eb('messages.provider_account_id', 'not in', p.exceptAccounts),
                  ]),
                ]
              : []),
          ]),
        set: {
          status: 'status_timeout',
          final_at: p.now,
          updated_at: p.now,
          lease_until: null,
          leased_by: null,
        },
        at: p.now,
        reason: 'no_final_status',
      })),
    );
  }
  return out;
}

/** Candidates for a status query: same rule as {@link timeOutStatuses}, for the given accounts only. */
export async function statusQueryCandidates(
  db: Kysely<DispatchDatabase>,
  q: { cutoff: string; accounts: readonly string[]; limit: number },
) {
  if (q.accounts.length === 0) return [];
  return db
    .selectFrom('messages')
    .select(['id', 'org_unit_id', 'batch_id', 'status', 'provider_account_id', 'gateway_message_id'])
    .where('status', 'in', ['accepted', 'sent', 'unknown'])
    .where('created_at', '<=', q.cutoff)
    .where((eb) => eb(eb.fn.coalesce('submitted_at', 'created_at'), '<=', q.cutoff))
    .where('provider_account_id', 'in', q.accounts)
    .limit(q.limit)
    .execute();
}
