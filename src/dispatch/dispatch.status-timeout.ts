import { isFinal, type MessageStatus } from '../core/status/index.js';
import { applyMessageStatus } from '../modules/delivery-reports/delivery-reports.usecases.js';
import type { CommittedStatusChange } from '../modules/events/events.publish.js';
import { statusQueryCandidates, timeOutStatuses } from './dispatch.claim.js';
import { type DispatchContext, publish } from './dispatch.context.js';
import { type StatusQuery, statusQueryOf } from './dispatch.providers.js';

/**
 * The status check timeout: a message still `accepted`, `sent` or `unknown` `statusTimeoutMs` after it
 * was submitted (`submitted_at`; for a message that never got that far, its creation) becomes
 * `status_timeout` ("Timeout during status check"), a final status that allows a resend.
 *
 * Where the account's adapter can be asked (`capabilities.statusQuery` and a `queryStatus` method) it is
 * asked first: a final answer (delivered, undelivered, rejected) is applied instead (source
 * `status_query`); no answer, or a non-final one, still ends in `status_timeout`. The simulator cannot
 * be asked (`statusQuery: false`), so its messages time out directly.
 *
 * Returns how many messages it looked at (at most `limit` per kind).
 */
export async function checkStatusTimeouts(
  ctx: DispatchContext,
  { statusTimeoutMs, limit = 500 }: { statusTimeoutMs: number; limit?: number },
): Promise<number> {
  const nowMs = ctx.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const cutoff = new Date(nowMs - statusTimeoutMs).toISOString();
  const queryable = new Map<string, StatusQuery>();
  for (const account of await ctx.db.selectFrom('provider_accounts').selectAll().execute()) {
    try {
      const q = statusQueryOf(ctx.pool.get(account));
      if (q) queryable.set(account.id, q);
    } catch (e) {
      ctx.logger.warn('could not open a gateway adapter', {
        providerAccountId: account.id,
        error: (e as Error).message,
      });
    }
  }
  const timedOut = await timeOutStatuses({
    db: ctx.ddb,
    dialect: ctx.dialect,
    now,
    limit,
    cutoff,
    exceptAccounts: [...queryable.keys()],
  });
  await publish(ctx, timedOut);

  const candidates = await statusQueryCandidates(ctx.ddb, { cutoff, accounts: [...queryable.keys()], limit });
  for (const c of candidates) {
    const query = queryable.get(c.provider_account_id ?? '');
    if (!query) continue;
    let answer: MessageStatus | null = null;
    try {
      answer = await query.queryStatus({ messageId: c.id, gatewayId: c.gateway_message_id });
    } catch (e) {
      ctx.logger.warn('status query failed', { messageId: c.id, error: (e as Error).message });
    }
    const changes = await ctx.db.transaction().execute(async (trx) => {
      const out: CommittedStatusChange[] = [];
      const change = (a: { applied: boolean; from: MessageStatus; eventId: string }, to: MessageStatus) => ({
        eventId: a.eventId,
        messageId: c.id,
        orgUnitId: c.org_unit_id,
        batchId: c.batch_id,
        from: a.from,
        to,
        applied: a.applied,
        at: now,
      });
      let status = c.status as MessageStatus;
      if (answer) {
        const a = await applyMessageStatus({
          db: trx,
          clock: ctx.clock,
          messageId: c.id,
          to: answer,
          source: 'status_query',
          details: { providerAccountId: c.provider_account_id },
        });
        out.push(change(a, answer));
        status = a.status;
      }
      if (!isFinal(status)) {
        const a = await applyMessageStatus({
          db: trx,
          clock: ctx.clock,
          messageId: c.id,
          to: 'status_timeout',
          source: 'worker',
          reason: 'no_final_status',
          details: { askedGateway: true, answer },
        });
        out.push(change(a, 'status_timeout'));
      }
      return out;
    });
    await publish(ctx, changes);
  }
  return timedOut.length + candidates.length;
}
