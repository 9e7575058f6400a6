import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { HeraldEvent } from '../src/modules/events/events.bus.js';
import type { ProviderAccountRow } from '../src/modules/gateways/gateways.repository.js';
import { startInboundPartsSweeper } from '../src/modules/inbound/inbound.sweeper.js';
import { flushWaitingParts, receiveInbound } from '../src/modules/inbound/inbound.usecases.js';
import type { InboundSms } from '../src/providers/provider.contract.js';
import { type FakeVonage, startFakeVonage } from './helpers/fake-vonage.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const HANDSET = '+4915123456789';
const HOUR = 3_600_000;

describe.each(TEST_DIALECTS)('joining the parts of long inbound messages on %s', (dialect) => {
  let t: TestApp;
  let account: ProviderAccountRow;
  let seen: HeraldEvent[];

  beforeEach(async () => {
    t = await createTestApp(dialect);
    await t.setupAdmin();
    account = await t.db.kysely.selectFrom('provider_accounts').selectAll().executeTakeFirstOrThrow();
    seen = [];
    t.bus.subscribe((e) => seen.push(e));
  });
  afterEach(async () => t.close());

  const deps = () => ({
    db: t.db.kysely,
    clock: t.clock,
    bus: t.bus,
    logger: silentLogger,
    config: t.config,
  });
  /** Part `part` of `total` of the message with reference `ref` (gateway id `<ref>-<part>`). */
  const part = (ref: string, p: number, total: number, text: string, from = HANDSET): InboundSms => ({
    gatewayMessageId: `${ref}-${p}`,
    from,
    to: 'Herald',
    text,
    concat: { ref, total, part: p },
  });
  const receive = (...sms: InboundSms[]) => receiveInbound(deps(), account, sms);
  const inbound = () =>
    t.db.kysely.selectFrom('inbound_messages').selectAll().orderBy('stored_at').orderBy('id').execute();
  const waiting = () =>
    t.db.kysely
      .selectFrom('inbound_parts')
      .selectAll()
      .where('inbound_id', 'is', null)
      .orderBy('part')
      .execute();
  const consentEvents = () =>
    t.db.kysely.selectFrom('consent_events').selectAll().where('e164', '=', HANDSET).execute();
  const replies = () =>
    t.db.kysely.selectFrom('messages').selectAll().where('category', '=', 'keyword_reply').execute();
  const received = () => seen.filter((e) => e.type === 'inbound.received');

  it('joins parts that arrive out of order into one message, in part order, once the last one is there', async () => {
    expect(await receive(part('r1', 3, 3, ' tomorrow.'))).toEqual({ stored: 0, duplicates: 0 });
    expect(await receive(part('r1', 1, 3, 'See you'))).toEqual({ stored: 0, duplicates: 0 });
    expect(await inbound()).toHaveLength(0);
    expect((await waiting()).map((p) => p.part)).toEqual([1, 3]);
    expect(received()).toHaveLength(0);

    expect(await receive(part('r1', 2, 3, ' at ten'))).toEqual({ stored: 1, duplicates: 0 });
    const rows = await inbound();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      text: 'See you at ten tomorrow.',
      from_e164: HANDSET,
      gateway_message_id: 'r1-1',
      parts_total: 3,
      parts_received: 3,
      keyword: null,
    });
    expect(await waiting()).toHaveLength(0);
    expect(received()).toHaveLength(1);
    expect(received()[0]).toMatchObject({ inboundId: rows[0]!.id });

    // The same reference from another number is another message.
    const other = '+4915199999999';
    await receive({ ...part('r1', 2, 2, 'sender', other), gatewayMessageId: 'o-2' });
    expect(await receive({ ...part('r1', 1, 2, 'Other ', other), gatewayMessageId: 'o-1' })).toEqual({
      stored: 1,
      duplicates: 0,
    });
    expect((await inbound()).map((r) => r.text)).toEqual(['See you at ten tomorrow.', 'Other sender']);
  });

  it('stores a replayed part once, before and after the join', async () => {
    await receive(part('r2', 1, 2, 'Hello '));
    expect(await receive(part('r2', 1, 2, 'Hello '))).toEqual({ stored: 0, duplicates: 1 });
    expect(await waiting()).toHaveLength(1);
    expect(await receive(part('r2', 2, 2, 'world'))).toEqual({ stored: 1, duplicates: 0 });
    // Replays of either part after the join add nothing, and nothing waits to be flushed later.
    expect(await receive(part('r2', 2, 2, 'world'), part('r2', 1, 2, 'Hello '))).toEqual({
      stored: 0,
      duplicates: 2,
    });
    expect(await waiting()).toHaveLength(0);
    t.clock.advance(25 * HOUR);
    expect(await flushWaitingParts(deps())).toEqual({ stored: 0 });
    expect((await inbound()).map((r) => r.text)).toEqual(['Hello world']);
  });

  it('a reference the sender uses again for a new message (other gateway ids) starts a new set', async () => {
    await receive(part('r3', 1, 2, 'First '), part('r3', 2, 2, 'one'));
    await receive({ ...part('r3', 2, 2, 'two'), gatewayMessageId: 'again-2' });
    await receive({ ...part('r3', 1, 2, 'Second '), gatewayMessageId: 'again-1' });
    expect((await inbound()).map((r) => r.text)).toEqual(['First one', 'Second two']);
    // Reused while the old set still waits: the old set is stored as it is (incomplete), the new one waits.
    await receive(part('r4', 1, 2, 'Lost '));
    expect(await receive({ ...part('r4', 1, 2, 'New '), gatewayMessageId: 'new-1' })).toEqual({
      stored: 1,
      duplicates: 0,
    });
    expect((await inbound()).at(-1)).toMatchObject({ text: 'Lost ', parts_total: 2, parts_received: 1 });
    expect((await waiting()).map((p) => p.text)).toEqual(['New ']);
    await receive({ ...part('r4', 2, 2, 'start'), gatewayMessageId: 'new-2' });
    expect((await inbound()).at(-1)).toMatchObject({ text: 'New start', parts_received: 2 });
  });

  it('two last parts processed at the same time make exactly one message; a STOP split in two acts once', async () => {
    for (const ref of ['c1', 'c2', 'c3', 'c4']) {
      const results = await Promise.all([receive(part(ref, 1, 2, 'ST')), receive(part(ref, 2, 2, 'OP'))]);
      expect(results.reduce((n, r) => n + r.stored, 0)).toBe(1);
    }
    const rows = await inbound();
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.text === 'STOP' && r.keyword_action === 'opt_out')).toBe(true);
    expect(rows.map((r) => r.keyword_effect).sort()).toEqual([
      'already_opted_out',
      'already_opted_out',
      'already_opted_out',
      'opted_out',
    ]);
    expect(await consentEvents()).toHaveLength(1);
    expect(await replies()).toHaveLength(1);
    expect(received()).toHaveLength(4);
  });

  it('a joined two-part STOP opts out once and confirms once, also when a part is replayed', async () => {
    await receive(part('k1', 2, 2, 'OP'));
    await receive(part('k1', 1, 2, 'ST'));
    await receive(part('k1', 1, 2, 'ST'), part('k1', 2, 2, 'OP'));
    const rows = await inbound();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ text: 'STOP', keyword_action: 'opt_out', keyword_effect: 'opted_out' });
    expect(await consentEvents()).toHaveLength(1);
    expect(await replies()).toHaveLength(1);
    expect(rows[0]!.reply_message_id).toBe((await replies())[0]!.id);
  });

  it('an incomplete set is stored after the window with the parts that arrived, marked incomplete, keyword not acted on', async () => {
    await receive(part('w1', 1, 3, 'STOP'));
    t.clock.advance(HOUR);
    await receive(part('w1', 3, 3, '!'));
    // Before the window (24 h by default) has passed since the first part: still waiting.
    t.clock.advance(22 * HOUR);
    expect(
      await receive({ gatewayMessageId: 'plain-1', from: '+4915100000001', to: 'Herald', text: 'hi' }),
    ).toEqual({
      stored: 1,
      duplicates: 0,
    });
    expect(await waiting()).toHaveLength(2);
    // Past it: the next receive flushes the set first.
    t.clock.advance(2 * HOUR);
    expect(
      await receive({ gatewayMessageId: 'plain-2', from: '+4915100000001', to: 'Herald', text: 'ho' }),
    ).toEqual({
      stored: 1,
      duplicates: 0,
    });
    const flushed = (await inbound()).find((r) => r.from_e164 === HANDSET);
    expect(flushed).toMatchObject({
      text: 'STOP!',
      gateway_message_id: 'w1-1',
      parts_total: 3,
      parts_received: 2,
      keyword: null,
      keyword_action: null,
    });
    expect(await waiting()).toHaveLength(0);
    expect(await consentEvents()).toHaveLength(0);
    expect(received().map((e) => e.type === 'inbound.received' && e.inboundId)).toContain(flushed!.id);
    // The missing part arriving late is kept too (a set of its own, flushed after its window).
    await receive(part('w1', 2, 3, ' please'));
    t.clock.advance(25 * HOUR);
    expect(await flushWaitingParts(deps())).toEqual({ stored: 1 });
    expect((await inbound()).map((r) => r.text)).toContain(' please');
  });

  it('the server sweep stores an incomplete set after its window without another inbound message', async () => {
    let fire: (() => void) | undefined;
    let cleared = false;
    const sweeper = startInboundPartsSweeper(deps(), {
      setInterval: (fn) => {
        fire = fn;
        return 1;
      },
      clearInterval: () => {
        cleared = true;
      },
    });
    await receive(part('t1', 1, 2, 'Only half'));
    fire!();
    await sweeper.tick();
    expect(await inbound()).toHaveLength(0);
    t.clock.advance(24 * HOUR + 1);
    fire!();
    await sweeper.tick();
    expect(await inbound()).toMatchObject([{ text: 'Only half', parts_total: 2, parts_received: 1 }]);
    await sweeper.stop();
    expect(cleared).toBe(true);
  });

  it('the window is a setting', async () => {
    await t.close();
    t = await createTestApp(dialect, { HERALD_INBOUND_PARTS_WINDOW_HOURS: '2' });
    await t.setupAdmin();
    account = await t.db.kysely.selectFrom('provider_accounts').selectAll().executeTakeFirstOrThrow();
    await receive(part('s1', 1, 2, 'Half'));
    t.clock.advance(HOUR);
    expect(await flushWaitingParts(deps())).toEqual({ stored: 0 });
    t.clock.advance(HOUR + 1);
    expect(await flushWaitingParts(deps())).toEqual({ stored: 1 });
    expect(await inbound()).toMatchObject([{ text: 'Half', parts_total: 2, parts_received: 1 }]);
  });
});

