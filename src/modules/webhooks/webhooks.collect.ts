import type { Insertable, Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { listAllOrgUnitLinks } from '../org-units/org-units.repository.js';
import { expandWithDescendants } from '../org-units/org-units.scope.js';
import {
  type BatchCompletedRow,
  batchCompletedPayload,
  type InboundRow,
  inboundPayload,
  type StatusChangedRow,
  statusChangedPayload,
} from './webhooks.payloads.js';
import {
  advanceCursor,
  type CursorPosition,
  type EndpointRow,
  insertDeliveries,
  listEnabledEndpoints,
  readCursor,
} from './webhooks.repository.js';
import type { WebhookDeliveryTable, WebhookEventType } from './webhooks.table.js';

/**
 * The collector turns durable records into delivery rows — it does not trust the (best effort) bus:
 *
 * - `message.status_changed` from `message_events` (applied changes), read in id order (UUIDv7, time
 *   ordered);
 * - `batch.completed` from `batches.completed_at`, read in (completed_at, id) order;
 * - `message.inbound` from `inbound_messages`, read in id order (UUIDv7).
 *
 * Each source has a durable cursor (`webhook_cursors`). Ids are generated before their transaction
 * commits, so a row can become visible after rows with larger ids were already read. The collector
 * therefore reads new rows from an in-memory mark as they appear, and every `settleMs` re-reads
 * everything since the durable cursor up to the mark it held `settleMs` earlier, then moves the
 * durable cursor there. A delivery is unique per (endpoint, event), so reading a row twice never
 * sends twice. After a restart, the process starts at the durable cursor: nothing committed while it
 * was down is missed.
 *
 * An endpoint gets the events of its org unit and all its descendants that happened while it was
 * enabled (since `enabled_at`): events from before its creation or from while it was disabled are
 * never sent to it, however often they are read.
 */
export interface WebhookCollector {
  /** Reads what is new; returns how many source rows it looked at. */
  run(): Promise<number>;
  /** Whether the last `run()` found an enabled endpoint (null before the first run). */
  readonly listening: boolean | null;
}

interface Source<R> {
  name: string;
  type: WebhookEventType;
  read(db: Kysely<Database>, after: CursorPosition, upTo: CursorPosition | null, limit: number): Promise<R[]>;
  /** The position of the newest row (to skip reading while no endpoint is enabled). */
  latest(db: Kysely<Database>): Promise<CursorPosition | null>;
  position(row: R): CursorPosition;
  orgUnitId(row: R): string;
  occurredAt(row: R): string;
  eventKey(row: R): string;
  payload(db: Kysely<Database>, row: R): Promise<unknown>;
}

/** The newest position of a source read in id order (UUIDv7): its greatest id, `at` unused. */
async function latestById(
  db: Kysely<Database>,
  table: 'message_events' | 'inbound_messages',
): Promise<CursorPosition | null> {
  const r = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return r?.id ? { at: '', id: r.id } : null;
}

const after = (a: CursorPosition, b: CursorPosition) => a.at > b.at || (a.at === b.at && a.id > b.id);

const messageEvents: Source<StatusChangedRow> = {
  name: 'message_events',
  type: 'message.status_changed',
  async read(db, from, upTo, limit) {
    let qb = db
      .selectFrom('message_events as e')
      .innerJoin('messages as m', 'm.id', 'e.message_id')
      .select([
        'e.id as eventId',
        'e.occurred_at as occurredAt',
        'e.message_id as messageId',
        'e.from_status as fromStatus',
        'e.to_status as toStatus',
        'e.reason as reason',
        'm.org_unit_id as orgUnitId',
        'm.batch_id as batchId',
        'm.contact_id as contactId',
        'm.to_e164 as toE164',
        'm.to_input as toInput',
        'm.reference_type as referenceType',
        'm.reference_id as referenceId',
      ])
      .where('e.id', '>', from.id)
      .where('e.applied', '=', true);
    if (upTo) qb = qb.where('e.id', '<=', upTo.id);
    const rows = await qb.orderBy('e.id').limit(limit).execute();
    return rows.map(({ toE164, toInput, ...r }) => ({ ...r, to: toE164 ?? toInput }));
  },
  latest: (db) => latestById(db, 'message_events'),
  position: (r) => ({ at: '', id: r.eventId }),
  orgUnitId: (r) => r.orgUnitId,
  occurredAt: (r) => r.occurredAt,
  eventKey: (r) => r.eventId,
  payload: async (_db, r) => statusChangedPayload(r),
};

type CompletedBatch = Omit<BatchCompletedRow, 'counts'>;

const completedBatches: Source<CompletedBatch> = {
  name: 'batches_completed',
  type: 'batch.completed',
  async read(db, from, upTo, limit) {
    let qb = db
      .selectFrom('batches')
      .select([
        'id as batchId',
        'org_unit_id as orgUnitId',
        'completed_at',
        'created_at as createdAt',
        'requested_count as requestedCount',
        'blocked_count as blockedCount',
      ])
      .where('completed_at', 'is not', null);
    if (from.at !== '') {
      qb = qb.where((eb) =>
        eb.or([
          eb('completed_at', '>', from.at),
          eb.and([eb('completed_at', '=', from.at), eb('id', '>', from.id)]),
        ]),
      );
    }
    if (upTo) {
      qb = qb.where((eb) =>
        eb.or([
          eb('completed_at', '<', upTo.at),
          eb.and([eb('completed_at', '=', upTo.at), eb('id', '<=', upTo.id)]),
        ]),
      );
    }
    const rows = await qb.orderBy('completed_at').orderBy('id').limit(limit).execute();
    return rows.map(({ completed_at, ...r }) => ({ ...r, completedAt: completed_at ?? '' }));
  },
  async latest(db) {
    const r = await db
      .selectFrom('batches')
      .select(['completed_at', 'id'])
      .where('completed_at', 'is not', null)
      .orderBy('completed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r?.completed_at ? { at: r.completed_at, id: r.id } : null;
  },
  position: (r) => ({ at: r.completedAt, id: r.batchId }),
  orgUnitId: (r) => r.orgUnitId,
  occurredAt: (r) => r.completedAt,
  eventKey: (r) => `batch:${r.batchId}`,
  async payload(db, r) {
    const counts = await db
      .selectFrom('messages')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('batch_id', '=', r.batchId)
      .groupBy('status')
      .orderBy('status')
      .execute();
    return batchCompletedPayload({
      ...r,
      counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
    });
  },
};

/** `message.inbound` from `inbound_messages`, in id order (UUIDv7, taken in the storing transaction). */
const inboundMessages: Source<InboundRow> = {
  name: 'inbound_messages',
  type: 'message.inbound',
  async read(db, from, upTo, limit) {
    let qb = db
      .selectFrom('inbound_messages')
      .select([
        'id as inboundId',
        'org_unit_id as orgUnitId',
        'stored_at as storedAt',
        'received_at as receivedAt',
        'from_input as from',
        'from_e164 as fromE164',
        'to_address as to',
        'text',
        'provider_account_id as providerAccountId',
        'contact_id as contactId',
        'last_message_id as lastMessageId',
        'keyword',
        'keyword_action as keywordAction',
        'keyword_effect as keywordEffect',
        'reply_message_id as replyMessageId',
      ])
      .where('id', '>', from.id);
    if (upTo) qb = qb.where('id', '<=', upTo.id);
    return qb.orderBy('id').limit(limit).execute();
  },
  latest: (db) => latestById(db, 'inbound_messages'),
  position: (r) => ({ at: '', id: r.inboundId }),
  orgUnitId: (r) => r.orgUnitId,
  occurredAt: (r) => r.storedAt,
  eventKey: (r) => `inbound:${r.inboundId}`,
  payload: async (_db, r) => inboundPayload(r),
};

/** Which endpoints want an event of `type` that happened in `orgUnitId` at `at`. */
type Matcher = ((type: WebhookEventType, orgUnitId: string, at: string) => EndpointRow[]) & { none?: true };

async function loadMatcher(db: Kysely<Database>): Promise<Matcher> {
  const endpoints = await listEnabledEndpoints(db);
  if (endpoints.length === 0) return Object.assign(() => [], { none: true as const });
  const units = await listAllOrgUnitLinks(db);
  const covered = endpoints.map((e) => ({
    endpoint: e,
    types: new Set(JSON.parse(e.event_types) as string[]),
    units: expandWithDescendants([e.org_unit_id], units),
  }));
  return (type, orgUnitId, at) =>
    covered
      .filter(
        (c) =>
          c.types.has(type) &&
          c.units.has(orgUnitId) &&
          c.endpoint.enabled_at !== null &&
          c.endpoint.enabled_at <= at,
      )
      .map((c) => c.endpoint);
}

export function createWebhookCollector({
  db,
  clock,
  settleMs = 60_000,
  pageSize = 500,
  maxRowsPerRun = 5_000,
}: {
  db: Kysely<Database>;
  clock: Clock;
  /** How long a transaction may take between taking an event id and committing it. */
  settleMs?: number;
  pageSize?: number;
  maxRowsPerRun?: number;
}): WebhookCollector {
  const sources = [messageEvents, completedBatches, inboundMessages] as Source<unknown>[];
  const state = new Map<
    string,
    { mark: CursorPosition; checkpoint: { at: number; mark: CursorPosition } | null }
  >();

  /** Reads rows in (from, upTo] page by page and creates their deliveries. Returns the last position read. */
  async function scan(
    source: Source<unknown>,
    match: Matcher,
    from: CursorPosition,
    upTo: CursorPosition | null,
    budget: number,
  ): Promise<{ last: CursorPosition; rows: number }> {
    let last = from;
    let rows = 0;
    while (rows < budget) {
      const page = await source.read(db, last, upTo, Math.min(pageSize, budget - rows));
      if (page.length === 0) break;
      rows += page.length;
      const now = clock.now().toISOString();
      const deliveries: Insertable<WebhookDeliveryTable>[] = [];
      for (const row of page) {
        const endpoints = match(source.type, source.orgUnitId(row), source.occurredAt(row));
        if (endpoints.length === 0) continue;
        const payload = JSON.stringify(await source.payload(db, row));
        for (const e of endpoints) {
          deliveries.push({
            id: newId(),
            endpoint_id: e.id,
            event_type: source.type,
            event_key: source.eventKey(row),
            payload,
            state: 'pending',
            next_attempt_at: now,
            created_at: now,
          });
        }
      }
      await insertDeliveries(db, deliveries);
      last = source.position(page[page.length - 1]);
      if (page.length < pageSize) break;
    }
    return { last, rows };
  }

  let listening: boolean | null = null;
  return {
    get listening() {
      return listening;
    },
    async run() {
      const match = await loadMatcher(db);
      listening = !match.none;
      let total = 0;
      for (const source of sources) {
        const durable = await readCursor(db, source.name);
        const s = state.get(source.name) ?? { mark: durable, checkpoint: null };
        state.set(source.name, s);
        if (after(durable, s.mark)) s.mark = durable; // another process went further

        if (match.none) {
          // Nobody listens: an endpoint enabled later gets only later events, so skip reading.
          const latest = await source.latest(db);
          if (latest && after(latest, s.mark)) s.mark = latest;
        } else {
          const fresh = await scan(source, match, s.mark, null, maxRowsPerRun);
          s.mark = fresh.last;
          total += fresh.rows;
        }

        const nowMs = clock.now().getTime();
        if (s.checkpoint === null) s.checkpoint = { at: nowMs, mark: s.mark };
        else if (nowMs - s.checkpoint.at >= settleMs) {
          const upTo = s.checkpoint.mark;
          if (after(upTo, durable)) {
            if (!match.none) {
              const late = await scan(source, match, durable, upTo, Number.POSITIVE_INFINITY);
              total += late.rows;
            }
            await advanceCursor(db, source.name, upTo, clock.now().toISOString());
          }
          s.checkpoint = { at: nowMs, mark: s.mark };
        }
      }
      return total;
    },
  };
}
