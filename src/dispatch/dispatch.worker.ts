import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import { opsRunnerFor } from '../db/ops.js';
import { transactionsFor } from '../db/tx-group.js';
import type { EventBus } from '../modules/events/events.bus.js';
import type { CommittedStatusChange } from '../modules/events/events.publish.js';
import { listProviderAccounts, type ProviderAccountRow } from '../modules/gateways/gateways.repository.js';
import type { Provider } from '../providers/provider.contract.js';
import { claimDue, expireUnsent, promoteScheduled, recoverExpiredLeases } from './dispatch.claim.js';
import { type DispatchContext, publish, realSleep, type Sleep } from './dispatch.context.js';
import { createPolicyChecker } from './dispatch.policy.js';
import { createProviderPool, type ProviderOpener, withSubmitJournal } from './dispatch.providers.js';
import {
  createRateLimiter,
  DEFAULT_RATE_HEADROOM,
  DEFAULT_RATE_HORIZON_MS,
  lateToleranceMs,
} from './dispatch.rate.js';
import { registryOpenerFor } from './dispatch.sink.js';
import { checkStatusTimeouts } from './dispatch.status-timeout.js';
import { processClaimed } from './dispatch.submit.js';
import { dispatchDb } from './dispatch.tables.js';

/**
 * The settings the worker reads (see config.declarations.ts): its own, and through the adapters' deps
 * the gateway policy (`gatewaysAllowPrivate`, the encryption key) and inbound handling.
 */
export type WorkerConfig = Config;

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  config: WorkerConfig;
  /**
   * Opens the adapter of a provider account. Default: the registry (`openProvider`) with the sealed
   * credentials opened, the guarded fetch and host guard, the account's sink and the worker's logger
   * (`registryOpenerFor`).
   */
  providers?: ProviderOpener;
  /** Default: `<hostname>:<pid>:<random>`. Must be unique among running workers. */
  workerId?: string;
  /** Default: real timers. Tests pass one that moves their clock. */
  sleep?: Sleep;
  /** Dice of the retry jitter. Default `Math.random`. */
  random?: () => number;
  /** Tokens a message costs on an account. Default 1 (messages per second); return `parts` for a gateway that counts parts. */
  rateCost?: (account: ProviderAccountRow, parts: number) => number;
  /** Rate-limit tuning (see dispatch.rate.ts). */
  rate?: { horizonMs?: number; headroom?: number; maxWaitMs?: number };
  /** How often the status timeout is checked. Default 60 s. */
  statusCheckEveryMs?: number;
  /** Rows each sweep (promote, expire, recover) moves at most per round. Default 500. */
  sweepLimit?: number;
  /**
   * How often the worker looks for accounts whose adapter has a connection of its own (`listen`) to
   * open, or that changed (the old connection is closed). Default 30 s.
   */
  listenEveryMs?: number;
}

export interface Worker {
  readonly id: string;
  /** Runs the loop in the background until `stop()`. */
  start(): void;
  /**
   * Graceful shutdown: stops claiming, lets submits already started finish and record their outcome,
   * puts claimed messages that were not submitted yet back to `queued`, closes the adapters.
   */
  stop(): Promise<void>;
  /** One round, awaited to the end: the sweeps, one claim of up to a batch, each claimed message processed. */
  runOnce(): Promise<{ claimed: number }>;
  /** Promote due scheduled messages, expire unsent ones, recover expired leases. */
  sweep(): Promise<void>;
  checkStatusTimeouts(): Promise<number>;
  /** Messages this worker is processing right now. */
  readonly inFlight: number;
}

