import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import { isMessageStatus, STATUS_TABLE } from '../../core/status/index.js';
import type { Database } from '../../db/database.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';

/**
 * How far before the stream position rows are looked for again (periodic re-check, resume). Event ids
 * are UUIDv7 taken inside the writing transaction, so a transaction that commits late makes a row appear
 * behind ids already streamed; ids also come from several machines' clocks. 5 s covers slow commits and
 * NTP-synced clocks.
 */
export const EVENT_OVERLAP_MS = 5_000;
/** A resume point older than this replays only this much (and the client is told to reload). */
export const MAX_REPLAY_MS = 24 * 3_600_000;
const PAGE = 500;

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const isEventId = (id: string): boolean => UUID_V7.test(id);

/** The millisecond timestamp a UUIDv7 starts with. */
export function timeOfId(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The smallest id string of a millisecond: every UUIDv7 of that millisecond or later sorts at or after it. */
export function idFloor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** One event as the stream sends it. */
export interface StreamEvent {
  event: 'message.status' | 'batch.completed' | 'inbound.received';
  /** The SSE `id`: the stream position after this event (its own id, unless it arrived late). */
  id: string;
  data:
    | {
        type: 'message.status';
        eventId: string;
        messageId: string;
        orgUnitId: string;
        batchId: string | null;
        from: string | null;
        to: string;
        toLabel: string;
        applied: boolean;
        reason: string | null;
        source: string;
        at: string;
      }
    | { type: 'batch.completed'; eventId: string; batchId: string; orgUnitId: string; at: string }
    | {
        type: 'inbound.received';
        eventId: string;
        inboundId: string;
        orgUnitId: string;
        contactId: string | null;
        /** The keyword's action (`opt_out`, `opt_in`, `opt_in_if_opted_out`, `help`), null for a plain reply. */
        keywordAction: string | null;
        at: string;
      };
}

type Emit = (event: StreamEvent) => Promise<void>;
type Row = { eventId: string; make: (position: string) => StreamEvent };

/** What to look at: rows after a bound (`inclusive` or not), or exactly these event ids. */
type Range = { lower: string; inclusive: boolean } | { ids: readonly string[] };

async function messageRows(db: Kysely<Database>, scope: OrgScope, range: Range): Promise<Row[]> {
  let q = db
    .selectFrom('message_events as e')
    .innerJoin('messages as m', 'm.id', 'e.message_id')
    .select([
      'e.id',
      'e.message_id',
      'e.from_status',
      'e.to_status',
      'e.applied',
      'e.reason',
      'e.source',
      'e.occurred_at',
      'm.org_unit_id',
      'm.batch_id',
    ])
    .where(inOrgScope(scope, 'm.org_unit_id'));
  q =
    'ids' in range
      ? q.where('e.id', 'in', range.ids)
      : q.where('e.id', range.inclusive ? '>=' : '>', range.lower).limit(PAGE);
  const rows = await q.orderBy('e.id').execute();
  return rows.map((r) => ({
    eventId: r.id,
    make: (position) => ({
      event: 'message.status',
      id: position,
      data: {
        type: 'message.status',
        eventId: r.id,
        messageId: r.message_id,
        orgUnitId: r.org_unit_id,
        batchId: r.batch_id,
        from: r.from_status,
        to: r.to_status,
        toLabel: isMessageStatus(r.to_status) ? STATUS_TABLE[r.to_status].label : r.to_status,
        applied: Boolean(r.applied),
        reason: r.reason,
        source: r.source,
        at: r.occurred_at,
      },
    }),
  }));
}

async function batchRows(db: Kysely<Database>, scope: OrgScope, range: Range): Promise<Row[]> {
  let q = db
    .selectFrom('batch_completions')
    .select(['event_id', 'batch_id', 'org_unit_id', 'completed_at'])
    .where(inOrgScope(scope, 'org_unit_id'));
  q =
    'ids' in range
      ? q.where('event_id', 'in', range.ids)
      : q.where('event_id', range.inclusive ? '>=' : '>', range.lower).limit(PAGE);
  const rows = await q.orderBy('event_id').execute();
  return rows.map((r) => ({
    eventId: r.event_id,
    make: (position) => ({
      event: 'batch.completed',
      id: position,
      data: {
        type: 'batch.completed',
        eventId: r.event_id,
        batchId: r.batch_id,
        orgUnitId: r.org_unit_id,
        at: r.completed_at,
      },
    }),
  }));
}

async function inboundRows(db: Kysely<Database>, scope: OrgScope, range: Range): Promise<Row[]> {
  let q = db
    .selectFrom('inbound_messages')
    .select(['id', 'org_unit_id', 'contact_id', 'keyword_action', 'stored_at'])
    .where(inOrgScope(scope, 'org_unit_id'));
  q =
    'ids' in range
      ? q.where('id', 'in', range.ids)
      : q.where('id', range.inclusive ? '>=' : '>', range.lower).limit(PAGE);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    eventId: r.id,
    make: (position) => ({
      event: 'inbound.received',
      id: position,
      data: {
        type: 'inbound.received',
        eventId: r.id,
        inboundId: r.id,
        orgUnitId: r.org_unit_id,
        contactId: r.contact_id,
        keywordAction: r.keyword_action,
        at: r.stored_at,
      },
    }),
  }));
}

