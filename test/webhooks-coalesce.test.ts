import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { Timers } from '../src/modules/webhooks/webhooks.worker.js';
import { type WebhookFixture, webhookFixture } from './helpers/webhook-fixture.js';

/**
 * The webhook worker coalesces bus wake-ups: a burst of events costs one collect round, not one per
 * event, and no event is lost. Rounds are counted through `onRound`; the coalescing timer is fired by
 * hand, so nothing here depends on timing.
 */
describe.each(TEST_DIALECTS)('coalesced webhook rounds on %s', (dialect) => {
  let x: WebhookFixture;
  /** The scheduled (not yet fired) wake-up callbacks. */
  let scheduled: (() => Promise<void>)[];
  let rounds: number;
  const timers: Timers = {
    setInterval: () => 0,
    clearInterval: () => {},
    setTimeout: (fn) => {
      scheduled.push(fn);
      return fn;
    },
    clearTimeout: (h) => {
      scheduled = scheduled.filter((f) => f !== h);
    },
  };
  /** Fires every scheduled wake-up and waits for the rounds they started. */
  const fire = async () => {
    const due = scheduled;
    scheduled = [];
    await Promise.all(due.map((f) => f()));
  };
  /** The memory bus hands events to subscribers on a later microtask. */
  const settle = () => new Promise((r) => setImmediate(r));

  beforeEach(async () => {
    x = await webhookFixture(dialect);
    scheduled = [];
    rounds = 0;
  });
  afterEach(async () => x.close());

  /** An applied status change, written durably and then announced on the bus (as the worker does). */
  const change = async () => {
    const { message, event } = await x.statusChange();
    await x.t.bus.publish([
      {
        type: 'message.status',
        eventId: event.id,
        messageId: message.id,
        orgUnitId: x.admin.orgUnitId,
        batchId: null,
        from: 'sent',
        to: 'delivered',
        applied: true,
        at: event.occurred_at,
      },
    ]);
    return event.id;
  };
  const eventIdsSent = () =>
    x.rx.requests.map((r) => (JSON.parse(r.body) as { data: { eventId: string } }).data.eventId).sort();

  it('a burst of N status changes gives exactly N deliveries from one round', async () => {
    await x.addEndpoint();
    const w = x.worker({ bus: x.t.bus, timers, onRound: () => rounds++ });
    const N = 25;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push(await change());
    await settle();
    expect(scheduled).toHaveLength(1); // one wake-up for the whole burst
    expect(rounds).toBe(0);
    await fire();
    expect(rounds).toBe(1);
    expect(rounds).toBeLessThan(N);
    expect(await x.deliveries()).toHaveLength(N);
    expect(eventIdsSent()).toEqual(ids.sort());
    await w.stop();
  });

  it('events committed while a round runs are read by the next round, none twice', async () => {
    await x.addEndpoint();
    const w = x.worker({ bus: x.t.bus, timers, onRound: () => rounds++ });
    const ids = [await change(), await change(), await change()];
    await settle();
    const first = fire(); // the round runs while more events arrive
    for (let i = 0; i < 7; i++) ids.push(await change());
    await settle();
    await first;
    await fire(); // their wake-up (it joins the running round's "again" or starts a new one)
    await w.tick(); // and a plain round finds nothing left
    expect(rounds).toBeLessThan(ids.length);
    expect(await x.deliveries()).toHaveLength(ids.length);
    expect(eventIdsSent()).toEqual(ids.sort());
    await w.stop();
  });

  it('skips bus wake-ups while no endpoint is enabled, until one is created through this process', async () => {
    const w = x.worker({ bus: x.t.bus, timers, onRound: () => rounds++ });
    await change();
    await settle();
    await fire(); // the first round learns that nobody listens
    expect(rounds).toBe(1);
    await change();
    await change();
    await settle();
    expect(scheduled).toHaveLength(0); // no round for these: nobody listens
    await w.tick(); // interval rounds still run (they notice endpoints made by other processes)
    expect(rounds).toBe(2);

    x.t.clock.advance(1_000);
    await x.addEndpoint(); // through the API of this process: the cache is invalidated
    x.t.clock.advance(1_000);
    const after = await change();
    await settle();
    expect(scheduled).toHaveLength(1);
    await fire();
    expect(rounds).toBe(3);
    expect(eventIdsSent()).toEqual([after]); // only events since the endpoint was enabled
    await w.stop();
  });

  it('stop() cancels a scheduled wake-up', async () => {
    await x.addEndpoint();
    const w = x.worker({ bus: x.t.bus, timers, onRound: () => rounds++ });
    await change();
    await settle();
    expect(scheduled).toHaveLength(1);
    await w.stop();
    expect(scheduled).toHaveLength(0);
    expect(rounds).toBe(0);
  });
});
