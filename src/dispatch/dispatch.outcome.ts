import { type Kysely, sql } from 'kysely';
import type { MessageStatus } from '../core/status/index.js';
import { changes, type Ops, runOps } from '../db/ops.js';
import { recordConsentEvent } from '../modules/consent/consent.usecases.js';
import { applyMessageStatusOps } from '../modules/delivery-reports/delivery-reports.apply.js';
import { applyEarlyReports } from '../modules/delivery-reports/delivery-reports.usecases.js';
import type { CommittedStatusChange } from '../modules/events/events.publish.js';
import type { ProviderAccountRow } from '../modules/gateways/gateways.repository.js';
import { normalizeGatewayId, type SendOutcome } from '../providers/provider.contract.js';
import type { ClaimedRow } from './claim.shared.js';
import { type DispatchContext, publish, withDbRetry } from './dispatch.context.js';
import { retryDelayMs, throttleDelayMs } from './dispatch.retry.js';
import { type DispatchDatabase, sharedDb } from './dispatch.tables.js';

/**
 * The writes a worker makes for one claimed message. Before the submit every write is fenced by the
 * lease: it happens only while this worker still holds the message (`status = 'sending'`,
 * `leased_by = me`, and the attempt it claimed). After the submit the gateway's answer is the truth and
 * is always recorded; the status machine keeps it monotonic (a late `accepted` on a message another
 * worker already recovered to `unknown` resolves it; a retryable answer cannot move it back).
 */

/** The row restricted to this worker's hold of this attempt. */
function fenced(trx: Kysely<DispatchDatabase>, ctx: DispatchContext, m: ClaimedRow) {
  return trx
    .updateTable('messages')
    .where('id', '=', m.id)
    .where('status', '=', 'sending')
    .where('leased_by', '=', ctx.workerId)
    .where('attempts', '=', m.attempts);
}

const toChange = (
  m: ClaimedRow,
  a: { applied: boolean; from: MessageStatus; eventId: string },
  to: MessageStatus,
  at: string,
): CommittedStatusChange => ({
  eventId: a.eventId,
  messageId: m.id,
  orgUnitId: m.org_unit_id,
  batchId: m.batch_id,
  from: a.from,
  to,
  applied: a.applied,
  at,
});

/** Extends the lease while the message waits (for a rate slot). False: this worker lost it. */
export async function renewLease(ctx: DispatchContext, m: ClaimedRow, untilMs: number): Promise<boolean> {
  const updated = await withDbRetry(ctx, 'renew lease', () =>
    ctx.runWrite((db) => changes(fenced(db, ctx, m).set({ lease_until: new Date(untilMs).toISOString() }))),
  );
  return updated === 1;
}

/**
 * The marker of the crash rule, committed right before the gateway is called: from now on a lost
 * lease means `unknown`, never a resend. Also records the account that sends and extends the lease to
 * cover the submit. False: this worker no longer holds the message — do not submit.
 */
export async function markSubmitStarted(
  ctx: DispatchContext,
  m: ClaimedRow,
  accountId: string,
  leaseUntilMs: number,
): Promise<boolean> {
  const now = ctx.clock.now().toISOString();
  const updated = await withDbRetry(ctx, 'mark submit started', () =>
    ctx.runWrite((db) =>
      changes(
        fenced(db, ctx, m).set({
          submit_started_at: now,
          provider_account_id: accountId,
          lease_until: new Date(leaseUntilMs).toISOString(),
          updated_at: now,
        }),
      ),
    ),
  );
  return updated === 1;
}

/**
 * The message ends without going out (`expired`, `blocked`), or goes back to the queue without having
 * gone out (`queued`: the worker stops, or waited too long for a rate slot) — only if this worker still
 * holds it. `refund`: the claim's attempt did not happen and is taken back.
 */
