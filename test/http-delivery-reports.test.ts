import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import {
  applyDeliveryReports,
  applyEarlyReports,
  expireEarlyReports,
} from '../src/modules/delivery-reports/delivery-reports.usecases.js';
import type { HeraldEvent } from '../src/modules/events/events.bus.js';
import {
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorReport,
} from '../src/providers/simulator/simulator.provider.js';
import { insertSubmittedMessage } from './helpers/delivery-report-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

describe.each(TEST_DIALECTS)('delivery reports on %s', (dialect) => {
  let t: TestApp;
  let account: { id: string; callback_token: string };
  let orgUnitId: string;
  let batchId: string;
  let seen: HeraldEvent[];
  beforeEach(async () => {
    t = await createTestApp(dialect);
    orgUnitId = (await t.setupAdmin()).orgUnitId;
    account = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['id', 'callback_token'])
      .executeTakeFirstOrThrow();
    batchId = newId();
    const now = t.clock.now().toISOString();
    await t.db.kysely
      .insertInto('batches')
      .values({
        id: batchId,
        org_unit_id: orgUnitId,
        sender_type: 'user',
        sender_ref: 'test',
        sender_name: 'Test',
        message: 'Your parcel is here',
        template_id: null,
        category: 'transactional',
        request: '{}',
        requested_count: 1,
        blocked_count: 0,
        scheduled_at: null,
        created_at: now,
        canceled_at: null,
      })
      .execute();
    seen = [];
    t.bus.subscribe((e) => seen.push(e));
  });
  afterEach(async () => t.close());

  const insertMessage = (gatewayId: string | null, opts: { status?: string; parts?: number } = {}) =>
    insertSubmittedMessage(t, { orgUnitId, accountId: account.id, gatewayId, batch_id: batchId, ...opts });
  /** What the worker does when the submit response arrives: store the normalised gateway id. */
  const storeGatewayId = (id: string, gatewayId: string) =>
    t.db.kysely
      .updateTable('messages')
      .set({ gateway_message_id: gatewayId, status: 'accepted' })
      .where('id', '=', id)
      .execute();
  const message = (id: string) =>
    t.db.kysely
      .selectFrom('messages')
      .select(['status', 'error_code', 'final_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const history = async (id: string) =>
    (
      await t.db.kysely
        .selectFrom('message_events')
        .selectAll()
        .where('message_id', '=', id)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute()
    ).map((e) => ({ ...e, applied: Boolean(e.applied), details: JSON.parse(e.details) as Json }));
  const count = async (table: 'early_reports' | 'message_events' | 'message_part_reports') =>
    Number(
      (
        await t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const report = async (payload: Json, opts: { key?: string } = {}) => {
    const body = JSON.stringify(payload);
    const res = await t.request(`/api/callbacks/${account.callback_token}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, opts.key ?? account.callback_token),
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /**
   * A per-part report. The simulator's callback has no part field, so these go through the same
   * function the callback calls after parsing (and adapters with their own connection, e.g. SMPP).
   */
  const partReport = async (
    gatewayId: string,
    status: 'sent' | 'delivered' | 'undelivered',
    part: number,
    err?: string,
  ) => ({
    body: await applyDeliveryReports({
      db: t.db.kysely,
      clock: t.clock,
      bus: t.bus,
      providerAccountId: account.id,
      reports: [{ gatewayId, status, part, ...(err ? { errorCode: err } : {}) }],
    }),
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const statusEvents = () =>
    seen.filter((e): e is Extract<HeraldEvent, { type: 'message.status' }> => e.type === 'message.status');

  it('the same report 10 times is processed once: one history row, one live event', async () => {
    const id = await insertMessage('sim-dup');
    const results = [];
    for (let i = 0; i < 10; i++) results.push((await report({ id: 'sim-dup', status: 'delivered' })).body);
    expect(results[0]).toEqual({ applied: 1, ignored: 0, unmatched: 0, duplicates: 0 });
    for (const r of results.slice(1))
      expect(r).toEqual({ applied: 0, ignored: 1, unmatched: 0, duplicates: 1 });
    expect((await message(id)).status).toBe('delivered');
    const h = await history(id);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ applied: true, to_status: 'delivered' });
    await settle();
    expect(statusEvents()).toEqual([
      expect.objectContaining({ messageId: id, from: 'accepted', to: 'delivered', orgUnitId, batchId }),
    ]);
  });

  it('out of order: sent after delivered and undelivered after delivered change nothing; sent then delivered moves forward', async () => {
    const a = await insertMessage('sim-a');
    await report({ id: 'sim-a', status: 'delivered' });
    await report({ id: 'sim-a', status: 'sent' });
    await report({ id: 'sim-a', status: 'undelivered', err: 'LATE' });
    expect(await message(a)).toMatchObject({ status: 'delivered', error_code: null });
    expect((await history(a)).map((e) => [e.to_status, e.applied, e.reason])).toEqual([
      ['delivered', true, null],
      ['sent', false, 'final'],
      ['undelivered', false, 'final'],
    ]);
    const b = await insertMessage('sim-b');
    await report({ id: 'sim-b', status: 'sent' });
    await report({ id: 'sim-b', status: 'delivered' });
    expect((await message(b)).status).toBe('delivered');
  });

  it('publishes applied changes after commit, and batch.completed when the last message is final', async () => {
    const a = await insertMessage('sim-c1');
    const b = await insertMessage('sim-c2');
    await report({ id: 'sim-c1', status: 'delivered' });
    await settle();
    expect(seen.map((e) => e.type)).toEqual(['message.status']);
    await report({ id: 'sim-c2', status: 'undelivered', err: 'SIM_UNDELIVERED' });
    await settle();
    expect(seen.map((e) => e.type)).toEqual(['message.status', 'message.status', 'batch.completed']);
    expect(seen[1]).toMatchObject({ messageId: b, to: 'undelivered', applied: true });
    expect(seen[0]).toMatchObject({ messageId: a });
    // batch.completed has a durable record with a time-ordered id (the live stream replays it).
    const completion = await t.db.kysely
      .selectFrom('batch_completions')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(seen[2]).toMatchObject({ type: 'batch.completed', batchId, eventId: completion.event_id });
  });

  describe('reports that arrive before the gateway id is stored', () => {
    it('are kept and applied when the worker stores the id (compared case- and zero-insensitively)', async () => {
      const id = await insertMessage(null, { status: 'sending' });
      const r = await report({ id: '00SIM7AB', status: 'delivered', at: '2026-11-22T09:00:01.000Z' });
      expect(r).toEqual({ status: 200, body: { applied: 0, ignored: 1, unmatched: 1, duplicates: 0 } });
      expect(await count('early_reports')).toBe(1);
      expect((await message(id)).status).toBe('sending');
      expect(await count('message_events')).toBe(0);

      t.clock.advance(1000);
      await storeGatewayId(id, 'sim7ab');
      const applied = await applyEarlyReports({
        db: t.db.kysely,
        clock: t.clock,
        bus: t.bus,
        providerAccountId: account.id,
        gatewayId: 'SIM7AB',
        messageId: id,
      });
      expect(applied).toMatchObject({ applied: 1, ignored: 0, expired: 0 });
      expect((await message(id)).status).toBe('delivered');
      expect(await count('early_reports')).toBe(0);
      const [e] = await history(id);
      expect(e).toMatchObject({
        from_status: 'accepted',
        to_status: 'delivered',
        applied: true,
        source: 'dlr',
        details: { early: true, gatewayId: 'sim7ab', reportedAt: '2026-11-22T09:00:01.000Z' },
      });
      await settle();
      expect(statusEvents()).toEqual([
        expect.objectContaining({ messageId: id, to: 'delivered', applied: true }),
      ]);
      // Applying again finds nothing: the kept report was consumed.
      expect(
        await applyEarlyReports({
          db: t.db.kysely,
          clock: t.clock,
          bus: t.bus,
          providerAccountId: account.id,
          gatewayId: 'sim7ab',
          messageId: id,
        }),
      ).toMatchObject({ applied: 0, ignored: 0, changes: [] });
    });

    it('kept out of order and duplicated, they still end in the right status', async () => {
      const id = await insertMessage(null, { status: 'sending' });
      await report({ id: 'sim-ooo', status: 'delivered' });
      await report({ id: 'sim-ooo', status: 'delivered' });
      await report({ id: 'sim-ooo', status: 'sent' });
      expect(await count('early_reports')).toBe(2); // the duplicate is stored once
      await storeGatewayId(id, 'sim-ooo');
      const r = await applyEarlyReports({
        db: t.db.kysely,
        clock: t.clock,
        bus: t.bus,
        providerAccountId: account.id,
        gatewayId: 'sim-ooo',
        messageId: id,
      });
      expect(r).toMatchObject({ applied: 1, ignored: 1 });
      expect((await message(id)).status).toBe('delivered');
    });

    it('inside the worker transaction: applied there, published by the caller after its commit', async () => {
      const id = await insertMessage(null, { status: 'sending' });
      await report({ id: 'sim-trx', status: 'delivered' });
      const result = await t.db.kysely.transaction().execute(async (trx) => {
        await trx
          .updateTable('messages')
          .set({ gateway_message_id: 'sim-trx', status: 'accepted' })
          .where('id', '=', id)
          .execute();
        return applyEarlyReports({
          db: trx,
          clock: t.clock,
          bus: t.bus,
          providerAccountId: account.id,
          gatewayId: 'sim-trx',
          messageId: id,
        });
      });
      expect(result.changes).toEqual([
        expect.objectContaining({ messageId: id, to: 'delivered', applied: true }),
      ]);
      await settle();
      expect(statusEvents()).toEqual([]); // not published: the caller does that after its commit
      expect((await message(id)).status).toBe('delivered');
    });

    it('expire after 48 hours: not applied, and removed when new ones are stored', async () => {
      const id = await insertMessage(null, { status: 'sending' });
      await report({ id: 'sim-old', status: 'delivered' });
      t.clock.advance(49 * 3_600_000);
      await storeGatewayId(id, 'sim-old');
      const r = await applyEarlyReports({
        db: t.db.kysely,
        clock: t.clock,
        bus: t.bus,
        providerAccountId: account.id,
        gatewayId: 'sim-old',
        messageId: id,
      });
      expect(r).toMatchObject({ applied: 0, expired: 1 });
      expect((await message(id)).status).toBe('accepted');

      await report({ id: 'sim-x', status: 'delivered' });
      t.clock.advance(47 * 3_600_000);
      await report({ id: 'sim-y', status: 'delivered' });
      expect(await count('early_reports')).toBe(2);
      t.clock.advance(2 * 3_600_000);
      await report({ id: 'sim-z', status: 'delivered' }); // sim-x is now older than 48 h
      const left = await t.db.kysely
        .selectFrom('early_reports')
        .select('gateway_id')
        .orderBy('gateway_id')
        .execute();
      expect(left.map((x) => x.gateway_id)).toEqual(['sim-y', 'sim-z']);
      t.clock.advance(49 * 3_600_000);
      expect(await expireEarlyReports({ db: t.db.kysely, clock: t.clock })).toBe(2);
    });

    it('with no report kept for the id, it returns at once and writes nothing', async () => {
      const before = await count('message_events');
      const r = await applyEarlyReports({
        db: t.db.kysely,
        clock: t.clock,
        bus: t.bus,
        providerAccountId: account.id,
        gatewayId: 'sim-nothing-kept',
        // Not looked up when nothing is kept: the worker calls this after every submit.
        messageId: 'no-such-message',
      });
      expect(r).toEqual({ applied: 0, ignored: 0, expired: 0, changes: [] });
      expect(await count('message_events')).toBe(before);
    });

    it('an unknown message id is refused and the kept reports stay', async () => {
      await report({ id: 'sim-keep', status: 'delivered' });
      await expect(
        applyEarlyReports({
          db: t.db.kysely,
          clock: t.clock,
          bus: t.bus,
          providerAccountId: account.id,
          gatewayId: 'sim-keep',
          messageId: 'no-such-message',
        }),
      ).rejects.toMatchObject({ code: 'message.not_found' });
      expect(await count('early_reports')).toBe(1);
    });
  });

  describe('multi-part messages', () => {
    it('are delivered when every part is; parts may come in any order and twice', async () => {
      const id = await insertMessage('sim-mp', { parts: 3 });
      expect((await partReport('sim-mp', 'delivered', 2)).body).toEqual({
        applied: 1,
        ignored: 0,
        unmatched: 0,
        duplicates: 0,
      });
      expect((await message(id)).status).toBe('sent'); // the carrier has it, not all parts arrived
      await partReport('sim-mp', 'sent', 1);
      await partReport('sim-mp', 'delivered', 3);
      expect((await message(id)).status).toBe('sent');
      await partReport('sim-mp', 'sent', 2); // late: part 2 stays delivered
      const last = await partReport('sim-mp', 'delivered', 1);
      expect(last.body).toMatchObject({ applied: 1 });
      expect((await message(id)).status).toBe('delivered');
      // The same part report again is a replay: dropped.
      expect((await partReport('sim-mp', 'delivered', 1)).body).toMatchObject({ applied: 0, duplicates: 1 });
      const parts = await t.db.kysely
        .selectFrom('message_part_reports')
        .select(['part', 'status'])
        .where('message_id', '=', id)
        .orderBy('part')
        .execute();
      expect(parts).toEqual([
        { part: 1, status: 'delivered' },
        { part: 2, status: 'delivered' },
        { part: 3, status: 'delivered' },
      ]);
      const h = await history(id);
      expect(h.filter((e) => e.applied).map((e) => e.to_status)).toEqual(['sent', 'delivered']);
      expect(h.at(-1)!.details).toMatchObject({
        part: 1,
        partsTotal: 3,
        partStatuses: { '1': 'delivered', '2': 'delivered', '3': 'delivered' },
      });
    });

    it('are undelivered when one part is, keeping each part and the failing part’s error', async () => {
      const id = await insertMessage('sim-mq', { parts: 2 });
      await partReport('sim-mq', 'delivered', 1);
      await partReport('sim-mq', 'undelivered', 2, 'ABSENT_SUBSCRIBER');
      expect(await message(id)).toMatchObject({ status: 'undelivered', error_code: 'ABSENT_SUBSCRIBER' });
      const applied = (await history(id)).filter((e) => e.applied).at(-1)!;
      expect(applied.details).toMatchObject({
        failingPart: 2,
        partStatuses: { '1': 'delivered', '2': 'undelivered' },
      });
      // A later "delivered" for the failed part changes neither the part nor the message.
      await partReport('sim-mq', 'delivered', 2);
      expect((await message(id)).status).toBe('undelivered');
      const part2 = await t.db.kysely
        .selectFrom('message_part_reports')
        .select('status')
        .where('message_id', '=', id)
        .where('part', '=', 2)
        .executeTakeFirstOrThrow();
      expect(part2.status).toBe('undelivered');
    });

    it('reports of different parts arriving at the same moment never hide each other', async () => {
      for (let round = 0; round < 5; round++) {
        const gid = `sim-race-${round}`;
        const id = await insertMessage(gid, { parts: 3 });
        await Promise.all([
          partReport(gid, 'delivered', 1),
          partReport(gid, 'delivered', 2),
          partReport(gid, 'delivered', 3),
        ]);
        expect((await message(id)).status).toBe('delivered');
      }
    });

    it('a part report kept early is aggregated like a fresh one', async () => {
      const id = await insertMessage(null, { status: 'sending', parts: 2 });
      await partReport('sim-mr', 'delivered', 1);
      await partReport('sim-mr', 'delivered', 2);
      await storeGatewayId(id, 'sim-mr');
      await applyEarlyReports({
        db: t.db.kysely,
        clock: t.clock,
        bus: t.bus,
        providerAccountId: account.id,
        gatewayId: 'sim-mr',
        messageId: id,
      });
      expect((await message(id)).status).toBe('delivered');
    });
  });

  it('bad signature (403) and unreadable report (400) keep nothing, not even an early report', async () => {
    await insertMessage(null, { status: 'sending' });
    expect((await report({ id: 'sim-bad', status: 'delivered' }, { key: 'guessed' })).status).toBe(403);
    expect((await report({ id: 'sim-bad', status: 'teleported' })).status).toBe(400);
    expect(await count('early_reports')).toBe(0);
    expect(await count('message_events')).toBe(0);
    await settle();
    expect(seen).toEqual([]);
  });
});

// Imported here (not at the top) so this block is appended without touching the tests above.
const { REPORT_RECEIPT_TTL_HOURS } = await import(
  '../src/modules/delivery-reports/delivery-reports.usecases.js'
);

describe.each(TEST_DIALECTS)('delivery report receipts on %s: pruned at most once a minute', (dialect) => {
  // A fresh app (and so a fresh Kysely instance: the last prune is tracked per instance) per test.
  let t: TestApp;
  let account: { id: string };
  let orgUnitId: string;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    orgUnitId = (await t.setupAdmin()).orgUnitId;
    account = await t.db.kysely.selectFrom('provider_accounts').select(['id']).executeTakeFirstOrThrow();
  });
  afterEach(async () => t.close());

  const TTL_MS = REPORT_RECEIPT_TTL_HOURS * 3_600_000;
  const at = (ms: number) => new Date(ms).toISOString();
  /** A receipt as an earlier report left it, received at `receivedAt`. */
  const seedReceipt = (digest: string, receivedAt: string) =>
    t.db.kysely
      .insertInto('report_receipts')
      .values({ provider_account_id: account.id, digest, received_at: receivedAt })
      .execute();
  /** The seeded receipts still stored (the reports' own receipts have hex digests). */
  const seeded = async () =>
    (
      await t.db.kysely
        .selectFrom('report_receipts')
        .select('digest')
        .where('digest', 'like', 'seed-%')
        .orderBy('digest')
        .execute()
    ).map((r) => r.digest);
  const receiptCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('report_receipts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const deliver = (gatewayId: string, status: 'sent' | 'delivered' = 'delivered') =>
    applyDeliveryReports({
      db: t.db.kysely,
      clock: t.clock,
      bus: t.bus,
      providerAccountId: account.id,
      reports: [{ gatewayId, status }],
    });

  it('the first report prunes old receipts; one 10 s later prunes nothing; one over 60 s later does', async () => {
    const t0 = t.clock.now().getTime();
    await seedReceipt('seed-a-old', at(t0 - TTL_MS - 1_000)); // past the TTL now
    await seedReceipt('seed-b-soon', at(t0 - TTL_MS + 5_000)); // past the TTL from t0 + 5 s
    await seedReceipt('seed-c-young', at(t0 - TTL_MS + 2 * 3_600_000)); // within the TTL throughout
    for (const g of ['prune-1', 'prune-2', 'prune-3'])
      await insertSubmittedMessage(t, { orgUnitId, accountId: account.id, gatewayId: g });

    expect(await deliver('prune-1')).toMatchObject({ applied: 1, duplicates: 0 });
    expect(await seeded()).toEqual(['seed-b-soon', 'seed-c-young']);

    t.clock.advance(10_000);
    // seed-b-soon is older than the TTL now, but the last prune was 10 s ago: it stays.
    expect(new Date(t0 + 10_000 - TTL_MS).toISOString() > at(t0 - TTL_MS + 5_000)).toBe(true);
    expect(await deliver('prune-2')).toMatchObject({ applied: 1, duplicates: 0 });
    expect(await seeded()).toEqual(['seed-b-soon', 'seed-c-young']);

    t.clock.advance(51_000); // t0 + 61 s: more than a minute since the first prune
    expect(await deliver('prune-3')).toMatchObject({ applied: 1, duplicates: 0 });
    expect(await seeded()).toEqual(['seed-c-young']);
    // The reports' own receipts are young and kept.
    expect(await receiptCount()).toBe(1 + 3);
  });

  it('the minute is counted per database: another database prunes on its first report', async () => {
    const other = await createTestApp(dialect);
    try {
      await other.setupAdmin();
      const otherAccount = await other.db.kysely
        .selectFrom('provider_accounts')
        .select(['id'])
        .executeTakeFirstOrThrow();
      const t0 = t.clock.now().getTime();
      // This database pruned just now …
      await deliver('per-db-1');
      // … the other one never did: its first report prunes its old receipt at once.
      await other.db.kysely
        .insertInto('report_receipts')
        .values({
          provider_account_id: otherAccount.id,
          digest: 'seed-other',
          received_at: at(t0 - TTL_MS - 1),
        })
        .execute();
      await applyDeliveryReports({
        db: other.db.kysely,
        clock: other.clock,
        bus: other.bus,
        providerAccountId: otherAccount.id,
        reports: [{ gatewayId: 'per-db-2', status: 'delivered' }],
      });
      const left = await other.db.kysely
        .selectFrom('report_receipts')
        .select('digest')
        .where('digest', '=', 'seed-other')
        .execute();
      expect(left).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('a replayed report is still a duplicate just before the TTL ends, even after prunes ran', async () => {
    const id = await insertSubmittedMessage(t, { orgUnitId, accountId: account.id, gatewayId: 'dup-ttl' });
    expect(await deliver('dup-ttl')).toEqual({ applied: 1, ignored: 0, unmatched: 0, duplicates: 0 });

    t.clock.advance(TTL_MS - 60_000);
    await insertSubmittedMessage(t, { orgUnitId, accountId: account.id, gatewayId: 'dup-other' });
    // A prune runs here (over a minute since the last): the first receipt is not old enough to go.
    expect(await deliver('dup-other')).toMatchObject({ applied: 1, duplicates: 0 });
    expect(await receiptCount()).toBe(2);

    t.clock.advance(30_000);
    expect(await deliver('dup-ttl')).toEqual({ applied: 0, ignored: 1, unmatched: 0, duplicates: 1 });
    const events = await t.db.kysely
      .selectFrom('message_events')
      .select(['to_status', 'applied'])
      .where('message_id', '=', id)
      .execute();
    expect(events).toHaveLength(1);

    // Past the TTL and over a minute after the last prune: the first report's receipt is deleted.
    t.clock.advance(2 * 60_000);
    await deliver('dup-other', 'sent');
    expect(await receiptCount()).toBe(2); // dup-other's two receipts; dup-ttl's is gone
  });
});
