import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { createSecretBox, type SecretBox } from '../../core/secrets.js';
import type { Database } from '../../db/database.js';
import type { EventBus } from '../events/events.bus.js';
import { createWebhookCollector } from './webhooks.collect.js';
import { type DeliverDeps, deliverDue } from './webhooks.deliver.js';
import { endpointsChangeGeneration, pruneDeliveries } from './webhooks.repository.js';
import { type LookupFn, systemLookup } from './webhooks.ssrf.js';
import { nodeTransport, type WebhookTransport } from './webhooks.transport.js';

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** For the coalesced bus wake-ups (the global ones when absent); `fn` returns the round's promise. */
  setTimeout?(fn: () => Promise<void>, ms: number): unknown;
  clearTimeout?(handle: unknown): void;
}
const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** How long a bus wake-up waits for more events before its round starts (the default). */
export const WEBHOOK_COALESCE_MS = 100;

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
 * The webhook loop of one process: a round every `HERALD_WEBHOOKS_INTERVAL_MS`, and soon after the bus
 * reports an applied status change, a completed batch or a stored inbound message. Rounds never
 * overlap; a wake-up during a round runs one more round after it. Several processes may run it against
 * one database (deliveries are unique per endpoint and event, attempts are claimed).
 *
 * Bus wake-ups are coalesced: the first one schedules a round `coalesceMs` later and the events that
 * arrive meanwhile join it, so a burst of events costs one round instead of one per event. Nothing is
 * lost by this: a round reads the durable record from the collector's cursor, not the events, so it
 * picks up every row committed before it starts; a row committed during a round has its wake-up set
 * `again`, and the round after reads it. Bus wake-ups are skipped altogether while the last round
 * found no enabled endpoint and no endpoint was written through this process since (see
 * `endpointsChangeGeneration`); the interval rounds always run, so an endpoint enabled by another
 * process is noticed within one interval, and its events are still read from the durable record.
 */
export function startWebhookWorker({
  bus,
  timers = realTimers,
  settleMs,
  coalesceMs = WEBHOOK_COALESCE_MS,
  onRound,
  ...opts
}: Parameters<typeof deliverDepsFromConfig>[0] & {
  bus?: EventBus;
  timers?: Timers;
  settleMs?: number;
  /** How long a bus wake-up waits for more events before its round starts. */
  coalesceMs?: number;
  /** Called at the start of every round (tests count rounds with it). */
  onRound?: () => void;
}): WebhookWorker {
  const deps = deliverDepsFromConfig(opts);
  const collector = createWebhookCollector({ db: opts.db, clock: opts.clock, settleMs });
  let lastPrune = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let pending: unknown = null;
  /** The endpoints generation at which a round last found no enabled endpoint (null: unknown or some). */
  let idleAt: number | null = null;

  const round = async () => {
    onRound?.();
    const generation = endpointsChangeGeneration();
    await collector.run();
    idleAt = collector.listening === false ? generation : null;
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

  /** A bus wake-up: one round `coalesceMs` from now for all the events until then. */
  const wake = () => {
    if (stopped || pending !== null) return;
    if (idleAt !== null && idleAt === endpointsChangeGeneration()) return; // nobody listens
    const fire = () => {
      pending = null;
      return tick();
    };
    pending = timers.setTimeout ? timers.setTimeout(fire, coalesceMs) : setTimeout(fire, coalesceMs);
  };

  const handle = timers.setInterval(() => void tick(), opts.config.webhooksIntervalMs);
  const unsubscribe = bus?.subscribe((e) => {
    if (
      e.type === 'batch.completed' ||
      e.type === 'inbound.received' ||
      (e.type === 'message.status' && e.applied)
    ) {
      wake();
    }
  });

  return {
    tick,
    async stop() {
      stopped = true;
      timers.clearInterval(handle);
      if (pending !== null) {
        if (timers.clearTimeout) timers.clearTimeout(pending);
        else clearTimeout(pending as ReturnType<typeof setTimeout>);
      }
      pending = null;
      unsubscribe?.();
      await running;
    },
  };
}
