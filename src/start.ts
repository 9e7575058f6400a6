import { serve } from '@hono/node-server';
import type { Config } from './config/config.js';
import { type Clock, systemClock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { type Db, migrateToLatest, openDb } from './db/db.js';
import { createApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { isSetupNeeded } from './modules/auth/auth.usecases.js';
import { createMemoryBus } from './modules/events/events.bus.js';

/** The one composition root: config → db → app → listener. */
export function openDatabase(config: Config, logger?: Logger): Db {
  return config.database.kind === 'sqlite'
    ? openDb({ kind: 'sqlite', file: config.database.file })
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
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  opts: { clock?: Clock; logger?: Logger } = {},
): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = openDatabase(config, logger);
  try {
    if (config.autoMigrate) {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) logger.info('database migrated', { applied });
    }
    const bus = createMemoryBus();
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
      async stop() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await bus.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