export async function endWithoutSubmit(
  ctx: DispatchContext,
  m: ClaimedRow,
  to: 'expired' | 'blocked' | 'queued',
  opts: { reason: string; dueAtMs?: number; refund?: boolean; details?: Record<string, unknown> },
): Promise<void> {
  const ended = await withDbRetry(ctx, `end as ${to}`, () =>
    ctx.run(function* (db): Ops<CommittedStatusChange[]> {
      const now = ctx.clock.now().toISOString();
      const held = yield* changes(
        fenced(db, ctx, m).set({
          lease_until: null,
          leased_by: null,
          submit_started_at: null,
          ...(to === 'queued'
            ? { due_at: new Date(opts.dueAtMs ?? Date.parse(now)).toISOString() }
            : { due_at: null }),
          ...(opts.refund ? { attempts: sql<number>`attempts - 1` } : {}),
        }),
      );
      if (held === 0) return [];
      const a = yield* applyMessageStatusOps(sharedDb(db), {
        clock: ctx.clock,
        messageId: m.id,
        to,
        source: 'worker',
        reason: opts.reason,
        details: { workerId: ctx.workerId, attempt: m.attempts, ...opts.details },
      });
      return [toChange(m, a, to, now)];
    }),
  );
  await publish(ctx, ended);
}

/** What the worker decided from the gateway's answer. */
interface Decision {
  to: MessageStatus;
  reason: string | null;
  /** For a retry: when it is due again, and whether it spent the budget. */
  retry?: { dueAtMs: number; throttled: boolean };
}

function decide(ctx: DispatchContext, m: ClaimedRow, outcome: SendOutcome, nowMs: number): Decision {
  if (outcome.ok) return { to: outcome.status, reason: null };
  switch (outcome.class) {
    case 'permanent':
      return { to: 'rejected', reason: null };
    case 'opted_out':
      return { to: 'rejected', reason: 'opted_out' };
    case 'unknown':
      return { to: 'unknown', reason: 'outcome_unknown' };
    case 'throttled': {
      const delay = throttleDelayMs(m.throttled_count + 1, outcome.retryAfterMs);
      return { to: 'queued', reason: 'throttled', retry: { dueAtMs: nowMs + delay, throttled: true } };
    }
    case 'retryable': {
      const spent = m.attempts - m.throttled_count;
      if (spent >= ctx.settings.retryBudget) return { to: 'failed', reason: 'retry_budget_exhausted' };
      const delay = retryDelayMs({ n: spent, retryAfterMs: outcome.retryAfterMs, random: ctx.random });
      return { to: 'queued', reason: 'retry', retry: { dueAtMs: nowMs + delay, throttled: false } };
    }
  }
}

/**
 * Records the gateway's answer to a submit, in one transaction, and publishes it:
 * - ok → `accepted`/`sent`, gateway id stored normalised, `submitted_at`; for a gateway that returned
 *   an id per part (`partIds`), each part's id in `message_part_ids` (its reports apply to that part);
 * - `retryable` → `queued` again with backoff (after the budget: `failed`); `throttled` → `queued`
 *   after the gateway's pause, not spending the budget;
 * - `permanent` → `rejected`; `opted_out` → `rejected` (reason `opted_out`) and a consent event
 *   (source `provider`) that stops every later message to the number;
 * - `unknown` → `unknown`, never resent.
 * The gateway's code and text go to `error_code`/`error_text` and the event's details.
 */
