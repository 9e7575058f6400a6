import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { simulatorInboundRequest } from '../src/providers/simulator/simulator.provider.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { type WebhookFixture, webhookFixture } from './helpers/webhook-fixture.js';

type Json = Record<string, unknown>;
const HANDSET = '+4915123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts a simulated handset's SMS to the app's inbound callback. */
async function sendInbound(t: TestApp, text: string, id: string) {
  const account = await t.db.kysely
    .selectFrom('provider_accounts')
    .select(['callback_token'])
    .executeTakeFirstOrThrow();
  const { body, headers } = simulatorInboundRequest(
    { id, from: HANDSET, to: 'Herald', text },
    account.callback_token,
  );
  const res = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
    method: 'POST',
    headers,
    body,
  });
  expect(res.status).toBe(200);
  return (await t.db.kysely
    .selectFrom('inbound_messages')
    .selectAll()
    .where('gateway_message_id', '=', id)
    .executeTakeFirstOrThrow())!;
}

/** Reads an SSE stream into `{ event, data }` frames. */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  let text = '';
  const reading = (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted
    }
  })();
  const frames = () =>
    text
      .split('\n\n')
      .map((block) => {
        const lines = block.split('\n');
        const event = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .find((l) => l.startsWith('data:'))
          ?.slice(5)
          .trim();
        return event && data ? { event, data: JSON.parse(data) as Json } : null;
      })
      .filter((f) => f !== null);
  const until = async (pred: () => boolean, what: string) => {
    for (const end = Date.now() + 5000; Date.now() < end; await sleep(10)) if (pred()) return;
    throw new Error(`timed out waiting for ${what}; got ${text}`);
  };
  await until(() => text.includes(': ready'), 'ready');
  return {
    frames,
    until,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe.each(TEST_DIALECTS)('inbound SMS live on %s', (dialect) => {
  describe('the event stream', () => {
    let t: TestApp;
    let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
    let server: ReturnType<typeof serve>;
    let base: string;
    beforeEach(async () => {
      t = await createTestApp(dialect, { HERALD_EVENTS_HEARTBEAT_SECONDS: '1' });
      admin = await t.setupAdmin();
      server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await t.close();
    });

    it('pushes inbound.received to the unit’s subscribers, and replays it on resume', async () => {
      const stream = await openStream(`${base}/api/events`, { cookie: admin.session.cookie });
      const row = await sendInbound(t, 'STOP', 'in-live-1');
      await stream.until(
        () => stream.frames().some((f) => f.event === 'inbound.received'),
        'inbound.received',
      );
      const frame = stream.frames().find((f) => f.event === 'inbound.received')!;
      expect(frame.data).toEqual({
        type: 'inbound.received',
        eventId: row.id,
        inboundId: row.id,
        orgUnitId: admin.orgUnitId,
        contactId: null,
        keywordAction: 'opt_out',
        at: row.stored_at,
      });
      await stream.close();

      // A client that reconnects from before it gets it again (the durable record is the source).
      const before = newId();
      await sleep(5);
      const again = await sendInbound(t, 'hello', 'in-live-2');
      const resumed = await openStream(`${base}/api/events?lastEventId=${before}`, {
        cookie: admin.session.cookie,
      });
      await resumed.until(
        () => resumed.frames().some((f) => f.event === 'inbound.received' && f.data.inboundId === again.id),
        'replayed inbound',
      );
      await resumed.close();
    });

    it('does not push an inbound message of another org unit', async () => {
      const otherUnit = newId();
      const now = t.clock.now().toISOString();
      await t.db.kysely
        .insertInto('org_units')
        .values({
          id: otherUnit,
          parent_id: null,
          name: 'Other',
          default_region: 'GB',
          timezone: 'Europe/London',
          sending_enabled: true,
          sender_config_id: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const create = await t.request('/api/users', {
        method: 'POST',
        headers: admin.headers,
        json: {
          email: 'other@example.com',
          name: 'Other',
          password: 'another long password',
          roles: ['sms_user'],
          orgUnitIds: [otherUnit],
        },
      });
      expect(create.status).toBe(201);
      const other = await t.loginAs('other@example.com', 'another long password');
      const otherStream = await openStream(`${base}/api/events`, { cookie: other.cookie });
      const mine = await openStream(`${base}/api/events`, { cookie: admin.session.cookie });
      await sendInbound(t, 'hello', 'in-live-3');
      await mine.until(() => mine.frames().some((f) => f.event === 'inbound.received'), 'own event');
      await sleep(1500); // past one heartbeat re-check of the other stream
      expect(otherStream.frames().filter((f) => f.event === 'inbound.received')).toEqual([]);
      await mine.close();
      await otherStream.close();
    });
  });

  describe('webhooks', () => {
    let x: WebhookFixture;
    beforeEach(async () => {
      x = await webhookFixture(dialect);
    });
    afterEach(async () => x.close());

    it('sends message.inbound with the text, number and keyword to endpoints that subscribed, once', async () => {
      await x.addEndpoint({ eventTypes: ['message.inbound'] });
      await x.addEndpoint({ eventTypes: ['message.status_changed'] });
      const w = x.worker();
      const row = await sendInbound(x.t, 'Stop.', 'in-hook-1');
      await w.tick();
      x.t.clock.advance(5 * 60_000);
      await w.tick();
      await w.tick();
      const inbound = x.rx.requests
        .map((r) => JSON.parse(r.body) as Json)
        .filter((b) => b.type === 'message.inbound');
      expect(inbound).toEqual([
        {
          type: 'message.inbound',
          timestamp: row.stored_at,
          data: {
            inboundId: row.id,
            orgUnitId: x.admin.orgUnitId,
            from: HANDSET,
            to: 'Herald',
            text: 'Stop.',
            receivedAt: row.received_at,
            providerAccountId: row.provider_account_id,
            contactId: null,
            lastMessageId: null,
            keyword: {
              keyword: 'STOP',
              action: 'opt_out',
              effect: 'opted_out',
              replyMessageId: row.reply_message_id,
            },
          },
        },
      ]);
      const deliveries = await x.deliveries();
      expect(deliveries.filter((d) => d.event_type === 'message.inbound')).toHaveLength(1);
    });
  });
});
