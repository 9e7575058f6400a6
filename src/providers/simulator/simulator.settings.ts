import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** A range of milliseconds; `min` ≤ `max`. */
const msRange = (min: number, max: number) =>
  z
    .strictObject({ min: z.number().int().min(0).max(600_000), max: z.number().int().min(0).max(600_000) })
    .refine((r) => r.min <= r.max, { error: 'min must not be greater than max', path: ['min'] })
    .default({ min, max });

/**
 * Settings of a simulator account. Each rate is a probability in [0, 1] applied at its own stage
 * (see docs/gateways.md):
 *
 * 1. submit — `retryableRate`: the gateway is busy (retryable failure, `SIM_BUSY`); otherwise
 *    `acceptanceRate`: it accepts the message; otherwise it refuses it for good (`SIM_REJECTED`);
 * 2. after acceptance — `noReportRate`: no delivery report ever comes; otherwise, after
 *    `reportDelayMs`, `failureRate`: the gateway reports it `rejected`; otherwise `deliveryRate`:
 *    `delivered`, else `undelivered`.
 */
export const simulatorSettingsSchema = z.strictObject({
  /** Time a submit takes. Default 50–300 ms. */
  latencyMs: msRange(50, 300),
  /** Share of (not busy) submits the gateway accepts. Default 0.98. */
  acceptanceRate: rate.default(0.98),
  /** Share of submits answered with a temporary "busy" error. Default 0. */
  retryableRate: rate.default(0),
  /** Share of accepted messages the gateway rejects afterwards (report `rejected`). Default 0. */
  failureRate: rate.default(0),
  /** Share of reported messages that reach the handset (`delivered`, else `undelivered`). Default 0.95. */
  deliveryRate: rate.default(0.95),
  /** Share of accepted messages that never get a delivery report. Default 0.02. */
  noReportRate: rate.default(0.02),
  /** Time from acceptance to the delivery report. Default 500–3,000 ms. */
  reportDelayMs: msRange(500, 3000),
});

export type SimulatorSettings = z.infer<typeof simulatorSettingsSchema>;
