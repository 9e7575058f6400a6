import type { Timers } from '../webhooks/webhooks.worker.js';
import { flushWaitingParts, type InboundDeps } from './inbound.usecases.js';

const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** How often the server looks for sets of inbound parts whose waiting window has passed. */
export const PARTS_SWEEP_EVERY_MS = 5 * 60_000;

export interface InboundPartsSweeper {
  /** One flush, awaited (rounds never overlap: a tick during a round waits for it). */
  tick(): Promise<void>;
  /** Stops the timer and waits for the round in progress. */
  stop(): Promise<void>;
}

/**
 * Flushes incomplete sets of inbound parts (see `flushWaitingParts`) every five minutes, so a long
 * message whose last parts never come is stored about when its window ends even when no other inbound
 * message arrives. Safe in several processes: each set is flushed under its lock, once.
 */
export function startInboundPartsSweeper(
  deps: InboundDeps,
  timers: Timers = realTimers,
  everyMs = PARTS_SWEEP_EVERY_MS,
): InboundPartsSweeper {
  let running: Promise<void> | null = null;
  const tick = (): Promise<void> => {
    running ??= flushWaitingParts(deps)
      .then(() => undefined)
      .catch((e: unknown) =>
        deps.logger.error('inbound parts sweep failed', {
          error: e instanceof Error ? e.message : String(e),
        }),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const handle = timers.setInterval(() => void tick(), everyMs);
  return {
    tick,
    async stop() {
      timers.clearInterval(handle);
      await running;
    },
  };
}
