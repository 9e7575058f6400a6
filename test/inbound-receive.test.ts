import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { silentLogger } from '../src/core/logger.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import type { HeraldEvent } from '../src/modules/events/events.bus.js';
import { receiveInbound } from '../src/modules/inbound/inbound.usecases.js';
import {
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorReport,
  simulatorInboundRequest,
} from '../src/providers/simulator/simulator.provider.js';
import { insertContact } from './helpers/sms-fixtures.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON bodies of the API under test
type Json = Record<string, any>;
const HANDSET = '+4915123456789';

describe.each(TEST_DIALECTS)('inbound SMS on %s', (dialect) => {
  let t: TestApp;
  let account: { id: string; callback_token: string };
  let orgUnitId: string;
  let headers: Record<string, string>;
  let seen: HeraldEvent[];
  let seq = 0;

  beforeEach(async () => {
    t = await createTestApp(dialect);
    const admin = await t.setupAdmin();
    orgUnitId = admin.orgUnitId;
    headers = admin.headers;
    account = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['id', 'callback_token'])
      .executeTakeFirstOrThrow();
    seen = [];
    t.bus.subscribe((e) => seen.push(e));
  });
  afterEach(async () => t.close());

  /** A simulated handset sends `text` to `to` (default: the unit's sender id `Herald`). */
  const send = async (text: string, o: { from?: string; to?: string; id?: string; token?: string } = {}) => {
    const { body, headers: h } = simulatorInboundRequest(
      { id: o.id ?? `in-${++seq}`, from: o.from ?? HANDSET, to: o.to ?? 'Herald', text },
      account.callback_token,
    );
    return t.request(`/api/callbacks/${o.token ?? account.callback_token}/inbound`, {
      method: 'POST',
      headers: h,
      body,
    });
  };
  const rows = () => t.db.kysely.selectFrom('inbound_messages').selectAll().orderBy('id').execute();
  const replies = () =>
    t.db.kysely
      .selectFrom('messages')
      .selectAll()
      .where('category', '=', 'keyword_reply')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  const consentOf = async (e164: string) =>
    (
      await t.db.kysely
        .selectFrom('consent_states')
        .select('state')
        .where('e164', '=', e164)
        .executeTakeFirst()
    )?.state ?? 'unknown';
  const consentEvents = (e164: string) =>
    t.db.kysely
      .selectFrom('consent_events')
      .selectAll()
      .where('e164', '=', e164)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();

  it('stores an ordinary reply with its unit, number and text, answers {} and publishes inbound.received', async () => {
    const res = await send('Thanks, see you Monday');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const [row] = await rows();
    expect(row).toMatchObject({
      provider_account_id: account.id,
      from_input: HANDSET,
      from_e164: HANDSET,
      to_address: 'Herald',
      text: 'Thanks, see you Monday',
      org_unit_id: orgUnitId,
      keyword: null,
      reply_message_id: null,
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([
      {
        type: 'inbound.received',
        eventId: row!.id,
        inboundId: row!.id,
        orgUnitId,
        keywordAction: null,
        at: t.clock.now().toISOString(),
      },
    ]);
    expect(await replies()).toEqual([]);
  });

  it('refuses an unknown token (404), a bad signature (403) and a bad payload (400), storing nothing', async () => {
    const unknown = await send('STOP', { token: 'no-such-token' });
    expect(unknown.status).toBe(404);

    const { body, headers: h } = simulatorInboundRequest(
      { id: 'x1', from: HANDSET, to: 'Herald', text: 'STOP' },
      account.callback_token,
    );
    const tampered = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
      method: 'POST',
      headers: h,
      body: body.replace('STOP', 'HELP'),
    });
    expect(tampered.status).toBe(403);
    expect((await tampered.json()).code).toBe('callback.invalid_signature');
    // A delivery report's signature over the same body is not an inbound signature.
    const reportSigned = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, account.callback_token),
      },
      body,
    });
    expect(reportSigned.status).toBe(403);
    const unsigned = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(403);

    const bad = JSON.stringify({ id: 'x2', from: HANDSET });
    const badPayload = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIMULATOR_SIGNATURE_HEADER]: simulatorInboundRequest(
          { from: 'x', to: 'y', text: 'z' },
          account.callback_token,
        ).headers[SIMULATOR_SIGNATURE_HEADER]!,
      },
      body: bad,
    });
    expect(badPayload.status).toBe(403); // signed over another body
    expect(await rows()).toEqual([]);
    expect(await consentEvents(HANDSET)).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('answers 404 with a clear problem for a gateway whose inbound does not arrive over HTTP (SMPP)', async () => {
    const now = t.clock.now().toISOString();
    await t.db.kysely
      .insertInto('provider_accounts')
      .values({
        id: 'pa-smpp',
        name: 'SMPP',
        kind: 'smpp',
        settings: JSON.stringify({ host: '127.0.0.1', systemId: 'herald' }),
        messages_per_second: 10,
        max_parts: 10,
        price_per_part: null,
        currency: null,
        shift_tables: '[]',
        callback_token: 'smpp-callback-token',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const res = await t.request('/api/callbacks/smpp-callback-token/inbound', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    const problem = (await res.json()) as Json;
    expect(problem.code).toBe('inbound.not_supported');
    expect(problem.detail).toContain('does not receive inbound messages over HTTP');
    expect(await rows()).toEqual([]);
  });

  it("answers with the adapter's acknowledgement: an empty text/plain body for Kannel (anything else goes back to the handset)", async () => {
    const now = t.clock.now().toISOString();
    await t.db.kysely
      .insertInto('provider_accounts')
      .values({
        id: 'pa-kannel',
        name: 'Kannel',
        kind: 'kannel',
        settings: JSON.stringify({
          sendsmsUrl: 'http://127.0.0.1:13013/cgi-bin/sendsms',
          username: 'u',
          password: 'p',
        }),
        messages_per_second: 10,
        max_parts: 10,
        price_per_part: null,
        currency: null,
        shift_tables: '[]',
        callback_token: 'kannel-callback-token',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const res = await t.request(
      `/api/callbacks/kannel-callback-token/inbound?from=${encodeURIComponent(HANDSET)}&to=12345&text=hello`,
      { method: 'POST' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('');
    const [row] = await rows();
    expect(row).toMatchObject({
      provider_account_id: 'pa-kannel',
      from_e164: HANDSET,
      to_address: '12345',
      text: 'hello',
    });
  });

  it('refuses a body over the limit with 413 before reading it, storing nothing', async () => {
    const { body, headers: h } = simulatorInboundRequest(
      { id: 'big', from: HANDSET, to: 'Herald', text: 'x'.repeat(t.config.bodyLimitBytes) },
      account.callback_token,
    );
    const res = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
      method: 'POST',
      headers: h,
      body,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).code).toBe('request.too_large');
    expect(await rows()).toEqual([]);
  });

  it('answers 400 for a correctly signed body that is not an inbound message', async () => {
    const { createHmac } = await import('node:crypto');
    const body = JSON.stringify({ id: 'x2', from: HANDSET });
    const sig = createHmac('sha256', account.callback_token).update(`inbound:${body}`).digest('hex');
    const res = await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIMULATOR_SIGNATURE_HEADER]: sig },
      body,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('callback.invalid_payload');
    expect(await rows()).toEqual([]);
  });

  it('a replayed callback (same gateway message id) is stored and acted on once', async () => {
    expect((await send('STOP', { id: 'GW-0001' })).status).toBe(200);
    expect((await send('STOP', { id: 'GW-0001' })).status).toBe(200);
    // The same id written differently by the gateway (case, leading zeros) is the same message.
    expect((await send('STOP', { id: 'gw-0001' })).status).toBe(200);
    expect(await rows()).toHaveLength(1);
    expect(await consentEvents(HANDSET)).toHaveLength(1);
    expect(await replies()).toHaveLength(1);
  });

  it('STOP opts the number out with the inbound id as evidence and queues one confirmation, through the same account and sender', async () => {
    expect((await send('Stop.')).status).toBe(200);
    const [row] = await rows();
    expect(row).toMatchObject({ keyword: 'STOP', keyword_action: 'opt_out', keyword_effect: 'opted_out' });
    expect(await consentOf(HANDSET)).toBe('opted_out');
    const [event] = await consentEvents(HANDSET);
    expect(event).toMatchObject({ id: row!.consent_event_id, state: 'opted_out', source: 'keyword' });
    expect(JSON.parse(event!.evidence)).toMatchObject({ inboundMessageId: row!.id, keyword: 'STOP' });

    const [reply] = await replies();
    expect(reply).toMatchObject({
      id: row!.reply_message_id,
      org_unit_id: orgUnitId,
      to_e164: HANDSET,
      status: 'queued',
      provider_account_id: account.id,
      sender_id: 'Herald',
      batch_id: null,
      reference_type: 'inbound_message',
      reference_id: row!.id,
      created_by_type: 'system',
    });
    // The unit's region is DE: the German confirmation, with the unit's name.
    expect(reply!.body).toContain('abgemeldet');
    expect(reply!.body).toContain('Head Office');
    // The message list finds it by its reference.
    const listed = await t.request(`/api/messages?referenceType=inbound_message&referenceId=${row!.id}`, {
      headers,
    });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as Json).items.map((m: Json) => m.id)).toEqual([reply!.id]);

    // A second STOP (a new message) changes nothing and sends no second confirmation.
    await send('ＳＴＯＰ');
    const all = await rows();
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({
      keyword_action: 'opt_out',
      keyword_effect: 'already_opted_out',
      reply_message_id: null,
    });
    expect(await consentEvents(HANDSET)).toHaveLength(1);
    expect(await replies()).toHaveLength(1);
  });

  it('two STOPs from one number processed at the same time opt out once and confirm once', async () => {
    const deps = { db: t.db.kysely, clock: t.clock, bus: t.bus, logger: silentLogger, config: t.config };
    const row = await t.db.kysely.selectFrom('provider_accounts').selectAll().executeTakeFirstOrThrow();
    const results = await Promise.all(
      ['par-1', 'par-2', 'par-3'].map((id) =>
        receiveInbound(deps, row, [{ gatewayMessageId: id, from: HANDSET, to: 'Herald', text: 'STOP' }]),
      ),
    );
    expect(results.map((r) => r.stored)).toEqual([1, 1, 1]);
    expect(await consentEvents(HANDSET)).toHaveLength(1);
    expect(await replies()).toHaveLength(1);
    expect((await rows()).map((r) => r.keyword_effect).sort()).toEqual([
      'already_opted_out',
      'already_opted_out',
      'opted_out',
    ]);
  });

  it('START opts in with a confirmation; YES only counts after an opt-out', async () => {
    await send('YES');
    let all = await rows();
    expect(all[0]).toMatchObject({ keyword_action: 'opt_in_if_opted_out', keyword_effect: 'not_opted_out' });
    expect(await consentOf(HANDSET)).toBe('unknown');
    expect(await replies()).toHaveLength(0);

    await send('opt  out');
    await send('ja'); // German YES, the unit's language
    all = await rows();
    expect(all[2]).toMatchObject({ keyword: 'JA', keyword_effect: 'opted_in' });
    expect(await consentOf(HANDSET)).toBe('opted_in');
    expect((await replies()).map((r) => r.body.includes('erhalten wieder'))).toEqual([false, true]);

    await send('start');
    all = await rows();
    expect(all[3]).toMatchObject({
      keyword_action: 'opt_in',
      keyword_effect: 'already_opted_in',
      reply_message_id: null,
    });
    expect((await consentEvents(HANDSET)).map((e) => e.state)).toEqual(['opted_out', 'opted_in']);
  });

  it('HELP queues the unit’s help text as a reply; the consent state does not change', async () => {
    await send('hilfe');
    const [row] = await rows();
    expect(row).toMatchObject({ keyword: 'HILFE', keyword_action: 'help', keyword_effect: 'help_sent' });
    const [reply] = await replies();
    expect(reply!.body).toContain('Head Office');
    expect(reply!.body).toContain('STOP');
    expect(await consentOf(HANDSET)).toBe('unknown');

    // An auto-responder answering with HELP again is not answered again within 10 minutes.
    t.clock.advance(9 * 60_000);
    await send('HELP');
    expect((await rows())[1]).toMatchObject({ keyword_effect: 'help_throttled', reply_message_id: null });
    expect(await replies()).toHaveLength(1);
    t.clock.advance(2 * 60_000);
    await send('HELP');
    expect((await rows())[2]).toMatchObject({ keyword_effect: 'help_sent' });
    expect(await replies()).toHaveLength(2);
  });

  it('links the contact of the unit with that number and the last message sent to it', async () => {
    const contact = await insertContact(t.db, { orgUnitId, name: 'Erika Muster', e164: HANDSET });
    const lastId = newId();
    const now = t.clock.now().toISOString();
    await t.db.kysely
      .insertInto('messages')
      .values({
        id: lastId,
        org_unit_id: orgUnitId,
        batch_id: null,
        contact_id: contact.id,
        phone_id: contact.phoneId,
        to_input: HANDSET,
        to_e164: HANDSET,
        body: 'Your appointment is tomorrow',
        encoding: 'GSM-7',
        parts: 1,
        characters: 28,
        category: 'transactional',
        status: 'delivered',
        status_reason: null,
        sender_config_id: null,
        provider_account_id: account.id,
        sender_id: 'Herald',
        gateway_message_id: 'sim1',
        attempts: 1,
        scheduled_at: null,
        due_at: null,
        expires_at: now,
        created_by_type: 'user',
        created_by_id: 'u',
        created_at: now,
        updated_at: now,
        submitted_at: now,
      })
      .execute();
    // The gateway writes the number without '+'.
    await send('Can we make it 10:00?', { from: HANDSET.slice(1) });
    const [row] = await rows();
    expect(row).toMatchObject({
      from_input: HANDSET.slice(1),
      from_e164: HANDSET,
      contact_id: contact.id,
      last_message_id: lastId,
    });
  });

  it('places a message by the sender configuration, else the unit that last sent to the number, else the root', async () => {
    // A second unit under the root, without its own sender configuration.
    const child = newId();
    const now = t.clock.now().toISOString();
    await t.db.kysely
      .insertInto('org_units')
      .values({
        id: child,
        parent_id: orgUnitId,
        name: 'Branch Oslo',
        default_region: 'NO',
        timezone: 'Europe/Oslo',
        sending_enabled: true,
        sender_config_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const other = '+4917612345678';
    await t.db.kysely
      .insertInto('messages')
      .values({
        id: newId(),
        org_unit_id: child,
        batch_id: null,
        contact_id: null,
        phone_id: null,
        to_input: other,
        to_e164: other,
        body: 'Hei',
        encoding: 'GSM-7',
        parts: 1,
        characters: 3,
        category: 'transactional',
        status: 'sent',
        status_reason: null,
        sender_config_id: null,
        provider_account_id: account.id,
        sender_id: 'Herald',
        gateway_message_id: 'sim2',
        attempts: 1,
        scheduled_at: null,
        due_at: null,
        expires_at: now,
        created_by_type: 'user',
        created_by_id: 'u',
        created_at: now,
        updated_at: now,
        submitted_at: now,
      })
      .execute();
    // Sent to the unit's sender id: that unit, even though the child last wrote to this number.
    await send('hello', { from: other, to: 'Herald' });
    // Sent to an address no sender configuration uses: the unit that last sent to the number.
    await send('hello', { from: other, to: '+4930999999' });
    // Nobody sent to this number: the root unit.
    await send('hello', { from: '+4915199999999', to: '+4930999999' });
    const all = await rows();
    expect(all.map((r) => r.org_unit_id)).toEqual([orgUnitId, child, orgUnitId]);

    // A keyword placed in the Norwegian unit is read with its Norwegian list and answered in Norwegian,
    // from the address it was sent to (no configuration of the account has it).
    await send('avslutt', { from: other, to: '+4930999999' });
    const last = (await rows()).at(-1)!;
    expect(last).toMatchObject({ org_unit_id: child, keyword: 'AVSLUTT', keyword_effect: 'opted_out' });
    const [reply] = await replies();
    expect(reply).toMatchObject({ org_unit_id: child, sender_id: '+4930999999', sender_config_id: null });
    expect(reply!.body).toContain('meldt av');
  });

  it('keeps an unparseable sender: stored, but a keyword from it changes no consent and gets no reply', async () => {
    await send('STOP', { from: 'not-a-number' });
    const [row] = await rows();
    expect(row).toMatchObject({ from_e164: null, keyword_action: 'opt_out', keyword_effect: 'no_number' });
    expect(await replies()).toEqual([]);
  });

  it('a keyword reply is blocked at once when the unit has sending switched off', async () => {
    await t.db.kysely
      .updateTable('org_units')
      .set({ sending_enabled: false })
      .where('id', '=', orgUnitId)
      .execute();
    await send('STOP');
    const [reply] = await replies();
    expect(reply).toMatchObject({ status: 'blocked', status_reason: 'sending_disabled' });
    expect(await consentOf(HANDSET)).toBe('opted_out');
  });

  it('GET /api/inbound lists newest first with filters and keyset pages; GET /api/inbound/{id} shows one', async () => {
    await send('first');
    t.clock.advance(1000);
    await send('STOP');
    t.clock.advance(1000);
    await send('third', { from: '+4917612345678' });
    const list = async (q: string) => {
      const res = await t.request(`/api/inbound${q}`, { headers });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as Json;
    };
    const all = await list('');
    expect(all.items.map((i: Json) => i.text)).toEqual(['third', 'STOP', 'first']);
    expect(all.nextCursor).toBeNull();

    const page1 = await list('?limit=2');
    expect(page1.items.map((i: Json) => i.text)).toEqual(['third', 'STOP']);
    const page2 = await list(`?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items.map((i: Json) => i.text)).toEqual(['first']);
    expect(page2.nextCursor).toBeNull();

    expect((await list(`?number=${encodeURIComponent(HANDSET)}`)).items).toHaveLength(2);
    expect((await list('?keyword=opt_out')).items.map((i: Json) => i.text)).toEqual(['STOP']);
    expect((await list('?keyword=none')).items).toHaveLength(2);
    expect((await list('?from=2026-11-22T09:00:01Z')).items).toHaveLength(2);
    expect((await list('?to=2026-11-22T09:00:01Z')).items).toHaveLength(1);

    const stop = all.items[1] as Json;
    expect(stop.keyword).toMatchObject({ keyword: 'STOP', action: 'opt_out', effect: 'opted_out' });
    const one = await t.request(`/api/inbound/${stop.id}`, { headers });
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(stop);
    expect((await t.request(`/api/inbound/${newId()}`, { headers })).status).toBe(404);
  });

  it('POST /api/inbound/simulate: a system manager makes a simulated handset send STOP; replays and other users are refused', async () => {
    const simulate = (json: Json, h = headers) =>
      t.request('/api/inbound/simulate', { method: 'POST', headers: h, json });
    const res = await simulate({
      providerAccountId: account.id,
      from: HANDSET,
      text: 'STOP',
      gatewayMessageId: 'demo-1',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.inbound).toMatchObject({
      from: HANDSET,
      to: 'Herald',
      text: 'STOP',
      orgUnitId,
      keyword: { action: 'opt_out', effect: 'opted_out' },
    });
    expect(await consentOf(HANDSET)).toBe('opted_out');
    expect(await replies()).toHaveLength(1);
    // The same gateway message id again: a replay, stored once.
    const again = await simulate({
      providerAccountId: account.id,
      from: HANDSET,
      text: 'STOP',
      gatewayMessageId: 'demo-1',
    });
    expect(await again.json()).toEqual({ inbound: null });
    expect(await rows()).toHaveLength(1);
    const audit = await t.db.kysely
      .selectFrom('security_events')
      .selectAll()
      .where('type', '=', 'inbound_simulated')
      .execute();
    expect(audit.map((a) => a.target)).toEqual([account.id, account.id]);

    expect((await simulate({ providerAccountId: 'nope', from: HANDSET, text: 'x' })).status).toBe(404);
    const create = await t.request('/api/users', {
      method: 'POST',
      headers,
      json: {
        email: 'mgr@example.com',
        name: 'Manager',
        password: 'another long password',
        roles: ['sms_manager'],
        orgUnitIds: [orgUnitId],
      },
    });
    expect(create.status).toBe(201);
    const mgr = await t.loginAs('mgr@example.com', 'another long password');
    const forbidden = await simulate(
      { providerAccountId: account.id, from: HANDSET, text: 'START' },
      { cookie: mgr.cookie, 'x-csrf-token': mgr['x-csrf-token'] },
    );
    expect(forbidden.status).toBe(403);
    expect(await rows()).toHaveLength(1);
  });

  it('a user sees only inbound messages of their own org units', async () => {
    const other = newId();
    const now = t.clock.now().toISOString();
    await t.db.kysely
      .insertInto('org_units')
      .values({
        id: other,
        parent_id: null,
        name: 'Other company',
        default_region: 'GB',
        timezone: 'Europe/London',
        sending_enabled: true,
        sender_config_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await send('hello');
    const stored = (await rows())[0]!;
    await t.db.kysely
      .updateTable('inbound_messages')
      .set({ org_unit_id: other })
      .where('id', '=', stored.id)
      .execute();
    // A user of the first unit only.
    const create = await t.request('/api/users', {
      method: 'POST',
      headers,
      json: {
        email: 'clerk@example.com',
        name: 'Clerk',
        password: 'another long password',
        roles: ['sms_user'],
        orgUnitIds: [orgUnitId],
      },
    });
    expect(create.status, await create.clone().text()).toBe(201);
    const clerk = await t.loginAs('clerk@example.com', 'another long password');
    const h = { cookie: clerk.cookie, 'x-csrf-token': clerk['x-csrf-token'] };
    expect(((await (await t.request('/api/inbound', { headers: h })).json()) as Json).items).toEqual([]);
    expect((await t.request(`/api/inbound/${stored.id}`, { headers: h })).status).toBe(404);
    // The administrator sees every unit.
    expect(((await (await t.request('/api/inbound', { headers })).json()) as Json).items).toHaveLength(1);
  });
});
