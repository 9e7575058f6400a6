import type { Config } from '../../config/config.js';
import type { Logger } from '../../core/logger.js';
import type { Db } from '../../db/db.js';
import { createMemoryBus, type EventBus } from './events.bus.js';
import { createPostgresBus, DEFAULT_EVENTS_CHANNEL } from './events.bus.postgres.js';

/**
 * The bus for this process: PostgreSQL LISTEN/NOTIFY when the database is PostgreSQL (so API and worker
 * processes share events), in memory otherwise. `listen: false` for processes that only publish (CLI).
 * Installs sharing one database in different schemas get a channel per schema.
 */
export function openEventBus({
  db,
  config,
  logger,
  listen = true,
}: {
  db: Db;
  config: Pick<Config, 'database'>;
  logger?: Logger;
  listen?: boolean;
}): EventBus {
  if (db.dialect !== 'postgres' || config.database.kind !== 'postgres') return createMemoryBus();
  const suffix = db.schema?.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return createPostgresBus({
    db: db.kysely,
    url: config.database.url,
    channel: suffix ? `${DEFAULT_EVENTS_CHANNEL}_${suffix}`.slice(0, 63) : DEFAULT_EVENTS_CHANNEL,
    listen,
    ...(logger ? { logger } : {}),
  });
}
