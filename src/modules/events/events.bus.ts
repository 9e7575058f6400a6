/**
 * The event bus: how a status change made in one place (a worker, a delivery report, a cancel) reaches
 * the places that react (SSE streams to browsers, webhooks). In one process it is in memory
 * (`createMemoryBus`); with PostgreSQL it carries events across processes (LISTEN/NOTIFY).
 *
 * Publish AFTER the change is committed: subscribers may read the database and must see it.
 * Delivery is at-most-once and best effort; consumers that must not miss anything (SSE resume,
 * webhooks) read the durable record (`message_events`) and use the bus as a wake-up.
 */
export type HeraldEvent =
  | {
      type: 'message.status';
      /** The `message_events` row of this change (time-ordered id). */
      eventId: string;
      messageId: string;
      orgUnitId: string;
      batchId: string | null;
      from: string | null;
      to: string;
      /** False when the status machine ignored it (a late or duplicate report). */
      applied: boolean;
      at: string;
    }
  | {
      type: 'batch.completed';
      /** The `batch_completions` row (time-ordered id, same sequence as `message_events`). */
      eventId?: string;
      batchId: string;
      orgUnitId: string;
      at: string;
    }
  | {
      type: 'inbound.received';
      /** The `inbound_messages` row's id (time-ordered, same sequence as `message_events`). */
      eventId: string;
      inboundId: string;
      orgUnitId: string;
      /** The keyword's action (`opt_out`, `opt_in`, …) when the text was one; never the text itself. */
      keywordAction: string | null;
      at: string;
    };

export type HeraldEventType = HeraldEvent['type'];

export interface EventBus {
  publish(events: readonly HeraldEvent[]): Promise<void>;
  /** Returns the function that unsubscribes. Handlers must not throw (errors are swallowed). */
  subscribe(handler: (event: HeraldEvent) => void): () => void;
  close(): Promise<void>;
}

const closeListeners = new WeakMap<EventBus, Set<() => void>>();

/**
 * Runs `fn` when `bus` is closed (the process is shutting down): long-lived consumers such as SSE
 * streams end then, instead of holding the HTTP server open. Returns the function that unregisters.
 * Buses made by `createMemoryBus` and `createPostgresBus` support it; for others it never fires.
 */
export function onBusClosed(bus: EventBus, fn: () => void): () => void {
  let set = closeListeners.get(bus);
  if (!set) {
    set = new Set();
    closeListeners.set(bus, set);
  }
  set.add(fn);
  return () => set.delete(fn);
}

/** Called by bus implementations in `close()`. */
export function notifyBusClosed(bus: EventBus): void {
  const set = closeListeners.get(bus);
  closeListeners.delete(bus);
  for (const fn of set ?? []) {
    try {
      fn();
    } catch {
      // a listener must not stop the others
    }
  }
}

/** One process: handlers run on a later microtask, never inside the publisher's call stack. */
export function createMemoryBus(): EventBus {
  const handlers = new Set<(event: HeraldEvent) => void>();
  const bus: EventBus = {
    async publish(events) {
      for (const e of events) {
        for (const h of handlers) {
          queueMicrotask(() => {
            try {
              h(e);
            } catch {
              // a broken subscriber must not break the publisher or the others
            }
          });
        }
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
      notifyBusClosed(bus);
    },
  };
  return bus;
}
