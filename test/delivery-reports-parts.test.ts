import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeText } from '../src/core/encoding/index.js';
import { silentLogger } from '../src/core/logger.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { ProviderOpener } from '../src/dispatch/dispatch.providers.js';
import { createProviderSink } from '../src/dispatch/dispatch.sink.js';
import type { HeraldEvent } from '../src/modules/events/events.bus.js';
import type { ProviderAccountRow } from '../src/modules/gateways/gateways.repository.js';
import type { Provider, SendOutcome } from '../src/providers/provider.contract.js';
import {
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorReport,
} from '../src/providers/simulator/simulator.provider.js';
import {
  clockSleep,
  historyOf,
  messageRows,
  queueMessages,
  testGateway,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** A GSM text of three parts (153 septets each). */
const LONG = `${'Your order 4711 has shipped and will arrive tomorrow between 9 and 12. '.repeat(6)}Thanks!`;

describe.each(TEST_DIALECTS)('per-part gateway ids and the provider sink on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let account: ProviderAccountRow;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    admin = await t.setupAdmin();
    account = await t.db.kysely.selectFrom('provider_accounts').selectAll().executeTakeFirstOrThrow();
  });
  afterEach(async () => t.close());

  const sink = () =>
    createProviderSink(
      { db: t.db.kysely, clock: t.clock, bus: t.bus, logger: silentLogger, config: t.config },
      account,
    );
  const queueLong = async () => {
    const analysis = analyzeText(LONG);
    expect(analysis.parts).toHaveLength(3);
    const [id] = await queueMessages(t.db, admin.orgUnitId, 1, {
      now: t.clock.now().toISOString(),
      over: { body: LONG, parts: 3, characters: LONG.length },
    });
    return id!;
  };
  /** A gateway that answers with an id per part; `beforeAnswer` runs while the submit is "in flight". */
  const perPartGateway = (beforeAnswer: () => Promise<void> = async () => {}) =>
    testGateway({
      clock: t.clock,
      script: async (call): Promise<SendOutcome> => {
        await beforeAnswer();
        const ids = call.message.parts.map((_, i) => `00A${i + 1}F`);
        return { ok: true, gatewayId: ids[0]!, partIds: ids, status: 'accepted' };
      },
    });
  const send = async (gateway: ReturnType<typeof testGateway>) => {
    const w = testWorker({
      db: t.db,
      clock: t.clock,
      bus: t.bus,
      providers: gateway.opener,
      sleep: clockSleep(t.clock),
    });
    try {
      expect(await w.runOnce()).toEqual({ claimed: 1 });
    } finally {
      await w.stop();
    }
  };
  const statusOf = async (id: string) => (await messageRows(t.db)).get(id)!.status;
  const partStatuses = async (id: string) =>
    (
      await t.db.kysely
        .selectFrom('message_part_reports')
        .select(['part', 'status'])
        .where('message_id', '=', id)
        .orderBy('part')
        .execute()
    ).map((r) => [r.part, r.status]);

  it('stores the id of each part; a report for a part id applies as that part (sink and HTTP callback)', async () => {
    const id = await queueLong();
    const gateway = perPartGateway();
    await send(gateway);
    expect(gateway.calls[0]!.message.parts).toHaveLength(3);
    expect(await t.db.kysely.selectFrom('message_part_ids').selectAll().orderBy('part').execute()).toEqual([
      expect.objectContaining({
        provider_account_id: account.id,
        gateway_id: 'a1f',
        message_id: id,
        part: 1,
      }),
      expect.objectContaining({ gateway_id: 'a2f', part: 2 }),
      expect.objectContaining({ gateway_id: 'a3f', part: 3 }),
    ]);
    expect((await messageRows(t.db)).get(id)).toMatchObject({
      status: 'accepted',
      gateway_message_id: 'a1f',
    });

    // Part 2 over the adapter's own connection (the sink): the message is sent, not delivered.
    await sink().reports([{ gatewayId: 'A2F', status: 'delivered' }]);
    expect(await statusOf(id)).toBe('sent');
    expect(await partStatuses(id)).toEqual([[2, 'delivered']]);
    // Part 1's id is also the message's id: still a part report.
    await sink().reports([{ gatewayId: '0A1F', status: 'delivered' }]);
    expect(await statusOf(id)).toBe('sent');
    // Part 3 through the HTTP callback, like any gateway's report.
    const body = JSON.stringify({ id: 'a3f', status: 'delivered' });
    const res = await t.request(`/api/callbacks/${account.callback_token}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, account.callback_token),
      },
      body,
    });
    expect(await res.json()).toMatchObject({ applied: 1 });
    expect(await statusOf(id)).toBe('delivered');
    expect(await partStatuses(id)).toEqual([
      [1, 'delivered'],
      [2, 'delivered'],
      [3, 'delivered'],
    ]);
    const applied = (await historyOf(t.db, id)).filter((e) => e.source === 'dlr' && e.applied);
    expect(applied.map((e) => e.to_status)).toEqual(['sent', 'delivered']);
    expect(applied.at(-1)!.details).toMatchObject({ part: 3, partsTotal: 3 });
  });

  it('a part that fails makes the message undelivered with that part named', async () => {
    const id = await queueLong();
    await send(perPartGateway());
    await sink().reports([
      { gatewayId: 'a1f', status: 'delivered' },
      { gatewayId: 'a3f', status: 'undelivered', errorCode: 'ABSENT' },
    ]);
    expect((await messageRows(t.db)).get(id)).toMatchObject({ status: 'undelivered', error_code: 'ABSENT' });
    expect((await historyOf(t.db, id)).at(-1)!.details).toMatchObject({ failingPart: 3 });
  });

  it('reports that arrive before the submit answer are kept and applied to their parts', async () => {
    const id = await queueLong();
    // The gateway reports parts 3 and 1 before it answers the submit (its callback overtakes the answer).
    const gateway = perPartGateway(async () => {
      await sink().reports([
        { gatewayId: 'A3F', status: 'delivered' },
        { gatewayId: '00a1f', status: 'delivered' },
      ]);
    });
    await send(gateway);
    expect(await t.db.kysely.selectFrom('early_reports').selectAll().execute()).toEqual([]);
    expect(await partStatuses(id)).toEqual([
      [1, 'delivered'],
      [3, 'delivered'],
    ]);
    expect(await statusOf(id)).toBe('sent');
    await sink().reports([{ gatewayId: 'a2f', status: 'delivered' }]);
    expect(await statusOf(id)).toBe('delivered');
    const early = (await historyOf(t.db, id)).filter((e) => e.details.early === true);
    expect(early.map((e) => e.details.part).sort()).toEqual([1, 3]);
  });

  it('the sink stores inbound messages through the inbound module and publishes them', async () => {
    const seen: HeraldEvent[] = [];
    t.bus.subscribe((e) => seen.push(e));
    await sink().inbound([
      { gatewayMessageId: 'MO-1', from: '+4915123456789', to: 'Herald', text: 'Hello there' },
      { gatewayMessageId: 'MO-1', from: '+4915123456789', to: 'Herald', text: 'Hello there' },
    ]);
    const rows = await t.db.kysely.selectFrom('inbound_messages').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider_account_id: account.id, from_e164: '+4915123456789' });
    expect(seen.filter((e) => e.type === 'inbound.received')).toHaveLength(1);
  });

  it('the worker opens listen() on adapters that have one, re-opens a changed account and closes on stop', async () => {
    const log: string[] = [];
    const opener: ProviderOpener = (row) => {
      const version = row.updated_at;
      const provider: Provider = {
        kind: 'simulator',
        capabilities: {
          unicode: true,
          shiftTables: [],
          maxParts: 10,
          deliveryReports: true,
          statusQuery: false,
          inbound: true,
          throughputUnit: 'parts',
        },
        send: async () => ({ ok: false, class: 'retryable', code: 'X', text: 'x' }),
        parseDeliveryReport: () => ({ ok: false, reason: 'invalid_payload' }),
        listen: async () => {
          log.push(`listen ${version}`);
        },
        close: async () => {
          log.push(`close ${version}`);
        },
      };
      return provider;
    };
    const w = testWorker(
      { db: t.db, clock: t.clock, bus: t.bus, providers: opener, listenEveryMs: 1000 },
      { HERALD_WORKER_POLL_MS: '20' },
    );
    w.start();
    try {
      const first = account.updated_at;
      await waitFor(async () => log.includes(`listen ${first}`), 5000, 'listen');
      await t.db.kysely
        .updateTable('provider_accounts')
        .set({ updated_at: '2026-11-22T09:30:00.000Z' })
        .where('id', '=', account.id)
        .execute();
      t.clock.advance(1000);
      await waitFor(async () => log.includes('listen 2026-11-22T09:30:00.000Z'), 5000, 'listen again');
      expect(log.slice(0, 3)).toEqual([
        `listen ${first}`,
        `close ${first}`,
        'listen 2026-11-22T09:30:00.000Z',
      ]);
    } finally {
      await w.stop();
    }
    expect(log.at(-1)).toBe('close 2026-11-22T09:30:00.000Z');
  });
});
