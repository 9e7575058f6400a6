import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import type { Principal } from '../modules/auth/auth.permissions.js';
import type { EventBus } from '../modules/events/events.bus.js';
import type { Metrics } from './metrics.js';

/** Everything route handlers may use, wired once in start.ts. */
export interface AppDeps {
  db: Db;
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Status changes and other events, for SSE and webhooks (see events.bus.ts). */
  bus: EventBus;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    principal: Principal | null;
  };
};
