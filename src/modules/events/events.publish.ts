import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { isFinal, isMessageStatus, STATUSES } from '../../core/status/index.js';
import type { Database } from '../../db/database.js';
import { changes as changed, type Ops, opsRunnerFor, runOps } from '../../db/ops.js';
import type { EventBus, HeraldEvent } from './events.bus.js';

/** One committed status change, as the code that made it knows it. */
export interface CommittedStatusChange {
  eventId: string;
  messageId: string;
  orgUnitId: string;
  batchId: string | null;
  from: string | null;
  to: string;
  applied: boolean;
  at: string;
}

/** Final statuses, from the one status table. */
const FINAL = STATUSES.filter((st) => isFinal(st));

/**
 * Call after the transaction that changed statuses has COMMITTED: publishes one `message.status` event
 * per change and, for every batch that a change moved to final and that now has no message left in a
 * non-final status, marks the batch completed (once: a conditional update), records it in
 * `batch_completions` (the durable record the live stream replays) and publishes `batch.completed`.
 */
export async function publishStatusChanges({
  db,
  bus,
  clock,
  changes,
}: {
  db: Kysely<Database>;
  bus: EventBus;
  clock: Clock;
  changes: readonly CommittedStatusChange[];
}): Promise<void> {
  if (changes.length === 0) return;
  const events: HeraldEvent[] = changes.map((c) => ({ type: 'message.status', ...c }));
  const batches = new Map<string, string>();
  for (const c of changes) {
    if (c.applied && c.batchId && isMessageStatus(c.to) && isFinal(c.to)) batches.set(c.batchId, c.orgUnitId);
  }
  const now = clock.now().toISOString();
  for (const [batchId, orgUnitId] of batches) {
    const open = await db
      .selectFrom('messages')
      .select('id')
      .where('batch_id', '=', batchId)
      .where('status', 'not in', FINAL)
      .limit(1)
      .executeTakeFirst();
    if (open) continue;
    // The mark and its durable event row (what the live stream replays) are written together.
    const eventId = newId();
    function* mark(trx: Kysely<Database>): Ops<boolean> {
      const marked = yield* changed(
        trx
          .updateTable('batches')
          .set({ completed_at: now })
          .where('id', '=', batchId)
          .where('completed_at', 'is', null),
      );
      if (marked !== 1) return false;
      yield* changed(
        trx
          .insertInto('batch_completions')
          .values({ event_id: eventId, batch_id: batchId, org_unit_id: orgUnitId, completed_at: now }),
      );
      return true;
    }
    // Concurrent completions share commits; on SQLite synchronously on the connection (db/sync-group.ts).
    const completed = db.isTransaction
      ? await runOps(db as Kysely<unknown>, mark(db))
      : await opsRunnerFor(db)(mark);
    if (completed) events.push({ type: 'batch.completed', eventId, batchId, orgUnitId, at: now });
  }
  await bus.publish(events);
}
