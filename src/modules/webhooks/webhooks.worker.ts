import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { createSecretBox, type SecretBox } from '../../core/secrets.js';
import type { Database } from '../../db/database.js';
import type { EventBus } from '../events/events.bus.js';
import { createWebhookCollector } from './webhooks.collect.js';
import { type DeliverDeps, deliverDue } from './webhooks.deliver.js';
import { pruneDeliveries } from './webhooks.repository.js';
import { type LookupFn, systemLookup } from './webhooks.ssrf.js';
import { nodeTransport, type WebhookTransport } from './webhooks.transport.js';

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}
const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** The delivery dependencies as the configuration says (shared by the loop and the API's test send). */
export function deliverDepsFromConfig({
  db,
  config,
  clock,
  logger,
  box,
  lookup = systemLookup,
  transport = nodeTransport,
  random,
}: {
  db: Kysely<Database>;
  config: Config;
  clock: Clock;
  logger: Logger;
  box?: SecretBox;
  lookup?: LookupFn;
  transport?: WebhookTransport;
  random?: () => number;
}): DeliverDeps {
  return {
    db,
    clock,
    logger,
    box: box ?? createSecretBox({ key: config.encryptionKey, dataDir: config.dataDir }),
    policy: { allowPrivate: config.webhooksAllowPrivate, allowHttp: config.webhooksAllowHttp, lookup },
    transport,
    timeoutMs: config.webhooksTimeoutSeconds * 1000,
    maxAttempts: config.webhooksMaxAttempts,
    random,
  };
}

export interface WebhookWorker {
  /** One round: collect new events into deliveries, attempt what is due, prune old deliveries hourly. */
  tick(): Promise<void>;
  /** Stops the timer and the bus subscription and waits for the round in progress. */
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 3_600_000;

/**
 * The webhook loop of one process: a round every `HERALD_WEBHOOKS_INTERVAL_MS`, and at once when the
 * bus reports an applied status change or a completed batch. Rounds never overlap; a wake-up during a
 * round runs one more round after it. Several processes may run it against one database (deliveries
 * are unique per endpoint and event, attempts are claimed).
 */
export function startWebhookWorker({
  bus,
  timers = realTimers,
  settleMs,
  ...opts
}: Parameters<typeof deliverDepsFromConfig>[0] & {
  bus?: EventBus;
  timers?: Timers;
  settleMs?: number;
}): WebhookWorker {
  const deps = deliverDepsFromConfig(opts);
  const collector = createWebhookCollector({ db: opts.db, clock: opts.clock, settleMs });
  let lastPrune = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const round = async () => {
    await collector.run();
    await deliverDue(deps);
    const now = opts.clock.now().getTime();
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = now;
      const before = new Date(now - opts.config.webhooksRetentionDays * 86_400_000).toISOString();
      await pruneDeliveries(opts.db, before);
    }
  };

  const tick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await round().catch((e: unknown) =>
            opts.logger.error('webhook round failed', { error: e instanceof Error ? e.message : String(e) }),
          );
        } while (again && !stopped);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const handle = timers.setInterval(() => void tick(), opts.config.webhooksIntervalMs);
  const unsubscribe = bus?.subscribe((e) => {
    if (e.type === 'batch.completed' || (e.type === 'message.status' && e.applied)) void tick();
  });

  return {
    tick,
    async stop() {
      stopped = true;
      timers.clearInterval(handle);
      unsubscribe?.();
      await running;
    },
  };
}
