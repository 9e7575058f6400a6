import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { HeraldEvent } from '../src/modules/events/events.bus.js';
import {
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorReport,
} from '../src/providers/simulator/simulator.provider.js';
import { type WebhookFixture, webhookFixture } from './helpers/webhook-fixture.js';

type Json = Record<string, unknown>;

describe.each(TEST_DIALECTS)('delivery-report endpoint security on %s', (dialect) => {
  let x: WebhookFixture;
  let account: { id: string; callback_token: string };
  let seen: HeraldEvent[];
  beforeEach(async () => {
    x = await webhookFixture(dialect);
    account = await x.t.db.kysely
      .selectFrom('provider_accounts')
      .select(['id', 'callback_token'])
      .executeTakeFirstOrThrow();
    seen = [];
    x.t.bus.subscribe((e) => seen.push(e));
  });
  afterEach(async () => x.close());

  const post = (body: string, headers: Record<string, string>) =>
    x.t.request(`/api/callbacks/${account.callback_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (payload: Json) => {
    const body = JSON.stringify(payload);
    return post(body, { [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, account.callback_token) });
  };
  const count = async (
    table: 'message_events' | 'early_reports' | 'report_receipts' | 'webhook_deliveries',
  ) =>
    Number(
      (
        await x.t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const statusOf = async (id: string) =>
    (
      await x.t.db.kysely
        .selectFrom('messages')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;
  const accepted = (gatewayId: string) =>
    x.f.insertMessage({ status: 'accepted', provider_account_id: account.id, gateway_message_id: gatewayId });
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('a missing or wrong signature is 403 with a problem body, and changes nothing', async () => {
    const m = await accepted('sim-1');
    const body = JSON.stringify({ id: 'sim-1', status: 'delivered' });
    const attempts = [
      await post(body, {}),
      await post(body, { [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, 'a-guessed-token') }),
      await post(body, { [SIMULATOR_SIGNATURE_HEADER]: 'not-hex' }),
      // Signed, but the body changed afterwards.
      await post(JSON.stringify({ id: 'sim-1', status: 'undelivered' }), {
        [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, account.callback_token),
      }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 403, code: 'callback.invalid_signature' });
    }
    expect(await statusOf(m.id)).toBe('accepted');
    for (const table of ['message_events', 'early_reports', 'report_receipts'] as const) {
      expect(await count(table), table).toBe(0);
    }
    await settle();
    expect(seen).toEqual([]);
  });

  it('a replayed valid callback is processed once: one history row, one live event, one webhook', async () => {
    x.t.clock.set(new Date()); // the webhook receiver's clock is the real one
    await x.addEndpoint();
    const w = x.worker();
    const m = await accepted('sim-2');
    const report = { id: 'sim-2', status: 'delivered', err: null, at: '2026-11-22T09:00:01.000Z' };
    expect(await (await signed(report)).json()).toEqual({
      applied: 1,
      ignored: 0,
      unmatched: 0,
      duplicates: 0,
    });
    await w.tick();
    for (let i = 0; i < 3; i++) {
      x.t.clock.advance(1000);
      const again = await signed(report);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ applied: 0, ignored: 1, unmatched: 0, duplicates: 1 });
      await w.tick();
    }
    expect(await statusOf(m.id)).toBe('delivered');
    expect(await count('message_events')).toBe(1);
    await settle();
    expect(seen.filter((e) => e.type === 'message.status')).toHaveLength(1);
    expect(await count('webhook_deliveries')).toBe(1);
    expect(x.rx.requests).toHaveLength(1);
  });

  it('receipts are kept 30 days, then pruned; a copy after that is only a history row that changes nothing', async () => {
    const m = await accepted('sim-5');
    const report = { id: 'sim-5', status: 'delivered' };
    await signed(report);
    x.t.clock.advance(29 * 24 * 3_600_000);
    expect(await (await signed(report)).json()).toMatchObject({ duplicates: 1 });
    x.t.clock.advance(2 * 24 * 3_600_000);
    await signed({ id: 'other', status: 'sent' }); // any report prunes old receipts
    expect(await count('report_receipts')).toBe(1);
    expect(await (await signed(report)).json()).toMatchObject({ applied: 0, ignored: 1, duplicates: 0 });
    expect(await statusOf(m.id)).toBe('delivered');
    expect(await count('message_events')).toBe(2);
  });

  it('copies posted at the same moment are processed once', async () => {
    const m = await accepted('sim-3');
    const report = { id: 'sim-3', status: 'sent' };
    const results = await Promise.all(Array.from({ length: 5 }, () => signed(report)));
    const bodies = (await Promise.all(results.map((r) => r.json()))) as Json[];
    expect(bodies.filter((b) => b.applied === 1)).toHaveLength(1);
    expect(bodies.filter((b) => b.duplicates === 1)).toHaveLength(4);
    expect(await statusOf(m.id)).toBe('sent');
    expect(await count('message_events')).toBe(1);
  });

  it('a report for a message not known yet, replayed, is kept once; a new report of the same id still counts', async () => {
    const first = { id: 'sim-4', status: 'sent', at: '2026-11-22T09:00:01.000Z' };
    expect(await (await signed(first)).json()).toMatchObject({ unmatched: 1, duplicates: 0 });
    expect(await (await signed(first)).json()).toMatchObject({ unmatched: 0, duplicates: 1 });
    expect(await count('early_reports')).toBe(1);
    const m = await accepted('sim-4');
    // A different report (a later status) is no replay.
    expect(await (await signed({ id: 'sim-4', status: 'delivered' })).json()).toMatchObject({
      applied: 1,
      duplicates: 0,
    });
    expect(await statusOf(m.id)).toBe('delivered');
  });
});