export const defaultWorkerId = () => `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/**
 * The dispatch worker: claims due messages in small batches with a lease, checks validity and policy
 * again, waits for the account's shared rate slot, submits, and records the outcome through the status
 * machine, publishing every change after its commit. Several workers (threads of this loop in one
 * process, or processes on several machines against one PostgreSQL) share the queue and the limits.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { db, clock, logger, config } = deps;
  const id = deps.workerId ?? defaultWorkerId();
  const ddb = dispatchDb(db.kysely);
  const abort = new AbortController();
  // Every waiting message listens for the stop: many listeners on this signal are expected.
  setMaxListeners(0, abort.signal);
  const opener = deps.providers ?? registryOpenerFor({ db: db.kysely, clock, bus: deps.bus, logger, config });
  const journal = config.submitJournal;
  const pool = createProviderPool(
    journal ? (account) => withSubmitJournal(opener(account), journal, account.id) : opener,
  );
  const horizonMs = deps.rate?.horizonMs ?? DEFAULT_RATE_HORIZON_MS;
  // SQLite: the per-message writes of the messages in flight share commits (one writer at a time).
  // PostgreSQL: one-statement writes run on their own, without BEGIN/COMMIT round trips.
  const runWrite = opsRunnerFor(ddb, (fn) => fn(ddb));
  const ctx: DispatchContext = {
    db: db.kysely,
    ddb,
    dialect: db.dialect,
    clock,
    bus: deps.bus,
    logger,
    workerId: id,
    random: deps.random ?? Math.random,
    sleep: deps.sleep ?? realSleep,
    limiter: createRateLimiter({
      db: ddb,
      run: runWrite,
      clock,
      horizonMs,
      headroom: deps.rate?.headroom ?? DEFAULT_RATE_HEADROOM,
    }),
    slotLead: { ms: 20 },
    pausedUntil: new Map(),
    pool,
    signal: abort.signal,
    settings: {
      retryBudget: config.retryBudget,
      leaseMs: config.workerLeaseSeconds * 1000,
      submitTimeoutMs: config.submitTimeoutSeconds * 1000,
      horizonMs,
      maxRateWaitMs: deps.rate?.maxWaitMs ?? 5 * horizonMs,
      lateToleranceMs: lateToleranceMs(deps.rate?.headroom ?? DEFAULT_RATE_HEADROOM),
      baseUrl: config.baseUrl,
    },
    rateCost:
      deps.rateCost ??
      ((account, parts) => (pool.get(account).capabilities.throughputUnit === 'parts' ? parts : 1)),
    tx: transactionsFor(ddb),
    run: opsRunnerFor(ddb),
    runWrite,
  };
  const statusTimeoutMs = config.statusTimeoutHours * 3_600_000;
  const statusCheckEveryMs = deps.statusCheckEveryMs ?? 60_000;
  const sweepLimit = deps.sweepLimit ?? 500;
  const listenEveryMs = deps.listenEveryMs ?? 30_000;
  /** The listening instance of each account (its current settings version). */
  const listening = new Map<string, Provider>();
  let lastListenMs = Number.NEGATIVE_INFINITY;

  const tasks = new Set<Promise<void>>();
  let stopping = false;
  let loop: Promise<void> | null = null;
  let lastSweepMs = Number.NEGATIVE_INFINITY;
  let lastStatusCheckMs = Number.NEGATIVE_INFINITY;

  const track = (p: Promise<void>) => {
    tasks.add(p);
    void p.finally(() => tasks.delete(p));
    return p;
  };

  async function sweep(): Promise<void> {
    const now = clock.now().toISOString();
    const p = { db: ddb, dialect: db.dialect, now, limit: sweepLimit };
    const changes: CommittedStatusChange[] = [];
    changes.push(...(await recoverExpiredLeases({ ...p, retryBudget: config.retryBudget })));
    changes.push(...(await expireUnsent(p)));
    changes.push(...(await promoteScheduled(p)));
    await publish(ctx, changes);
    lastSweepMs = clock.now().getTime();
  }

  /**
   * Starts `listen()` on the current adapter of every account that has one (SMPP: receipts and inbound
   * arrive on its bind even when nothing is sent), and closes the connection of a version the account's
   * settings replaced.
   */
  async function refreshListeners(): Promise<void> {
    lastListenMs = clock.now().getTime();
    for (const account of await listProviderAccounts(db.kysely)) {
      let provider: Provider;
      try {
        provider = pool.get(account);
      } catch (e) {
        logger.error('could not open the gateway adapter', {
          providerAccountId: account.id,
          error: (e as Error).message,
        });
        continue;
      }
      const current = listening.get(account.id);
      if (current === provider || !provider.listen) continue;
      listening.set(account.id, provider);
      if (current) {
        await current.close().catch((e: unknown) =>
          logger.warn('closing a replaced gateway connection failed', {
            providerAccountId: account.id,
            error: (e as Error).message,
          }),
        );
      }
      logger.info('opening the gateway connection', { providerAccountId: account.id, kind: account.kind });
      // Not awaited: an adapter keeps reconnecting by itself; one gateway that is down delays nothing.
      provider.listen().catch((e: unknown) =>
        logger.warn('the gateway connection could not be opened', {
          providerAccountId: account.id,
          error: (e as Error).message,
        }),
      );
    }
  }

  async function timeouts(): Promise<number> {
    lastStatusCheckMs = clock.now().getTime();
    return checkStatusTimeouts(ctx, { statusTimeoutMs });
  }

  /** Claims up to `limit` and starts processing each; returns the claimed count and their tasks. */
  async function claimAndStart(limit: number): Promise<Promise<void>[]> {
    const nowMs = clock.now().getTime();
    const { claimed, changes } = await claimDue({
      db: ddb,
      dialect: db.dialect,
      params: {
        workerId: id,
        limit,
        now: new Date(nowMs).toISOString(),
        nowMs,
        leaseUntil: new Date(nowMs + ctx.settings.leaseMs).toISOString(),
        horizonMs,
      },
    });
    await publish(ctx, changes);
    if (claimed.length === 0) return [];
    logger.debug('claimed messages', { workerId: id, count: claimed.length });
    const check = createPolicyChecker(db.kysely);
    return claimed.map((m) =>
      track(
        processClaimed(ctx, m, check).catch((e) => {
          // The lease expires and the crash rule takes over (unknown or queued); nothing is lost.
          logger.error('processing a message failed', { messageId: m.id, error: (e as Error).message });
        }),
      ),
    );
  }

  async function runLoop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        const nowMs = clock.now().getTime();
        if (nowMs - lastSweepMs >= config.workerPollMs) await sweep();
        if (nowMs - lastStatusCheckMs >= statusCheckEveryMs) await timeouts();
        if (nowMs - lastListenMs >= listenEveryMs) await refreshListeners();
        const free = config.workerConcurrency - tasks.size;
        const asked = Math.min(config.workerBatchSize, free);
        const started = asked > 0 ? await claimAndStart(asked) : [];
        failures = 0;
        if (stopping) break;
        // A claim that got all it asked for probably left more due: claim again while there is room.
        // (Not `=== workerBatchSize`: a claim limited by the free room would then wait for the poll.)
        if (asked > 0 && started.length === asked && tasks.size < config.workerConcurrency) continue;
        if (tasks.size >= config.workerConcurrency) {
          // Full: wake when enough finished to claim several at once (or after the poll interval,
          // whichever is first). Waking for each one claimed one message per claim transaction: under
          // load, one claim per message.
          const want = Math.max(
            1,
            Math.min(config.workerBatchSize, Math.floor(config.workerConcurrency / 2)),
          );
          const timeout = ctx.sleep(config.workerPollMs, abort.signal).then(() => 'timeout' as const);
          while (config.workerConcurrency - tasks.size < want && !stopping) {
            if ((await Promise.race([timeout, ...tasks])) === 'timeout') break;
          }
        } else {
          await ctx.sleep(config.workerPollMs, abort.signal);
        }
      } catch (e) {
        failures++;
        const pause = Math.min(5000, 100 * 2 ** Math.min(failures, 6));
        logger.warn('worker round failed; retrying', { workerId: id, error: (e as Error).message, pause });
        await realSleep(pause, abort.signal);
      }
    }
  }

  return {
    id,
    get inFlight() {
      return tasks.size;
    },
    start() {
      if (loop || stopping) return;
      logger.info('worker started', { workerId: id, database: db.dialect });
      loop = runLoop();
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      abort.abort();
      await loop;
      await Promise.allSettled([...tasks]);
      listening.clear();
      await pool.closeAll();
      if (loop) logger.info('worker stopped', { workerId: id });
    },
    async runOnce() {
      await sweep();
      const started = await claimAndStart(config.workerBatchSize);
      await Promise.all(started);
      return { claimed: started.length };
    },
    sweep,
    checkStatusTimeouts: timeouts,
  };
}
