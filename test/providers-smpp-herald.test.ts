import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { encodeSeptets } from '../src/providers/smpp/smpp.gsm7.js';
import {
  clockSleep,
  messageRows,
  queueMessages,
  routeOf,
  testWorker,
  waitFor,
} from './helpers/dispatch-fixtures.js';
import { startTestSmsc, type TestSmsc, testSmscMissing } from './helpers/smsc-harness.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * SMPP through Herald as a whole: the account saved through the API (password sealed), the worker's
 * own adapter (registry opener, sealed credentials opened, host guard, the worker's sink) against the
 * Net::SMPP SMSC; the receipt and an inbound STOP arrive over the bind and reach the database.
 */

const SMSC_MISSING = testSmscMissing();
if (SMSC_MISSING) console.log(`SMPP-through-Herald tests skipped: needs the test SMSC: ${SMSC_MISSING}`);
const PASSWORD = 'Pw7xK2q9';
const ENV = {
  HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
  // The SMSC listens on 127.0.0.1: a self-hosted gateway, allowed by the administrator override.
  HERALD_GATEWAYS_ALLOW_PRIVATE: 'true',
};
const gsmHex = (text: string) => Buffer.from(encodeSeptets(text)!).toString('hex');

let binds = 0;

describe.skipIf(SMSC_MISSING !== null).each(TEST_DIALECTS)('smpp through Herald on %s', (dialect) => {
  let smsc: TestSmsc;
  let t: TestApp;
  let orgUnitId: string;
  let accountId: string;
  let systemId: string;
  beforeAll(async () => {
    smsc = await startTestSmsc();
  });
  afterAll(async () => smsc?.close());
  beforeEach(async () => {
    t = await createTestApp(dialect, ENV);
    const admin = await t.setupAdmin();
    orgUnitId = admin.orgUnitId;
    systemId = `herald-${dialect.slice(0, 2)}-${++binds}`;
    const res = await t.request('/api/gateways', {
      method: 'POST',
      headers: admin.headers,
      json: {
        name: 'SMSC',
        kind: 'smpp',
        settings: {
          host: '127.0.0.1',
          port: smsc.port,
          systemId,
          password: PASSWORD,
          reconnectMinMs: 50,
          reconnectMaxMs: 400,
          responseTimeoutMs: 3000,
        },
      },
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(PASSWORD);
    accountId = (JSON.parse(text) as { id: string }).id;
    const row = await t.db.kysely
      .selectFrom('provider_accounts')
      .select('settings')
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(row.settings).not.toContain(PASSWORD);
    const route = await routeOf(t.db, orgUnitId);
    await t.db.kysely
      .updateTable('sender_configs')
      .set({ provider_account_id: accountId })
      .where('id', '=', route.senderConfigId)
      .execute();
    await smsc.command({ cmd: 'receipts', on: 1, stat: 'DELIVRD', delay_ms: 20, tlv: 1, id: 'same' });
  });
  afterEach(async () => t.close());

  it('a queued message is submitted over the bind and delivered by its receipt; a STOP over the bind opts out and confirms once', async () => {
    const [id] = await queueMessages(t.db, orgUnitId, 1, {
      now: t.clock.now().toISOString(),
      over: { provider_account_id: accountId },
    });
    const worker = testWorker({ db: t.db, clock: t.clock, bus: t.bus, sleep: clockSleep(t.clock) }, ENV);
    try {
      expect(await worker.runOnce()).toEqual({ claimed: 1 });
      // The worker opened the sealed settings and bound with them.
      const bind = await smsc.waitFor((e) => e.ev === 'bind' && e.system_id === systemId, 5000);
      expect(bind).toMatchObject({ ok: true });
      const sent = await t.db.kysely
        .selectFrom('messages')
        .select(['to_e164', 'gateway_message_id'])
        .where('id', '=', id!)
        .executeTakeFirstOrThrow();
      expect(sent.gateway_message_id).toBeTruthy();
      const submit = await smsc.waitFor((e) => e.ev === 'submit' && e.conn === bind.conn, 5000);
      expect(submit).toMatchObject({ destination_addr: sent.to_e164!.slice(1), source_addr: 'Herald' });

      // The SMSC's receipt comes back as deliver_sm on the same bind: the worker's sink applies it.
      await waitFor(
        async () => (await messageRows(t.db)).get(id!)!.status === 'delivered',
        5000,
        'delivered',
      );

      // The handset answers STOP (twice: the second changes nothing and gets no second confirmation).
      for (let i = 0; i < 2; i++) {
        await smsc.command({
          cmd: 'mo',
          system_id: systemId,
          from: sent.to_e164!,
          to: 'Herald',
          data_coding: 0,
          esm_class: 0,
          hex: gsmHex('Stop'),
        });
        await waitFor(
          async () =>
            (
              await t.db.kysely
                .selectFrom('inbound_messages')
                .select('id')
                .where('provider_account_id', '=', accountId)
                .execute()
            ).length ===
            i + 1,
          5000,
          `inbound ${i + 1}`,
        );
      }
      const inbound = await t.db.kysely
        .selectFrom('inbound_messages')
        .select(['id', 'from_e164', 'text', 'keyword_action', 'keyword_effect', 'last_message_id'])
        .orderBy('stored_at')
        .orderBy('id')
        .execute();
      expect(inbound.map((r) => r.keyword_effect).sort()).toEqual(['already_opted_out', 'opted_out']);
      const first = inbound.find((r) => r.keyword_effect === 'opted_out')!;
      expect(first).toMatchObject({
        from_e164: sent.to_e164,
        text: 'Stop',
        keyword_action: 'opt_out',
        last_message_id: id,
      });
      const consent = await t.db.kysely
        .selectFrom('consent_events')
        .select(['state', 'source', 'evidence'])
        .where('e164', '=', sent.to_e164!)
        .execute();
      expect(consent).toHaveLength(1);
      expect(consent[0]).toMatchObject({ state: 'opted_out', source: 'keyword' });
      expect(JSON.stringify(consent[0]!.evidence)).toContain(first.id);
      const replies = await t.db.kysely
        .selectFrom('messages')
        .select(['id', 'category', 'provider_account_id'])
        .where('to_e164', '=', sent.to_e164!)
        .where('id', '!=', id!)
        .execute();
      expect(replies).toEqual([
        expect.objectContaining({ category: 'keyword_reply', provider_account_id: accountId }),
      ]);
    } finally {
      await worker.stop();
    }
  });
});