export async function recordOutcome(
  ctx: DispatchContext,
  m: ClaimedRow,
  account: ProviderAccountRow,
  outcome: SendOutcome,
  info: { failover: readonly { accountId: string; class: string; code: string }[] },
): Promise<void> {
  const nowMs = ctx.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const d = decide(ctx, m, outcome, nowMs);
  const gatewayId = outcome.ok ? normalizeGatewayId(outcome.gatewayId) : null;
  // Ids of the parts, only where the gateway has several for one message.
  const partIds =
    outcome.ok && outcome.partIds && outcome.partIds.length > 1
      ? outcome.partIds.map(normalizeGatewayId)
      : [];
  const details = {
    workerId: ctx.workerId,
    attempt: m.attempts,
    providerAccountId: account.id,
    ...(outcome.ok
      ? { gatewayId }
      : { errorCode: outcome.code, errorText: outcome.text, class: outcome.class }),
    ...(outcome.ok || outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
    ...(d.retry ? { dueAt: new Date(d.retry.dueAtMs).toISOString() } : {}),
    ...(info.failover.length > 0 ? { failover: info.failover } : {}),
  };
  // The outcome's statements, as one procedure (db/ops.ts).
  function* record(db: Kysely<DispatchDatabase>): Ops<CommittedStatusChange[]> {
    // A write first (SQLite takes its write lock here, not halfway through the transaction). It also
    // ends this worker's lease, if it still holds one (SET reads the row as it was before).
    const mine = sql<boolean>`leased_by = ${ctx.workerId}`;
    yield* changes(
      db
        .updateTable('messages')
        .set({
          updated_at: now,
          lease_until: sql<string | null>`CASE WHEN ${mine} THEN NULL ELSE lease_until END`,
          leased_by: sql<string | null>`CASE WHEN ${mine} THEN NULL ELSE leased_by END`,
          ...(outcome.ok
            ? {
                gateway_message_id: gatewayId,
                submitted_at: now,
                provider_account_id: account.id,
                error_code: null,
                error_text: null,
              }
            : {}),
          ...(d.to === 'unknown' ? { submitted_at: sql<string>`COALESCE(submitted_at, ${now})` } : {}),
        })
        .where('id', '=', m.id),
    );
    if (partIds.length > 0) {
      const rows = partIds.map((id, i) => ({
        provider_account_id: account.id,
        gateway_id: id,
        message_id: m.id,
        part: i + 1,
        created_at: now,
      }));
      // A gateway that reuses an id points it at the newest message (as `gateway_message_id` matching does).
      yield* changes(
        db
          .insertInto('message_part_ids')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['provider_account_id', 'gateway_id']).doUpdateSet((eb) => ({
              message_id: eb.ref('excluded.message_id'),
              part: eb.ref('excluded.part'),
              created_at: eb.ref('excluded.created_at'),
            })),
          ),
      );
    }
    const a = yield* applyMessageStatusOps(sharedDb(db), {
      clock: ctx.clock,
      messageId: m.id,
      to: d.to,
      source: 'worker',
      reason: d.reason,
      details,
      ...(outcome.ok ? {} : { error: { code: outcome.code, text: outcome.text } }),
    });
    if (a.applied && d.retry) {
      yield* changes(
        db
          .updateTable('messages')
          .set({
            due_at: new Date(d.retry.dueAtMs).toISOString(),
            submit_started_at: null,
            ...(d.retry.throttled ? { throttled_count: sql<number>`throttled_count + 1` } : {}),
          })
          .where('id', '=', m.id),
      );
    }
    return [toChange(m, a, d.to, now)];
  }
  const optedOut = !outcome.ok && outcome.class === 'opted_out' ? outcome : undefined;
  // Deadline beyond the lease: the answer must not be lost while the database is briefly away.
  const outcomeChanges = await withDbRetry(
    ctx,
    'record outcome',
    () =>
      optedOut && m.to_e164
        ? // The consent event is written by the consent module (Kysely): the whole outcome goes that way.
          ctx.tx(async (trx) => {
            const recorded = await runOps(trx as Kysely<unknown>, record(trx));
            await recordConsentEvent({
              db: sharedDb(trx),
              clock: ctx.clock,
              event: {
                e164: m.to_e164!,
                state: 'opted_out',
                source: 'provider',
                actor: { type: 'provider_account', id: account.id },
                evidence: { messageId: m.id, errorCode: optedOut.code, errorText: optedOut.text },
              },
            });
            return recorded;
          })
        : ctx.run(record),
    ctx.settings.leaseMs * 2,
  );
  await publish(ctx, outcomeChanges);
  if (gatewayId) {
    // Delivery reports that overtook this answer were kept; now that the ids are stored they apply (a
    // part's id as that part's report).
    const keys: { gatewayId: string; part?: number }[] = partIds.map((id, i) => ({
      gatewayId: id,
      part: i + 1,
    }));
    if (!partIds.includes(gatewayId)) keys.unshift({ gatewayId });
    for (const key of keys) {
      try {
        await applyEarlyReports({
          db: ctx.db,
          clock: ctx.clock,
          bus: ctx.bus,
          providerAccountId: account.id,
          messageId: m.id,
          ...key,
        });
      } catch (e) {
        ctx.logger.warn('applying early delivery reports failed', {
          messageId: m.id,
          error: (e as Error).message,
        });
      }
    }
  }
}
