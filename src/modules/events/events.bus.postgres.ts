import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import { type EventBus, type HeraldEvent, notifyBusClosed } from './events.bus.js';

/** The NOTIFY channel; one per database (PostgreSQL scopes channels to a database). */
export const DEFAULT_EVENTS_CHANNEL = 'herald_events';

/** PostgreSQL refuses payloads of 8000 bytes or more; stay clearly below. */
export const MAX_NOTIFY_BYTES = 7900;

const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message.status'),
    eventId: z.string(),
    messageId: z.string(),
    orgUnitId: z.string(),
    batchId: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string(),
    applied: z.boolean(),
    at: z.string(),
  }),
  z.object({
    type: z.literal('batch.completed'),
    eventId: z.string().optional(),
    batchId: z.string(),
    orgUnitId: z.string(),
    at: z.string(),
  }),
  z.object({
    type: z.literal('inbound.received'),
    eventId: z.string(),
    inboundId: z.string(),
    orgUnitId: z.string(),
    keywordAction: z.string().nullable(),
    at: z.string(),
  }),
]);

/** One NOTIFY payload: the publishing bus (`o`, to skip our own) and events that carry ids, not bodies. */
const payloadSchema = z.object({ v: z.literal(1), o: z.string(), e: z.array(z.unknown()) });

export interface PostgresEventBus extends EventBus {
  /** Resolves once the listener connection is LISTENing for the first time (never when `listen` is off). */
  ready(): Promise<void>;
}

export interface PostgresEventBusOptions {
  /** Publishes through this (pooled) connection: `SELECT pg_notify(…)`. */
  db: Kysely<Database>;
  /** Connection string of the same database, for the one dedicated listener connection. */
  url: string;
  /** Lower-case letters, digits and `_`. Default `herald_events`. */
  channel?: string;
  /** Open the listener (default true). Off for processes that only publish, such as a CLI command. */
  listen?: boolean;
  logger?: Logger;
  /** Reconnect delays of the listener: doubling from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs: number; maxMs: number };
}

/** Groups events into JSON payloads under the NOTIFY limit (an event that is too large alone is dropped). */
export function packPayloads(origin: string, events: readonly HeraldEvent[], logger?: Logger): string[] {
  const head = `{"v":1,"o":${JSON.stringify(origin)},"e":[`;
  const out: string[] = [];
  let parts: string[] = [];
  let size = Buffer.byteLength(head) + 2;
  for (const event of events) {
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json) + 1;
    if (Buffer.byteLength(head) + 2 + bytes > MAX_NOTIFY_BYTES) {
      logger?.warn('event too large for NOTIFY, not published across processes', { type: event.type });
      continue;
    }
    if (size + bytes > MAX_NOTIFY_BYTES) {
      out.push(`${head}${parts.join(',')}]}`);
      parts = [];
      size = Buffer.byteLength(head) + 2;
    }
    parts.push(json);
    size += bytes;
  }
  if (parts.length > 0) out.push(`${head}${parts.join(',')}]}`);
  return out;
}

/**
 * The event bus across processes: every API and worker process publishes with `NOTIFY` and listens
 * with `LISTEN` on one dedicated connection, so a status change made by a worker reaches SSE streams
 * served by any API process.
 *
 * - Handlers in this process get its own events at once (not through the database); notifications the
 *   bus sent itself are skipped.
 * - Payloads carry ids and statuses only (never message bodies), many events per NOTIFY, each payload
 *   under 8000 bytes.
 * - The listener reconnects with exponential backoff when its connection drops; events published
 *   meanwhile by other processes are not delivered here (best effort, like every bus): consumers that
 *   must not miss anything read `message_events` and use the bus as a wake-up.
 * - `publish` never throws: an event that cannot be sent is logged (the change itself is committed).
 */
export function createPostgresBus(options: PostgresEventBusOptions): PostgresEventBus {
  const channel = options.channel ?? DEFAULT_EVENTS_CHANNEL;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid NOTIFY channel name: ${channel}`);
  const { logger } = options;
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 30_000 };
  const origin = randomUUID();
  const handlers = new Set<(event: HeraldEvent) => void>();
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let closed = false;
  let markReady = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const deliver = (event: HeraldEvent) => {
    for (const h of handlers) {
      queueMicrotask(() => {
        try {
          h(event);
        } catch {
          // a broken subscriber must not break the others
        }
      });
    }
  };

  const receive = (payload: string) => {
    let parsed: z.infer<typeof payloadSchema>;
    try {
      parsed = payloadSchema.parse(JSON.parse(payload));
    } catch {
      logger?.warn('unreadable event notification ignored', { channel });
      return;
    }
    if (parsed.o === origin) return;
    for (const raw of parsed.e) {
      const event = eventSchema.safeParse(raw);
      if (event.success) deliver(event.data);
    }
  };

  const scheduleReconnect = () => {
    if (closed || timer) return;
    const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
    attempt++;
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
  };

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({
      connectionString: options.url,
      application_name: 'herald-events',
      keepAlive: true,
    });
    client = c;
    let down = false;
    const onDown = (e?: Error) => {
      if (down) return;
      down = true;
      if (client === c) client = null;
      c.removeAllListeners('notification');
      c.end().catch(() => {});
      if (!closed) {
        logger?.warn('event listener disconnected, reconnecting', {
          error: e?.message ?? 'connection ended',
        });
        scheduleReconnect();
      }
    };
    c.on('error', onDown);
    c.on('end', () => onDown());
    c.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload) receive(msg.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (down || closed) return;
      if (attempt > 0) logger?.info('event listener reconnected', { channel });
      attempt = 0;
      markReady();
    } catch (e) {
      onDown(e instanceof Error ? e : new Error(String(e)));
    }
  };

  if (options.listen !== false) void connect();

  const bus: PostgresEventBus = {
    async publish(events) {
      if (events.length === 0 || closed) return;
      for (const e of events) deliver(e);
      const payloads = packPayloads(origin, events, logger);
      try {
        await sql`select pg_notify(${channel}, p) from unnest(${payloads}::text[]) as p`.execute(options.db);
      } catch (e) {
        logger?.warn('could not publish events to other processes', {
          error: e instanceof Error ? e.message : String(e),
          events: events.length,
        });
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    ready: () => readyPromise,
    async close() {
      closed = true;
      clearTimeout(timer);
      handlers.clear();
      const c = client;
      client = null;
      notifyBusClosed(bus);
      if (c) await c.end().catch(() => {});
    },
  };
  return bus;
}
