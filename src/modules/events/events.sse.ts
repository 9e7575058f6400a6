import type { SSEStreamingApi } from 'hono/streaming';
import type { Kysely } from 'kysely';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import { canSeeOrgUnit, type OrgScope } from '../auth/auth.permissions.js';
import { type EventBus, type HeraldEvent, onBusClosed } from './events.bus.js';
import { EVENT_OVERLAP_MS, isEventId, openEventCursor, type StreamEvent } from './events.stream.js';

/** How long a browser waits before reconnecting after the stream ends (SSE `retry`). */
const RETRY_MS = 2_000;

export interface LiveStreamOptions {
  db: Kysely<Database>;
  bus: EventBus;
  scope: OrgScope;
  logger: Logger;
  /** `Last-Event-ID` as the client sent it (checked here). */
  lastEventId: string | undefined;
  heartbeatMs: number;
  /** The stream ends after this long; the client reconnects and is authenticated again. */
  maxDurationMs: number;
  overlapMs?: number;
}

/**
 * Serves one live stream until the client goes away or `maxDurationMs` passes.
 *
 * The durable record is the source; the bus only wakes the stream up:
 * - a wake-up for an event after the position reads forward from the position;
 * - a wake-up for an event behind the position (its transaction committed late) fetches exactly that
 *   event, so it is not lost and nothing else is sent twice;
 * - every heartbeat re-reads the overlap window, for wake-ups the bus lost (a reconnecting listener,
 *   another process without a shared bus).
 * Wake-ups arriving while a read runs are merged into one next read. Events of other org units never
 * wake the stream and are never read (every query is scoped).
 */
export async function runLiveStream(stream: SSEStreamingApi, o: LiveStreamOptions): Promise<void> {
  let ended = false;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = () => {
      ended = true;
      resolve();
    };
  });
  stream.onAbort(finish);
  // Shutting down: end the stream (the client reconnects to another process, or later).
  const offClosed = onBusClosed(o.bus, finish);

  const emit = async (e: StreamEvent) => {
    if (ended) return;
    await stream.writeSSE({ event: e.event, id: e.id, data: JSON.stringify(e.data) });
  };

  // Subscribe before the cursor takes its position, so nothing committed in between goes unnoticed.
  const pending = {
    forward: false,
    recheck: false,
    messageEvents: new Set<string>(),
    batchEvents: new Set<string>(),
    inboundEvents: new Set<string>(),
  };
  let running = false;
  let ready = false;
  let cursor: Awaited<ReturnType<typeof openEventCursor>>['cursor'] | undefined;

  const drain = async () => {
    if (running || !ready || !cursor) return;
    running = true;
    try {
      while (
        !ended &&
        (pending.forward ||
          pending.recheck ||
          pending.messageEvents.size ||
          pending.batchEvents.size ||
          pending.inboundEvents.size)
      ) {
        const late = {
          messageEvents: [...pending.messageEvents],
          batchEvents: [...pending.batchEvents],
          inboundEvents: [...pending.inboundEvents],
        };
        const recheck = pending.recheck;
        pending.messageEvents.clear();
        pending.batchEvents.clear();
        pending.inboundEvents.clear();
        pending.forward = false;
        pending.recheck = false;
        if (late.messageEvents.length || late.batchEvents.length || late.inboundEvents.length) {
          await cursor.exactly(late, emit);
        }
        if (recheck) await cursor.recheck(emit);
        else await cursor.forward(emit);
      }
    } catch (e) {
      // The client reconnects with its Last-Event-ID and loses nothing.
      o.logger.warn('live stream read failed; closing it', {
        error: e instanceof Error ? e.message : String(e),
      });
      finish();
    } finally {
      running = false;
    }
  };

  const wake = (event: HeraldEvent) => {
    if (ended || !canSeeOrgUnit(o.scope, event.orgUnitId)) return;
    const id = event.eventId;
    if (id === undefined) pending.recheck = true;
    else if (cursor && id <= cursor.position) {
      const late = {
        'message.status': pending.messageEvents,
        'batch.completed': pending.batchEvents,
        'inbound.received': pending.inboundEvents,
      }[event.type];
      late.add(id);
    } else pending.forward = true;
    void drain();
  };
  const unsubscribe = o.bus.subscribe(wake);

  const heartbeat = setInterval(() => {
    void stream.write(': heartbeat\n\n');
    pending.recheck = true;
    void drain();
  }, o.heartbeatMs);
  const lifetime = setTimeout(finish, o.maxDurationMs);

  try {
    await stream.write(`retry: ${RETRY_MS}\n\n`);
    const resumeFrom = o.lastEventId?.trim().toLowerCase();
    const valid = resumeFrom !== undefined && resumeFrom !== '' && isEventId(resumeFrom);
    const opened = await openEventCursor({
      db: o.db,
      scope: o.scope,
      ...(valid ? { lastEventId: resumeFrom } : {}),
      overlapMs: o.overlapMs ?? EVENT_OVERLAP_MS,
    });
    cursor = opened.cursor;
    // From here on nothing committed is missed: tell the client (tests wait for it).
    await stream.write(': ready\n\n');
    const unknown = (resumeFrom !== undefined && resumeFrom !== '' && !valid) || opened.resumeUnknown;
    if (opened.replayTruncated || unknown) {
      // The client's view may have gaps we cannot fill: it should reload what it shows.
      await stream.writeSSE({
        event: 'reset',
        data: JSON.stringify({ reason: unknown ? 'unknown_resume_point' : 'resume_point_too_old' }),
      });
    }
    ready = true;
    // A resume replays from the overlap window before the resume point (at-least-once); a fresh
    // stream reads whatever arrived while it was opening.
    if (valid && !opened.resumeUnknown) pending.recheck = true;
    else pending.forward = true;
    void drain();
    await finished;
  } catch (e) {
    o.logger.warn('live stream failed to start', { error: e instanceof Error ? e.message : String(e) });
  } finally {
    ended = true;
    offClosed();
    unsubscribe();
    clearInterval(heartbeat);
    clearTimeout(lifetime);
  }
}
