import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Database } from '../db/database.js';
import type { DialectName } from '../db/dialect.js';
import type { OpsRunner } from '../db/ops.js';
import type { TxRunner } from '../db/tx-group.js';
import type { EventBus } from '../modules/events/events.bus.js';
import { type CommittedStatusChange, publishStatusChanges } from '../modules/events/events.publish.js';
import type { ProviderAccountRow } from '../modules/gateways/gateways.repository.js';
import type { ProviderPool } from './dispatch.providers.js';
import type { RateLimiter } from './dispatch.rate.js';
import type { DispatchDatabase } from './dispatch.tables.js';

/** Waits `ms`; resolves early (without throwing) when `signal` aborts. Tests pass one that moves a fake clock. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });

export interface DispatchSettings {
  /** Retryable failures a message may have before it is `failed` (throttled answers do not count). */
  retryBudget: number;
  leaseMs: number;
  /** The worker's own ceiling on one `send` call; past it the outcome is `unknown`. */
  submitTimeoutMs: number;
  /** How far ahead a rate slot may be reserved. */
  horizonMs: number;
  /** A claimed message that waited this long for a rate slot goes back to the queue. */
  maxRateWaitMs: number;
  /** A submit starts at most this late after its rate slot, else it takes a new slot. */
  lateToleranceMs: number;
  /** Base of the delivery-report callback URLs. */
  baseUrl: string;
}

/** Everything the per-message steps use; built once per worker. */
export interface DispatchContext {
  db: Kysely<Database>;
  ddb: Kysely<DispatchDatabase>;
  dialect: DialectName;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  workerId: string;
  random: () => number;
  sleep: Sleep;
  limiter: RateLimiter;
  /**
   * How far ahead of "now" this worker asks for its rate slots: the time it needs between the
   * reservation and the submit (database round trips). Learned: doubled when a submit would have started
   * too late after its slot, slowly lowered while submits start on time.
   */
  slotLead: { ms: number };
  /** Pauses this worker set itself (throttled answers), by account: checked right before each submit. */
  pausedUntil: Map<string, number>;
  pool: ProviderPool;
  /** Aborted when the worker stops: waits end, messages not yet submitted are released. */
  signal: AbortSignal;
  settings: DispatchSettings;
  /** Tokens one message costs on an account: 1, or its parts where the gateway counts parts. */
  rateCost: (account: ProviderAccountRow, parts: number) => number;
  /**
   * A Kysely transaction for the writes that are not procedures (the outcome that opts a number out,
   * whose consent event the consent module writes). On SQLite such writes share commits
   * (db/tx-group.ts); on PostgreSQL each has its own.
   */
  tx: TxRunner<DispatchDatabase>;
  /**
   * Runs a write procedure (db/ops.ts: outcome, release): on SQLite synchronously as a unit of the
   * shared commits (the write lock held for its SQL alone), on PostgreSQL in a transaction of its own.
   */
  run: OpsRunner<DispatchDatabase>;
  /**
   * The same for **one-statement** writes (lease, submit marker, rate slot): on PostgreSQL on their
   * own, without BEGIN/COMMIT round trips that would hold the row lock (so a procedure of several
   * statements would not be atomic there; use `run`).
   */
  runWrite: OpsRunner<DispatchDatabase>;
}

/** Publishes committed changes; a failure is logged, never undoes or fails the send. */
export async function publish(
  ctx: DispatchContext,
  changes: readonly CommittedStatusChange[],
): Promise<void> {
  if (changes.length === 0) return;
  try {
    await publishStatusChanges({ db: ctx.db, bus: ctx.bus, clock: ctx.clock, changes });
  } catch (e) {
    ctx.logger.warn('publishing status changes failed', {
      error: (e as Error).message,
      count: changes.length,
    });
  }
}

/**
 * Runs a database step again after a failure (connection lost, database restarting, serialization
 * failure), with growing pauses, until it succeeds or `deadlineMs` of wall time passed; then throws
 * the last error. Only for steps that are safe to repeat.
 */
export async function withDbRetry<T>(
  ctx: Pick<DispatchContext, 'logger' | 'workerId'>,
  what: string,
  fn: () => Promise<T>,
  deadlineMs = 30_000,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() - started >= deadlineMs) throw e;
      const pause = Math.min(2000, 50 * 2 ** Math.min(attempt, 10));
      ctx.logger.warn('database step failed; retrying', {
        step: what,
        attempt,
        error: (e as Error).message,
        workerId: ctx.workerId,
      });
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}