describe.each(TEST_DIALECTS)('a two-part Vonage inbound SMS through the callback route on %s', (dialect) => {
  const KEY = 'k3y';
  const SECRET = 's3cret';
  const SIG_SECRET = 'sig-secret-0123456789';
  let t: TestApp;
  let fake: FakeVonage;
  let server: ReturnType<typeof serve>;
  let base: string;

  beforeEach(async () => {
    fake = await startFakeVonage({ apiKey: KEY, apiSecret: SECRET, signatureSecret: SIG_SECRET });
    t = await createTestApp(dialect, {
      HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
    });
    server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
    await fake.close();
  });

  it('stores the parts posted one request each as one message; a replayed part changes nothing', async () => {
    const { headers } = await t.setupAdmin();
    const res = await t.request('/api/gateways', {
      method: 'POST',
      headers,
      json: {
        name: 'Vonage',
        kind: 'vonage',
        settings: {
          apiKey: KEY,
          apiSecret: SECRET,
          baseUrl: `${fake.url}/ok`,
          signatureSecret: SIG_SECRET,
          signatureMethod: 'sha256hmac',
        },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const { callback_token } = await t.db.kysely
      .selectFrom('provider_accounts')
      .select('callback_token')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const url = `${base}/api/callbacks/${callback_token}/inbound`;
    const sms = { from: '4915123456789', to: '447700900000' };
    const concat = (p: number, messageId: string) => ({
      concat: 'true',
      'concat-ref': '0A7',
      'concat-total': '2',
      'concat-part': String(p),
      messageId,
      type: 'text',
    });
    expect(await fake.inbound(url, { ...sms, text: 'worlds apart.' }, concat(2, '0B0000002'))).toBe(200);
    const rows = () => t.db.kysely.selectFrom('inbound_messages').selectAll().execute();
    expect(await rows()).toHaveLength(0);
    expect(await fake.inbound(url, { ...sms, text: 'Two parts, ' }, concat(1, '0B0000001'))).toBe(200);
    expect(await fake.inbound(url, { ...sms, text: 'worlds apart.' }, concat(2, '0B0000002'))).toBe(200);
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      provider_account_id: id,
      from_e164: '+4915123456789',
      to_address: '+447700900000',
      text: 'Two parts, worlds apart.',
      gateway_message_id: 'b0000001',
      parts_total: 2,
      parts_received: 2,
    });
  });
});
