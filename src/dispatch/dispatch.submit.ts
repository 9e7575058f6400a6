import { analyzeText, type ShiftLanguage } from '../core/encoding/index.js';
import type { ProviderAccountRow } from '../modules/gateways/gateways.repository.js';
import { callbackUrlFor } from '../modules/gateways/gateways.usecases.js';
import type { OutboundMessage, Provider, SendOutcome } from '../providers/provider.contract.js';
import type { ClaimedRow } from './claim.shared.js';
import { type DispatchContext, withDbRetry } from './dispatch.context.js';
import { endWithoutSubmit, markSubmitStarted, recordOutcome, renewLease } from './dispatch.outcome.js';
import type { PolicyChecker } from './dispatch.policy.js';
import { throttleDelayMs } from './dispatch.retry.js';

/** The message as the account's gateway gets it; the parts come from `analyzeText`, like the counter's. */
export function outboundFor(
  m: ClaimedRow,
  account: ProviderAccountRow,
  senderId: string,
  baseUrl: string,
): OutboundMessage {
  const analysis = analyzeText(m.body, { shiftTables: JSON.parse(account.shift_tables) as ShiftLanguage[] });
  return {
    id: m.id,
    to: m.to_e164 ?? '',
    from: senderId,
    text: analysis.text,
    encoding: analysis.encoding,
    parts: analysis.parts,
    validityUntil: new Date(m.expires_at),
    callbackUrl: callbackUrlFor(baseUrl, account.callback_token),
  };
}

/**
 * Calls the adapter with the worker's own ceiling. No answer in time, or an adapter that throws
 * instead of returning an outcome: the request may have gone out, so the outcome is `unknown`.
 * The ceiling runs on a real timer: it measures the gateway, not the test clock.
 */
