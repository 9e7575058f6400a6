import { serve } from '@hono/node-server';
import type { Config } from './config/config.js';
import { type Clock, systemClock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { type Checkpointer, startCheckpointer } from './db/checkpoint.js';
import { type Db, migrateToLatest, openDb } from './db/db.js';
import type { WriteRole } from './db/write-lock.js';
import { createWorker, type Worker } from './dispatch/dispatch.worker.js';
import { createApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { isSetupNeeded } from './modules/auth/auth.usecases.js';
import { openEventBus } from './modules/events/events.bus.factory.js';
import type { EventBus } from './modules/events/events.bus.js';
import { startInboundPartsSweeper } from './modules/inbound/inbound.sweeper.js';
import { startWebhookWorker } from './modules/webhooks/webhooks.worker.js';

/** The one composition root: config → db → app → listener. */
export function openDatabase(
  config: Config,
  logger?: Logger,
  opts: { writeLock?: SharedArrayBuffer; writeRole?: WriteRole } = {},
): Db {
  return config.database.kind === 'sqlite'
    ? openDb({
        kind: 'sqlite',
        file: config.database.file,
        writeLock: opts.writeLock,
        writeRole: opts.writeRole,
      })
    : openDb({
        kind: 'postgres',
        url: config.database.url,
        poolSize: config.databasePoolSize,
        onIdleError: (e) => logger?.warn('idle database connection failed', { error: e.message }),
      });
}

export interface RunningServer {
  url: string;
  db: Db;
  logger: Logger;
  /** This process's event bus (a worker on another thread publishes through it). */
  bus: EventBus;
  stop(): Promise<void>;
}

/**
 * `mode`: `all` (the default) runs the dispatch worker in this process too; `api` runs none (workers run
 * as `herald worker` elsewhere).
 */
export async function startServer(
  config: Config,
  opts: { clock?: Clock; logger?: Logger; mode?: 'all' | 'api' } = {},
): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = openDatabase(config, logger);
  let checkpointer: Checkpointer | null = null;
  try {
    if (config.autoMigrate) {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) logger.info('database migrated', { applied });
    }
    // SQLite: WAL checkpoints (the only disk waits of a commit) on a thread of their own.
    checkpointer =
      db.sqlite && !db.sqlite.memory
        ? startCheckpointer(db.sqlite, (error) => logger.warn('WAL checkpoint failed', { error }))
        : null;
    // PostgreSQL: LISTEN/NOTIFY, so changes made by worker processes reach SSE streams here.
    const bus = openEventBus({ db, config, logger });
    const app = createApp({
      db,
      config,
      clock: opts.clock ?? systemClock,
      logger,
      metrics: createMetrics(),
      bus,
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
      s.once('error', reject);
    });
    // Status webhooks: events become durable deliveries and are sent (safe in several processes).
    const webhooks = startWebhookWorker({
      db: db.kysely,
      config,
      clock: opts.clock ?? systemClock,
      logger,
      bus,
    });
    // Long inbound messages whose last parts never came are stored once their window has passed.
    const inboundParts = startInboundPartsSweeper({
      db: db.kysely,
      config,
      clock: opts.clock ?? systemClock,
      logger,
      bus,
    });
    // Mode `all`: the dispatch worker runs here too (started once the listener is up).
    const worker =
      (opts.mode ?? 'all') === 'all'
        ? createWorker({ db, clock: opts.clock ?? systemClock, bus, logger, config })
        : null;
    worker?.start();
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    logger.info('herald listening', { url, database: db.dialect });
    if (await isSetupNeeded(db.kysely)) {
      logger.warn('no administrator yet', {
        next: `open ${url}/ in a browser to create the first administrator, or run: herald admin create`,
      });
    }
    return {
      url,
      db,
      logger,
      bus,
      async stop() {
        // First: the worker finishes its submits and publishes their outcomes while the bus is open.
        await worker?.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Closing the bus ends the live (SSE) streams, which would otherwise hold the server open.
        await bus.close();
        // Their connections become idle only once the streams have ended: close them as they do.
        const idle = setInterval(() => {
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        }, 20);
        await closed.finally(() => clearInterval(idle));
        await webhooks.stop();
        await inboundParts.stop();
        await checkpointer?.stop();
        await db.close();
      },
    };
  } catch (e) {
    await checkpointer?.stop();
    await db.close();
    throw e;
  }
}

export interface RunningWorker {
  worker: Worker;
  db: Db;
  logger: Logger;
  stop(): Promise<void>;
}

/** `herald worker`: the dispatch worker alone (no HTTP), e.g. several of them against one PostgreSQL. */
export async function startWorkerProcess(
  config: Config,
  opts: { clock?: Clock; logger?: Logger } = {},
): Promise<RunningWorker> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = openDatabase(config, logger);
  try {
    if (config.autoMigrate) {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) logger.info('database migrated', { applied });
    }
    // Publishes only: on PostgreSQL its status changes reach the API processes' SSE streams by NOTIFY.
    const bus = openEventBus({ db, config, logger, listen: false });
    const worker = createWorker({ db, clock: opts.clock ?? systemClock, bus, logger, config });
    worker.start();
    return {
      worker,
      db,
      logger,
      async stop() {
        await worker.stop();
        await bus.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
