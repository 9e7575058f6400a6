import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { normalizeGatewayId } from '../src/providers/provider.contract.js';
import {
  clockSleep,
  messageRows,
  queueMessages,
  routeOf,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';
import { inboundGetUrl, KANNEL_MISSING, stopTestKannel, testKannel } from './helpers/kannel-fixture.js';
import type { RunningKannel } from './helpers/kannel-peer.js';
import { freePort } from './helpers/kannel-ports.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Kannel through Herald as a whole: the account saved through the API (password sealed), the worker
 * submitting a queued message through its own adapter instance and guarded fetch to the real smsbox,
 * bearerbox's reports coming back as GETs to Herald's callback URL, and a STOP from the handset (fakesmsc)
 * through the sms-service get-url: stored, opted out, the confirmation sent through Kannel again — and
 * nothing else sent back to the handset by Kannel itself.
 */

const PASSWORD = 'bench-secret';
let server: ReturnType<typeof serve> | undefined;

describe.skipIf(KANNEL_MISSING.length > 0).each(TEST_DIALECTS)('kannel through Herald on %s', (dialect) => {
  let kannel: RunningKannel;
  let t: TestApp;
  let env: Record<string, string>;
  let orgUnitId: string;
  let accountId: string;
  let token: string;
  beforeAll(async () => {
    kannel = await testKannel();
  });
  afterAll(async () => stopTestKannel());
  beforeEach(async () => {
    // Herald must know its public URL (the worker builds the dlr-url from it) before it listens.
    const port = await freePort();
    env = {
      HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      // Kannel listens on 127.0.0.1: a self-hosted gateway, allowed by the administrator override.
      HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
      HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    t = await createTestApp(dialect, env);
    server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port });
    await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
    expect((server.address() as AddressInfo).port).toBe(port);
    const admin = await t.setupAdmin();
    orgUnitId = admin.orgUnitId;
    const res = await t.request('/api/gateways', {
      method: 'POST',
      headers: admin.headers,
      json: {
        name: 'Kannel',
        kind: 'kannel',
        settings: { sendsmsUrl: kannel.sendsmsUrl, username: kannel.username, password: PASSWORD },
      },
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(PASSWORD);
    accountId = (JSON.parse(text) as { id: string }).id;
    const row = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['settings', 'callback_token'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(row.settings).not.toContain(PASSWORD);
    token = row.callback_token;
    const route = await routeOf(t.db, orgUnitId);
    await t.db.kysely
      .updateTable('sender_configs')
      .set({ provider_account_id: accountId })
      .where('id', '=', route.senderConfigId)
      .execute();
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t.close();
  });

  it('a queued message goes out through Kannel and is delivered by its report; a STOP opts out and the confirmation goes out through Kannel', async () => {
    const [id] = await queueMessages(t.db, orgUnitId, 1, {
      now: t.clock.now().toISOString(),
      over: { provider_account_id: accountId },
    });
    const worker = testWorker({ db: t.db, clock: t.clock, bus: t.bus, sleep: clockSleep(t.clock) }, env);
    try {
      expect(await worker.runOnce()).toEqual({ claimed: 1 });
      const sent = (await messageRows(t.db)).get(id!)!;
      const to = (
        await t.db.kysely
          .selectFrom('messages')
          .select('to_e164')
          .where('id', '=', id!)
          .executeTakeFirstOrThrow()
      ).to_e164!;
      // Kannel has no id of its own for the message: Herald's id is the gateway id (stored normalised).
      expect(sent.gateway_message_id).toBe(normalizeGatewayId(id!));
      const mt = await kannel.waitForMt((m) => m.to === to, 10_000);
      expect(mt).toMatchObject({ type: 'text', from: 'Herald' });
      // bearerbox reports type 8, then 1, as GETs of the dlr-url to Herald's callback route.
      await waitFor(
        async () => (await messageRows(t.db)).get(id!)!.status === 'delivered',
        10_000,
        'delivered',
      );

      // The handset answers STOP through the sms-service get-url pointing at the account's inbound URL.
      await kannel.setInbound({
        getUrl: inboundGetUrl(`${env.HERALD_PUBLIC_URL}/api/callbacks/${token}/inbound`),
        omitEmpty: true,
      });
      kannel.injectMo({ from: to, to: '+4930123456', text: 'Stop' });
      await waitFor(
        async () =>
          (
            await t.db.kysely
              .selectFrom('inbound_messages')
              .select('id')
              .where('provider_account_id', '=', accountId)
              .execute()
          ).length === 1,
        10_000,
        'inbound stored',
      );
      const inbound = await t.db.kysely
        .selectFrom('inbound_messages')
        .select(['from_e164', 'text', 'keyword_action', 'keyword_effect', 'last_message_id'])
        .executeTakeFirstOrThrow();
      expect(inbound).toMatchObject({
        from_e164: to,
        text: 'Stop',
        keyword_action: 'opt_out',
        keyword_effect: 'opted_out',
        last_message_id: id,
      });
      // The confirmation is a message of Herald's, sent by the worker through Kannel like any other.
      const replies = await t.db.kysely
        .selectFrom('messages')
        .select(['id', 'category', 'body'])
        .where('to_e164', '=', to)
        .where('id', '!=', id!)
        .execute();
      expect(replies).toEqual([expect.objectContaining({ category: 'keyword_reply' })]);
      await t.db.kysely
        .updateTable('messages')
        .set({ due_at: t.clock.now().toISOString() })
        .where('id', '=', replies[0]!.id)
        .execute();
      expect(await worker.runOnce()).toEqual({ claimed: 1 });
      const confirmation = await kannel.waitForMt(
        (m) => m.to === to && m !== mt && m.line !== mt.line,
        10_000,
      );
      expect(confirmation.data.toString('utf8')).toBe(replies[0]!.body);
      // Kannel itself answered nothing: Herald's acknowledgement was empty (omit-empty).
      expect(kannel.mt().filter((m) => m.to === to)).toHaveLength(2);
    } finally {
      await worker.stop();
    }
  });
});
