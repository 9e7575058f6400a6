import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { commitSend, type SendWrite } from '../src/modules/send/send.commit.js';
import { ensureRoute } from './helpers/sms-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;

/** Send requests arriving together share one transaction (group commit); each is still its own request. */
describe.each(TEST_DIALECTS)('send group commit on %s', (dialect) => {
  let t: TestApp;
  let unit: string;
  let apiKey: string;
  beforeEach(async () => {
    t = await createTestApp(dialect);
    const admin = await t.setupAdmin();
    unit = admin.orgUnitId;
    await ensureRoute(t.db, unit);
    const created = await t.request('/api/api-keys', {
      method: 'POST',
      headers: admin.headers,
      json: { name: 'crm', permissions: ['messages.send'], orgUnitIds: [unit] },
    });
    apiKey = ((await created.json()) as { key: string }).key;
  });
  afterEach(async () => t.close());

  const send = (to: string, headers: Record<string, string> = {}) =>
    t.request('/api/messages', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, ...headers },
      json: { orgUnitId: unit, to, text: 'Your order has shipped.' },
    });
  const numberOf = (i: number) => `+49151${10_000_000 + i}`;

  it('answers 60 concurrent sends each with its own message, all of them stored', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => send(numberOf(i))));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(201));
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Json[];
    expect(new Set(bodies.map((b) => b.id)).size).toBe(60);
    expect(new Set(bodies.map((b) => b.batchId)).size).toBe(60);
    const rows = await t.db.kysely
      .selectFrom('messages')
      .select(['id', 'to_e164', 'batch_id', 'status'])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    bodies.forEach((b, i) => {
      // Each answer names the row of its own number, not a neighbour's in the group.
      expect(byId.get(b.id as string)).toEqual({
        id: b.id,
        to_e164: numberOf(i),
        batch_id: b.batchId,
        status: 'queued',
      });
    });
    expect((await t.db.kysely.selectFrom('batches').select('id').execute()).length).toBe(60);
  });

  it('settles each write only after its transaction committed; a failing write fails alone', async () => {
    const now = '2026-11-22T09:00:00.000Z';
    const write = (orgUnitId: string): SendWrite => {
      const batchId = newId();
      return {
        batch: {
          id: batchId,
          org_unit_id: orgUnitId,
          sender_type: 'api_key',
          sender_ref: 'k',
          sender_name: 'crm',
          message: 'x',
          template_id: null,
          category: 'transactional',
          request: '{}',
          requested_count: 1,
          blocked_count: 0,
          scheduled_at: null,
          created_at: now,
          canceled_at: null,
        },
        messages: [
          {
            id: newId(),
            org_unit_id: orgUnitId,
            batch_id: batchId,
            contact_id: null,
            phone_id: null,
            to_input: '+4915100000001',
            to_e164: '+4915100000001',
            body: 'x',
            encoding: 'GSM-7',
            parts: 1,
            characters: 1,
            category: 'transactional',
            status: 'queued',
            status_reason: null,
            sender_config_id: null,
            provider_account_id: null,
            sender_id: null,
            gateway_message_id: null,
            attempts: 0,
            scheduled_at: null,
            due_at: now,
            expires_at: '2026-11-23T09:00:00.000Z',
            lease_until: null,
            leased_by: null,
            reference_type: null,
            reference_id: null,
            campaign_id: null,
            trigger_id: null,
            resent_of: null,
            resent_by: null,
            error_code: null,
            error_text: null,
            created_by_type: 'api_key',
            created_by_id: 'k',
            created_at: now,
            updated_at: now,
            submitted_at: null,
            final_at: null,
          },
        ],
      };
    };
    // The middle write names an org unit that does not exist: its foreign keys fail.
    const writes = [write(unit), write('no-such-unit'), write(unit)];
    const stored = async (w: SendWrite) =>
      (await t.db.kysely.selectFrom('messages').select('id').where('id', '=', w.messages[0]!.id!).execute())
        .length === 1;
    const seen: string[] = [];
    const settled = await Promise.allSettled(
      writes.map((w, i) =>
        commitSend(t.db.kysely, t.db.sqlite, w).then(async () => {
          // Settled means committed: no transaction is open any more, and the row is there.
          if (t.db.sqlite) expect(t.db.sqlite.inTransaction).toBe(false);
          expect(await stored(w)).toBe(true);
          seen.push(`ok ${i}`);
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(seen.sort()).toEqual(['ok 0', 'ok 2']);
    expect(await Promise.all(writes.map(stored))).toEqual([true, false, true]);
    expect(
      (
        await t.db.kysely
          .selectFrom('batches')
          .select('id')
          .where('org_unit_id', '=', 'no-such-unit')
          .execute()
      ).length,
    ).toBe(0);
  });

  it('keeps Idempotency-Keys inside a group: distinct keys send, a repeated key sends once', async () => {
    const answers = await Promise.all([
      send(numberOf(1), { 'idempotency-key': 'order-1' }),
      send(numberOf(2), { 'idempotency-key': 'order-2' }),
      send(numberOf(1), { 'idempotency-key': 'order-1' }),
      send(numberOf(3)),
    ]);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Json[];
    expect(answers[1]!.status).toBe(201);
    expect(answers[3]!.status).toBe(201);
    // The two requests with key order-1 ran together: one of them sent (whichever claimed the key
    // first); the other was refused (retry later) or got the first answer replayed.
    const [a, b] = [0, 2].map((i) => ({ res: answers[i]!, body: bodies[i]! }));
    const winners = [a!, b!].filter((x) => x.res.status === 201 && !x.res.headers.get('idempotent-replayed'));
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    const other = winner === a ? b! : a!;
    if (other.res.status === 201) {
      expect(other.body.id).toBe(winner.body.id);
      expect(other.res.headers.get('idempotent-replayed')).toBe('true');
    } else {
      expect({ status: other.res.status, code: other.body.code }).toEqual({
        status: 409,
        code: 'idempotency.in_progress',
      });
    }
    const replay = await send(numberOf(1), { 'idempotency-key': 'order-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as Json).id).toBe(winner.body.id);
    const rows = await t.db.kysely.selectFrom('messages').select(['to_e164']).execute();
    expect(rows.map((r) => r.to_e164).sort()).toEqual([numberOf(1), numberOf(2), numberOf(3)]);
  });
});
