import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeText } from '../src/core/encoding/index.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { applyMessageStatus } from '../src/modules/delivery-reports/delivery-reports.usecases.js';
import { openProvider } from '../src/modules/gateways/gateways.usecases.js';
import { normalizeGatewayId } from '../src/providers/provider.contract.js';
import {
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorReport,
} from '../src/providers/simulator/simulator.provider.js';
import { insertSubmittedMessage } from './helpers/delivery-report-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

describe.each(TEST_DIALECTS)('delivery report callbacks on %s', (dialect) => {
  let t: TestApp;
  let account: { id: string; callback_token: string };
  let orgUnitId: string;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    orgUnitId = (await t.setupAdmin()).orgUnitId;
    account = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['id', 'callback_token'])
      .executeTakeFirstOrThrow();
  });
  afterEach(async () => t.close());

  const insertMessage = (gatewayId: string | null, status = 'accepted') =>
    insertSubmittedMessage(t, { orgUnitId, accountId: account.id, gatewayId, status });
  const message = (id: string) =>
    t.db.kysely
      .selectFrom('messages')
      .select(['status', 'final_at', 'updated_at', 'error_code'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const events = async (id: string) =>
    (
      await t.db.kysely
        .selectFrom('message_events')
        .selectAll()
        .where('message_id', '=', id)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute()
    ).map((e) => ({ ...e, applied: Boolean(e.applied), details: JSON.parse(e.details) as Json }));
  const eventCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('message_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const report = (payload: Json, opts: { token?: string; key?: string; contentType?: string } = {}) => {
    const body = JSON.stringify(payload);
    return t.request(`/api/callbacks/${opts.token ?? account.callback_token}`, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, opts.key ?? account.callback_token),
      },
      body,
    });
  };

  it('moves an accepted message to delivered, matching the gateway id ignoring case and leading zeros', async () => {
    const id = await insertMessage('abc123');
    t.clock.advance(5000);
    const res = await report({
      id: '000ABC123',
      status: 'delivered',
      err: null,
      at: '2026-11-22T09:00:04.000Z',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ applied: 1, ignored: 0, unmatched: 0, duplicates: 0 });
    expect(await message(id)).toMatchObject({
      status: 'delivered',
      final_at: '2026-11-22T09:00:05.000Z',
      updated_at: '2026-11-22T09:00:05.000Z',
    });
    const [e] = await events(id);
    expect(e).toMatchObject({
      from_status: 'accepted',
      to_status: 'delivered',
      applied: true,
      source: 'dlr',
      reason: null,
      details: {
        gatewayId: '000ABC123',
        reportedAt: '2026-11-22T09:00:04.000Z',
        providerAccountId: account.id,
      },
    });
  });

  it('a replayed report is dropped; a late sent after delivered is recorded but changes nothing', async () => {
    const id = await insertMessage('sim1');
    await report({ id: 'sim1', status: 'delivered' });
    const before = await message(id);
    t.clock.advance(60_000);
    expect(await (await report({ id: 'sim1', status: 'delivered' })).json()).toEqual({
      applied: 0,
      ignored: 1,
      unmatched: 0,
      duplicates: 1,
    });
    expect(await (await report({ id: 'sim1', status: 'sent' })).json()).toMatchObject({
      applied: 0,
      ignored: 1,
    });
    expect(await message(id)).toEqual(before);
    const history = await events(id);
    expect(history.map((e) => [e.to_status, e.applied, e.reason])).toEqual([
      ['delivered', true, null],
      ['sent', false, 'final'],
    ]);
  });

  it('records the gateway error of an undelivered message', async () => {
    const id = await insertMessage('sim2', 'sent');
    await report({ id: 'sim2', status: 'undelivered', err: 'SIM_UNDELIVERED' });
    expect(await message(id)).toMatchObject({ status: 'undelivered', error_code: 'SIM_UNDELIVERED' });
  });

  it('a report for an unknown gateway id is ignored and counted as unmatched', async () => {
    const id = await insertMessage('sim3');
    expect(await (await report({ id: 'other', status: 'delivered' })).json()).toEqual({
      applied: 0,
      ignored: 1,
      unmatched: 1,
      duplicates: 0,
    });
    expect((await message(id)).status).toBe('accepted');
    expect(await eventCount()).toBe(0);
  });

  it('refuses a bad signature (403) and an unreadable report (400), writing nothing', async () => {
    const id = await insertMessage('sim4');
    const forged = await report({ id: 'sim4', status: 'delivered' }, { key: 'guessed-secret' });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as Json).code).toBe('callback.invalid_signature');
    const unsigned = await t.request(`/api/callbacks/${account.callback_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'sim4', status: 'delivered' }),
    });
    expect(unsigned.status).toBe(403);
    const junk = await report({ id: 'sim4', status: 'teleported' });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as Json).code).toBe('callback.invalid_payload');
    expect((await message(id)).status).toBe('accepted');
    expect(await eventCount()).toBe(0);
  });

  it('an unknown token is 404 and says nothing about accounts', async () => {
    const res = await report({ id: 'sim5', status: 'delivered' }, { token: 'not-a-token' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as Json;
    expect(body.code).toBe('callback.not_found');
    expect(JSON.stringify(body)).not.toMatch(/simulator|account/i);
  });

  it('is public and takes any content type: no session, no API key, no JSON body guard', async () => {
    const id = await insertMessage('sim6');
    const res = await report({ id: 'sim6', status: 'sent' }, { contentType: 'text/plain' });
    expect(res.status).toBe(200);
    expect((await message(id)).status).toBe('sent');
    // A protected route next to it still needs a caller.
    expect((await t.request('/api/gateways')).status).toBe(401);
  });

  it('applyMessageStatus: a report racing another one re-reads the status and does not apply twice', async () => {
    const id = await insertMessage(null);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let firstApplied = () => {};
    const applied = new Promise<void>((r) => {
      firstApplied = r;
    });
    // The first report applies inside a transaction that stays open; the second reads `accepted`
    // meanwhile (PostgreSQL) or waits for the connection (SQLite). The second starts only once the
    // first has written (not after a guessed delay: on a busy machine the first may not be there yet).
    const first = t.db.kysely.transaction().execute(async (trx) => {
      const r = await applyMessageStatus({
        db: trx,
        clock: t.clock,
        messageId: id,
        to: 'delivered',
        source: 'dlr',
      });
      firstApplied();
      await held;
      return r;
    });
    await applied;
    const second = applyMessageStatus({
      db: t.db.kysely,
      clock: t.clock,
      messageId: id,
      to: 'undelivered',
      source: 'dlr',
    });
    await sleep(150);
    release();
    expect(await first).toMatchObject({ applied: true, from: 'accepted', status: 'delivered' });
    expect(await second).toMatchObject({ applied: false, from: 'delivered', ignoredReason: 'final' });
    expect((await message(id)).status).toBe('delivered');
    expect((await events(id)).map((e) => [e.to_status, e.applied])).toEqual([
      ['delivered', true],
      ['undelivered', false],
    ]);
    await expect(
      applyMessageStatus({ db: t.db.kysely, clock: t.clock, messageId: 'nope', to: 'sent', source: 'dlr' }),
    ).rejects.toMatchObject({ code: 'message.not_found' });
  });

  it('end to end: the simulator posts a real report over HTTP and the message is delivered', async () => {
    const server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    await t.db.kysely
      .updateTable('provider_accounts')
      .set({
        settings: JSON.stringify({
          latencyMs: { min: 0, max: 0 },
          acceptanceRate: 1,
          deliveryRate: 1,
          noReportRate: 0,
          reportDelayMs: { min: 10, max: 20 },
        }),
      })
      .execute();
    const row = await t.db.kysely.selectFrom('provider_accounts').selectAll().executeTakeFirstOrThrow();
    const provider = openProvider(row);
    try {
      const text = analyzeText('Your parcel is here');
      // Insert first, as the worker claims a message before submitting it.
      const id = await insertMessage(null, 'sending');
      const outcome = await provider.send({
        id,
        to: '+4915123456789',
        from: 'Herald',
        text: text.text,
        encoding: text.encoding,
        parts: text.parts,
        callbackUrl: `http://127.0.0.1:${port}/api/callbacks/${row.callback_token}`,
      });
      if (!outcome.ok) throw new Error(outcome.code);
      await t.db.kysely
        .updateTable('messages')
        .set({ status: 'accepted', gateway_message_id: normalizeGatewayId(outcome.gatewayId) })
        .where('id', '=', id)
        .execute();
      const deadline = Date.now() + 5000;
      while ((await message(id)).status !== 'delivered' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await message(id)).status).toBe('delivered');
      expect((await events(id))[0]).toMatchObject({ source: 'dlr', applied: true, to_status: 'delivered' });
    } finally {
      await provider.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