/** The durable sources of a stream; each row's id is a UUIDv7, so they merge in id order. */
const SOURCES = [messageRows, batchRows, inboundRows] as const;

/**
 * The reading side of one live stream, over the durable record: `message_events` (status changes),
 * `batch_completions` and `inbound_messages`, merged in id order (all UUIDv7). Scoped to the caller's org units.
 *
 * It keeps the *position* (the highest event id sent, or the resume point) and the ids it sent within
 * the overlap window before it, so re-reading that window (late commits) never sends an event twice on
 * one connection.
 */
export interface EventCursor {
  readonly position: string;
  /** Sends every unsent event after the position, in id order. */
  forward(emit: Emit): Promise<void>;
  /** Sends every unsent event from the overlap window before the position onwards. */
  recheck(emit: Emit): Promise<void>;
  /** Sends these events (ids from bus wake-ups that lie behind the position) if unsent and visible. */
  exactly(
    ids: {
      messageEvents: readonly string[];
      batchEvents: readonly string[];
      inboundEvents?: readonly string[];
    },
    emit: Emit,
  ): Promise<void>;
}

export async function openEventCursor({
  db,
  scope,
  lastEventId,
  overlapMs = EVENT_OVERLAP_MS,
}: {
  db: Kysely<Database>;
  scope: OrgScope;
  /** The client's `Last-Event-ID`, already checked with `isEventId`; none: start at "now". */
  lastEventId?: string;
  overlapMs?: number;
}): Promise<{ cursor: EventCursor; replayTruncated: boolean; resumeUnknown: boolean }> {
  // Ids come from the id generator's clock, so "now" is a fresh id, not the injectable clock.
  const nowId = newId();
  let position = nowId;
  let replayTruncated = false;
  let resumeUnknown = false;
  const sent = new Set<string>();
  const windowStart = () => idFloor(timeOfId(position) - overlapMs);

  const deliver = async (rows: Row[], emit: Emit) => {
    for (const row of rows) {
      if (sent.has(row.eventId)) continue;
      sent.add(row.eventId);
      if (row.eventId > position) position = row.eventId;
      await emit(row.make(position));
    }
  };

  const prune = () => {
    const start = windowStart();
    for (const id of sent) if (id < start) sent.delete(id);
  };

  const scan = async (lower: string, inclusive: boolean, emit: Emit) => {
    let range = { lower, inclusive };
    for (;;) {
      const pages = await Promise.all(SOURCES.map((source) => source(db, scope, range)));
      // A full page ends where its rows end; the other sources must not run ahead of it.
      let cut = null as string | null;
      for (const page of pages) {
        if (page.length < PAGE) continue;
        const last = page.at(-1)!.eventId;
        cut = cut === null || last < cut ? last : cut;
      }
      const merged = pages
        .flat()
        .filter((r) => cut === null || r.eventId <= cut)
        .sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
      await deliver(merged, emit);
      if (cut === null) break;
      range = { lower: cut, inclusive: false };
    }
    prune();
  };

  // A resume point ahead of now (forged, or a writer's clock far off) would silence the stream.
  if (lastEventId && timeOfId(lastEventId) > timeOfId(nowId) + overlapMs) resumeUnknown = true;
  if (lastEventId && !resumeUnknown) {
    const oldest = timeOfId(nowId) - MAX_REPLAY_MS;
    if (timeOfId(lastEventId) < oldest) {
      position = idFloor(oldest);
      replayTruncated = true;
    } else {
      position = lastEventId;
      sent.add(lastEventId);
    }
  } else {
    // Rows just before "now" were committed before the client connected: mark them sent, so the
    // overlap re-check does not push them as news.
    const start = windowStart();
    const pages = await Promise.all(
      SOURCES.map((source) => source(db, scope, { lower: start, inclusive: true })),
    );
    for (const r of pages.flat()) if (r.eventId <= nowId) sent.add(r.eventId);
  }

  const cursor: EventCursor = {
    get position() {
      return position;
    },
    forward: (emit) => scan(position, false, emit),
    recheck: (emit) => scan(windowStart(), true, emit),
    async exactly(ids, emit) {
      const fresh = (list: readonly string[]) => list.filter((id) => !sent.has(id)).slice(0, PAGE);
      const m = fresh(ids.messageEvents);
      const b = fresh(ids.batchEvents);
      const i = fresh(ids.inboundEvents ?? []);
      const rows = [
        ...(m.length > 0 ? await messageRows(db, scope, { ids: m }) : []),
        ...(b.length > 0 ? await batchRows(db, scope, { ids: b }) : []),
        ...(i.length > 0 ? await inboundRows(db, scope, { ids: i }) : []),
      ].sort((x, y) => (x.eventId < y.eventId ? -1 : 1));
      await deliver(rows, emit);
    },
  };
  return { cursor, replayTruncated, resumeUnknown };
}
