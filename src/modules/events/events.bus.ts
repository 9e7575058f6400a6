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
  | { type: 'batch.completed'; batchId: string; orgUnitId: string; at: string };

export type HeraldEventType = HeraldEvent['type'];

export interface EventBus {
  publish(events: readonly HeraldEvent[]): Promise<void>;
  /** Returns the function that unsubscribes. Handlers must not throw (errors are swallowed). */
  subscribe(handler: (event: HeraldEvent) => void): () => void;
  close(): Promise<void>;
}

/** One process: handlers run on a later microtask, never inside the publisher's call stack. */
export function createMemoryBus(): EventBus {
  const handlers = new Set<(event: HeraldEvent) => void>();
  return {
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
    },
  };
}