export async function submitWithTimeout(
  provider: Provider,
  message: OutboundMessage,
  timeoutMs: number,
): Promise<SendOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SendOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          class: 'unknown',
          code: 'SUBMIT_TIMEOUT',
          text: `No answer from the gateway within ${Math.round(timeoutMs / 1000)} s.`,
        }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      provider.send(message).catch(
        (): SendOutcome => ({
          ok: false,
          class: 'unknown',
          code: 'SUBMIT_ERROR',
          text: 'The gateway adapter failed during the submit.',
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

type SlotWait =
  | { kind: 'slot'; slotMs: number }
  | { kind: 'paused' }
  | { kind: 'requeue'; dueAtMs: number }
  | { kind: 'lost' }
  | { kind: 'stop' };

interface Hold {
  /** When this worker's lease on the message ends (as last written). */
  leaseUntilMs: number;
  /** The submit marker is written for the current account. */
  marked: boolean;
}

/** Extends the lease when less than half of it is left; false when the message is no longer ours. */
async function keepLease(ctx: DispatchContext, m: ClaimedRow, hold: Hold): Promise<boolean> {
  const now = ctx.clock.now().getTime();
  if (hold.leaseUntilMs - now >= ctx.settings.leaseMs / 2) return true;
  hold.leaseUntilMs = now + ctx.settings.leaseMs + (hold.marked ? ctx.settings.submitTimeoutMs : 0);
  return renewLease(ctx, m, hold.leaseUntilMs);
}

/**
 * Reserves the account's next shared rate slot (not waiting for it). While the bucket is full up to the
 * horizon it keeps trying (and keeps the lease); it gives the message back when the wait would pass
 * `maxRateWaitMs`, and says `paused` at once when the gateway asked for a pause.
 */
async function reserveSlot(
  ctx: DispatchContext,
  m: ClaimedRow,
  account: ProviderAccountRow,
  cost: number,
  hold: Hold,
): Promise<SlotWait> {
  const now = () => ctx.clock.now().getTime();
  const started = now();
  for (;;) {
    if (ctx.signal.aborted) return { kind: 'stop' };
    const r = await withDbRetry(ctx, 'reserve rate slot', () =>
      ctx.limiter.reserve(account.id, account.messages_per_second, cost, ctx.slotLead.ms),
    );
    if (r.ok) return { kind: 'slot', slotMs: r.slotMs };
    if (r.paused) return { kind: 'paused' };
    if (r.retryAtMs - started > ctx.settings.maxRateWaitMs) return { kind: 'requeue', dueAtMs: r.retryAtMs };
    if (!(await keepLease(ctx, m, hold))) return { kind: 'lost' };
    await ctx.sleep(Math.max(1, r.retryAtMs - now()), ctx.signal);
  }
}

/**
 * Waits until the slot and returns whether the submit may start: only within `lateToleranceMs` of the
 * slot. A worker that is later takes a new slot instead: submits then start no later than their slot
 * plus the tolerance, which the limiter's headroom absorbs, so no one-second window gets more than the
 * rate. Two ways to be late, told apart because only the first is cured by asking earlier:
 * - it reached the slot already late (reservation and marker took longer than the lead): the lead
 *   this worker asks for grows at once (and follows the measured preparation time, `learnLead`);
 * - it slept and the timer fired late (a busy machine): it just takes a new slot.
 */
async function untilSlot(ctx: DispatchContext, slotMs: number): Promise<'go' | 'late' | 'stop'> {
  let slept = false;
  for (;;) {
    if (ctx.signal.aborted) return 'stop';
    const wait = slotMs - ctx.clock.now().getTime();
    if (wait <= 0) {
      const late = -wait > ctx.settings.lateToleranceMs;
      if (late && !slept) ctx.slotLead.ms = Math.min(MAX_SLOT_LEAD_MS, ctx.slotLead.ms * 1.5);
      return late ? 'late' : 'go';
    }
    slept = true;
    // Clocks count whole milliseconds; slots are fractional.
    await ctx.sleep(Math.ceil(wait), ctx.signal);
  }
}

/**
 * Late starts one message may answer with a new slot; after that it goes out late. On a machine where
 * wake-ups are that late that often, a one-second window may then hold one submit more than the rate.
 */
const MAX_LATE_STARTS = 3;
const MIN_SLOT_LEAD_MS = 5;
const MAX_SLOT_LEAD_MS = 250;

/**
 * The lead a worker asks for follows what its preparation (reservation, marker) takes: a moving average
 * of half again the measured time, between 5 and 250 ms.
 */
function learnLead(ctx: DispatchContext, preparedInMs: number): void {
  const wanted = preparedInMs * 1.5 + 2;
  const next = ctx.slotLead.ms * 0.8 + wanted * 0.2;
  ctx.slotLead.ms = Math.min(MAX_SLOT_LEAD_MS, Math.max(MIN_SLOT_LEAD_MS, next));
}

const isExpired = (ctx: DispatchContext, m: ClaimedRow) =>
  Date.parse(m.expires_at) <= ctx.clock.now().getTime();

/**
 * One claimed message, from the claim to its recorded outcome:
 * validity → policy → per account of the route: rate slot → validity → marker → wait for the slot →
 * submit → outcome.
 *
 * The marker is written once the message has its slot, before waiting for it (at most the rate horizon,
 * 1 s): what happens between the slot and the submit must be nothing but a timer, or the gateway would
 * see the rate exceeded. A crash in that second leaves the message `unknown` (safe: never twice).
 *
 * Failover: when an account answers `retryable` or `throttled` (the gateway did not take the message),
 * or is paused after throttling, the next account of the sender configuration (its fallback) gets the
 * same message at once; the account that took it is recorded in `provider_account_id`.
 */
export async function processClaimed(
  ctx: DispatchContext,
  m: ClaimedRow,
  checkPolicy: PolicyChecker,
): Promise<void> {
  const hold: Hold = { leaseUntilMs: ctx.clock.now().getTime() + ctx.settings.leaseMs, marked: false };
  if (isExpired(ctx, m)) return endWithoutSubmit(ctx, m, 'expired', { reason: 'validity_expired' });
  const verdict = await withDbRetry(ctx, 'policy check', () => checkPolicy(m));
  if (!verdict.ok) return endWithoutSubmit(ctx, m, 'blocked', { reason: verdict.reason });
  const accounts = verdict.route.accounts;
  const failover: { accountId: string; class: string; code: string }[] = [];
  // Whether a gateway was called in this attempt: only an attempt that did not happen is refunded.
  let called = false;
  for (let i = 0; i < accounts.length; i++) {
    const account = accounts[i]!;
    const last = i === accounts.length - 1;
    const message = outboundFor(m, account, verdict.route.senderId, ctx.settings.baseUrl);
    const cost = ctx.rateCost(account, message.parts.length);
    let provider: Provider;
    try {
      provider = ctx.pool.get(account);
    } catch (e) {
      // The account's adapter cannot be opened (settings no longer valid): a failure of this attempt
      // that costs the budget, so a broken account ends in `failed` rather than a loop.
      ctx.logger.error('could not open the gateway adapter', {
        providerAccountId: account.id,
        error: (e as Error).message,
      });
      if (!last) continue;
      return recordOutcome(
        ctx,
        m,
        account,
        {
          ok: false,
          class: 'retryable',
          code: 'ADAPTER_UNAVAILABLE',
          text: 'The gateway account cannot be used.',
        },
        { failover },
      );
    }
    hold.marked = false;
    let ready = false;
    let lateStarts = 0;
    while (!ready) {
      const asked = ctx.clock.now().getTime();
      const wait = await reserveSlot(ctx, m, account, cost, hold);
      if (wait.kind === 'lost') return;
      if (wait.kind === 'stop') {
        return endWithoutSubmit(ctx, m, 'queued', { reason: 'released', refund: !called });
      }
      if (wait.kind === 'paused' && !last) break;
      if (wait.kind === 'paused' || wait.kind === 'requeue') {
        const dueAtMs = wait.kind === 'requeue' ? wait.dueAtMs : ctx.clock.now().getTime() + 1000;
        return endWithoutSubmit(ctx, m, 'queued', { reason: 'rate_limited', refund: !called, dueAtMs });
      }
      if (isExpired(ctx, m)) return endWithoutSubmit(ctx, m, 'expired', { reason: 'validity_expired' });
      if (!hold.marked) {
        const leaseUntil = ctx.clock.now().getTime() + ctx.settings.submitTimeoutMs + ctx.settings.leaseMs;
        if (!(await markSubmitStarted(ctx, m, account.id, leaseUntil))) return;
        hold.leaseUntilMs = leaseUntil;
        hold.marked = true;
      }
      learnLead(ctx, ctx.clock.now().getTime() - asked);
      const go = await untilSlot(ctx, wait.slotMs);
      if (go === 'stop') {
        // Not submitted (this worker knows it): back to the queue, marker cleared.
        return endWithoutSubmit(ctx, m, 'queued', { reason: 'released', refund: !called });
      }
      // Liveness before precision: a machine so busy that every wake-up is late still sends.
      ready = go === 'go' || ++lateStarts > MAX_LATE_STARTS;
    }
    // A pause this worker learnt of while waiting (a throttled answer to another of its messages) holds
    // even slots reserved before it: no burst into a gateway that just said "too many".
    const pausedUntil = ctx.pausedUntil.get(account.id) ?? 0;
    if (ready && pausedUntil > ctx.clock.now().getTime()) {
      ready = false;
      if (last) {
        return endWithoutSubmit(ctx, m, 'queued', {
          reason: 'rate_limited',
          refund: !called,
          dueAtMs: pausedUntil,
        });
      }
    }
    if (!ready) {
      failover.push({ accountId: account.id, class: 'throttled', code: 'PAUSED' });
      continue;
    }
    // Right before the submit: validity may have ended while it waited for the slot.
    if (isExpired(ctx, m)) return endWithoutSubmit(ctx, m, 'expired', { reason: 'validity_expired' });
    called = true;
    const outcome = await submitWithTimeout(provider, message, ctx.settings.submitTimeoutMs);
    const retryableHere = !outcome.ok && (outcome.class === 'retryable' || outcome.class === 'throttled');
    if (!outcome.ok && outcome.class === 'throttled') {
      const until = ctx.clock.now().getTime() + throttleDelayMs(1, outcome.retryAfterMs);
      ctx.pausedUntil.set(account.id, Math.max(until, ctx.pausedUntil.get(account.id) ?? 0));
      await withDbRetry(ctx, 'pause account', () => ctx.limiter.pause(account.id, until)).catch((e) =>
        ctx.logger.warn('could not pause a throttled account', { error: (e as Error).message }),
      );
    }
    if (outcome.ok || !retryableHere || last) {
      return recordOutcome(ctx, m, account, outcome, { failover });
    }
    failover.push({ accountId: account.id, class: outcome.class, code: outcome.code });
    ctx.logger.info('failing over to the fallback gateway', {
      messageId: m.id,
      from: account.id,
      to: accounts[i + 1]!.id,
      class: outcome.class,
    });
  }
}
