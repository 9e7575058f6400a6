/**
 * The dispatch worker of `herald serve` (mode `all`), run in a worker thread: claiming, submitting and
 * recording outcomes take as much CPU as the API itself, and on their own thread they no longer queue
 * behind (or hold up) HTTP requests. The thread has its own database connection (SQLite in WAL mode
 * lets it write while the API reads; writers take turns) and hands every status event to the main
 * thread, which publishes it on the process's bus (SSE streams, webhooks; NOTIFY on PostgreSQL).
 *
 * Messages from the main thread: `{ type: 'stop' }` → graceful stop, then `{ type: 'stopped' }`.
 * To the main thread: `{ type: 'started' }`, `{ type: 'events', events }`, `{ type: 'failed', error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { deferCheckpoints } from '../db/checkpoint.js';
import { createWorker } from '../dispatch/dispatch.worker.js';
import type { EventBus, HeraldEvent } from '../modules/events/events.bus.js';
import { openDatabase } from '../start.js';

export interface ServeWorkerData {
  /** The environment `herald serve` loaded its config from (with its command-line overrides). */
  env: Record<string, string | undefined>;
  /** SQLite: the main thread's write lock, so both threads' writers queue in one line (db/write-lock.ts). */
  writeLock?: SharedArrayBuffer;
}

export type FromServeWorker =
  | { type: 'started' }
  | { type: 'events'; events: HeraldEvent[] }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };

const port = parentPort;
if (!port) throw new Error('serve.worker.ts runs only as a worker thread of herald serve');
const send = (m: FromServeWorker) => port.postMessage(m);

/** Publishing hands the events to the main thread; nothing in the worker subscribes. */
const bridgeBus: EventBus = {
  async publish(events) {
    if (events.length > 0) send({ type: 'events', events: [...events] });
  },
  subscribe: () => () => {},
  async close() {},
};

try {
  const data = workerData as ServeWorkerData;
  const config = loadConfig(data.env);
  const logger = createLogger(config.logLevel);
  // Migrations ran in the main thread before this thread started.
  // Background: the API thread's writes (a send's answer, a gateway's callback) go first.
  const db = openDatabase(config, logger, { writeLock: data.writeLock, writeRole: 'background' });
  // The main thread's checkpoint thread does this connection's WAL checkpoints too (db/checkpoint.ts).
  if (db.sqlite) deferCheckpoints(db.sqlite);
  const worker = createWorker({ db, clock: systemClock, bus: bridgeBus, logger, config });
  worker.start();
  send({ type: 'started' });
  port.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    void (async () => {
      await worker.stop();
      await db.close();
      send({ type: 'stopped' });
      port.close();
    })();
  });
} catch (e) {
  send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
  port.close();
}
