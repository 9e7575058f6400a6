import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { simulatorInboundRequest } from '../src/providers/simulator/simulator.provider.js';
import {
  clockSleep,
  messageRows,
  queueMessages,
  testGateway,
  testWorker,
} from './helpers/dispatch-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const HANDSET = '+4915123456789';
const OTHER = '+4917612345678';

/**
 * STOP end to end: messages already queued to a number that then sends STOP are blocked when the worker
 * reaches them, while the STOP confirmation itself goes out to that (opted-out) number.
 */
describe.each(TEST_DIALECTS)('keywords and the worker on %s', (dialect) => {
  let t: TestApp;
  let account: { id: string; callback_token: string };
  let orgUnitId: string;
  let seq = 0;

  beforeEach(async () => {
    t = await createTestApp(dialect);
    orgUnitId = (await t.setupAdmin()).orgUnitId;
    account = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['id', 'callback_token'])
      .executeTakeFirstOrThrow();
  });
  afterEach(async () => t.close());

  const inbound = async (text: string, from = HANDSET) => {
    const { body, headers } = simulatorInboundRequest(
      { id: `in-${++seq}`, from, to: 'Herald', text },
      account.callback_token,
    );
    const res = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
      method: 'POST',
      headers,
      body,
    });
    expect(res.status).toBe(200);
  };
  const worker = (gateway: ReturnType<typeof testGateway>) =>
    testWorker({
      db: t.db,
      clock: t.clock,
      bus: t.bus,
      providers: gateway.opener,
      sleep: clockSleep(t.clock),
    });

  it('a queued message to a number that sent STOP is blocked (opted_out); the confirmation is sent', async () => {
    const now = t.clock.now().toISOString();
    const [toHandset1, toHandset2] = await queueMessages(t.db, orgUnitId, 2, {
      now,
      over: { to_e164: HANDSET, to_input: HANDSET },
    });
    const [toOther] = await queueMessages(t.db, orgUnitId, 1, {
      now,
      over: { to_e164: OTHER, to_input: OTHER },
    });
    // Marketing too: no category gets past an opt-out.
    await t.db.kysely
      .updateTable('messages')
      .set({ category: 'marketing' })
      .where('id', '=', toHandset2!)
      .execute();

    await inbound('STOP');
    const reply = await t.db.kysely
      .selectFrom('messages')
      .select(['id', 'status'])
      .where('category', '=', 'keyword_reply')
      .executeTakeFirstOrThrow();
    expect(reply.status).toBe('queued');

    const gateway = testGateway({ clock: t.clock });
    const w = worker(gateway);
    await w.runOnce();
    await w.stop();

    const rows = await messageRows(t.db);
    expect(rows.get(toHandset1!)).toMatchObject({ status: 'blocked', status_reason: 'opted_out' });
    expect(rows.get(toHandset2!)).toMatchObject({ status: 'blocked', status_reason: 'opted_out' });
    expect(rows.get(toOther!)?.status).toBe('accepted');
    expect(rows.get(reply.id)?.status).toBe('accepted');
    expect(gateway.submissionsOf(toHandset1!)).toBe(0);
    expect(gateway.submissionsOf(toHandset2!)).toBe(0);
    const sent = gateway.calls.find((c) => c.messageId === reply.id)!;
    expect(sent.accountId).toBe(account.id);
    expect(sent.message).toMatchObject({ to: HANDSET, from: 'Herald' });
    expect(sent.message.text).toContain('abgemeldet');
  });

  it('STOP blocks keyword replies still queued for the number (START confirmation, help text); only its own confirmation goes out', async () => {
    await inbound('START');
    await inbound('HELP');
    const earlier = await t.db.kysely
      .selectFrom('messages')
      .select(['id', 'status'])
      .where('category', '=', 'keyword_reply')
      .execute();
    expect(earlier.map((m) => m.status)).toEqual(['queued', 'queued']);
    const published: unknown[] = [];
    t.bus.subscribe((event) => {
      published.push(event);
    });

    await inbound('STOP');
    const rows = await messageRows(t.db);
    for (const m of earlier) {
      expect(rows.get(m.id)).toMatchObject({ status: 'blocked', status_reason: 'opted_out' });
    }
    expect(published).toEqual(
      expect.arrayContaining(
        earlier.map((m) =>
          expect.objectContaining({ type: 'message.status', messageId: m.id, to: 'blocked', applied: true }),
        ),
      ),
    );

    const gateway = testGateway({ clock: t.clock });
    const w = worker(gateway);
    await w.runOnce();
    await w.stop();
    expect(gateway.calls).toHaveLength(1);
    expect(gateway.calls[0]!.message).toMatchObject({ to: HANDSET });
    expect(gateway.calls[0]!.message.text).toContain('abgemeldet');
  });

  it('after START the number receives messages again', async () => {
    await inbound('STOP');
    await inbound('START');
    const now = t.clock.now().toISOString();
    const [later] = await queueMessages(t.db, orgUnitId, 1, {
      now,
      over: { to_e164: HANDSET, to_input: HANDSET },
    });
    const gateway = testGateway({ clock: t.clock });
    const w = worker(gateway);
    await w.runOnce();
    await w.stop();
    const rows = await messageRows(t.db);
    expect(rows.get(later!)?.status).toBe('accepted');
    // Both confirmations went out (submitted concurrently: in either order).
    const replies = gateway.calls.filter((c) => c.messageId !== later).map((c) => c.message.text);
    expect(replies).toHaveLength(2);
    expect(replies.filter((r) => r.includes('abgemeldet'))).toHaveLength(1);
    expect(replies.filter((r) => r.includes('erhalten wieder'))).toHaveLength(1);
  });

  it('only keyword replies pass an opt-out: an ordinary message of any category to that number does not', async () => {
    await inbound('STOP');
    // Queued directly with the category an API client could choose; blocked at send time.
    const now = t.clock.now().toISOString();
    const [transactional] = await queueMessages(t.db, orgUnitId, 1, {
      now,
      over: { to_e164: HANDSET, to_input: HANDSET },
    });
    // A copy of a keyword reply made some other way (a resend by a user) is no system reply.
    const [copied] = await queueMessages(t.db, orgUnitId, 1, {
      now,
      over: { to_e164: HANDSET, to_input: HANDSET, category: 'keyword_reply', created_by_type: 'user' },
    });
    const gateway = testGateway({ clock: t.clock });
    const w = worker(gateway);
    await w.runOnce();
    await w.stop();
    expect((await messageRows(t.db)).get(transactional!)).toMatchObject({
      status: 'blocked',
      status_reason: 'opted_out',
    });
    expect((await messageRows(t.db)).get(copied!)).toMatchObject({
      status: 'blocked',
      status_reason: 'opted_out',
    });
    // Only the real confirmation went out.
    expect(gateway.calls.map((c) => c.message.text.includes('abgemeldet'))).toEqual([true]);
    // And the send API refuses to queue one at all.
    const headers = (await t.loginAs('admin@example.com', 'correct horse battery staple')) as Record<
      string,
      string
    >;
    const res = await t.request('/api/messages', {
      method: 'POST',
      headers: { cookie: headers.cookie!, 'x-csrf-token': headers['x-csrf-token']! },
      json: { orgUnitId, to: HANDSET, text: 'Your invoice', category: 'keyword_reply' },
    });
    expect(res.status).toBe(422);
  });

  it('a keyword reply goes through the account the keyword came in on, even after the unit changed its route', async () => {
    await inbound('HELP');
    // The unit now sends through another account: its ordinary messages would be re-routed or
    // blocked, but the reply answers on the line the question came in on.
    await t.db.kysely
      .insertInto('provider_accounts')
      .values({
        id: 'pa-new',
        name: 'New gateway',
        kind: 'simulator',
        settings: '{}',
        messages_per_second: 50,
        max_parts: 10,
        price_per_part: null,
        currency: null,
        shift_tables: '[]',
        callback_token: 'cb-new-gateway-token',
        created_at: t.clock.now().toISOString(),
        updated_at: t.clock.now().toISOString(),
      })
      .execute();
    await t.db.kysely
      .insertInto('sender_configs')
      .values({
        id: 'sc-new',
        name: 'New',
        provider_account_id: 'pa-new',
        fallback_provider_account_id: null,
        sender_id: 'NewSender',
        created_at: t.clock.now().toISOString(),
        updated_at: t.clock.now().toISOString(),
      })
      .execute();
    await t.db.kysely
      .updateTable('org_units')
      .set({ sender_config_id: 'sc-new' })
      .where('id', '=', orgUnitId)
      .execute();
    const gateway = testGateway({ clock: t.clock });
    const w = worker(gateway);
    await w.runOnce();
    await w.stop();
    expect(gateway.calls).toHaveLength(1);
    expect(gateway.calls[0]).toMatchObject({
      accountId: account.id,
      message: { to: HANDSET, from: 'Herald' },
    });
  });
});
