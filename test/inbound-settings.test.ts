import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import { simulatorInboundRequest } from '../src/providers/simulator/simulator.provider.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Settings = {
  orgUnitId: string;
  language: string;
  keywords: { optOut: string[]; optIn: string[]; optInIfOptedOut: string[]; help: string[] };
  replies: { optOut: string; optIn: string; help: string };
  customized: boolean;
  updatedAt: string | null;
};

describe.each(TEST_DIALECTS)('keyword settings per org unit on %s', (dialect) => {
  let t: TestApp;
  let orgUnitId: string;
  let headers: Record<string, string>;

  beforeEach(async () => {
    t = await createTestApp(dialect);
    const admin = await t.setupAdmin();
    orgUnitId = admin.orgUnitId;
    headers = admin.headers;
  });
  afterEach(async () => t.close());

  const get = async (id = orgUnitId, h = headers) =>
    t.request(`/api/org-units/${id}/keywords`, { headers: h });
  const put = async (json: unknown, id = orgUnitId, h = headers) =>
    t.request(`/api/org-units/${id}/keywords`, { method: 'PUT', headers: h, json });

  it('defaults follow the unit’s region: German words added to the English ones, German replies', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    const s = (await res.json()) as Settings;
    expect(s).toMatchObject({ orgUnitId, language: 'de', customized: false, updatedAt: null });
    expect(s.keywords.optOut).toEqual(
      expect.arrayContaining(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'OPT OUT', 'STOPP', 'ABMELDEN']),
    );
    expect(s.keywords.optInIfOptedOut).toEqual(['YES', 'JA']);
    expect(s.keywords.help).toEqual(['HELP', 'INFO', 'HILFE']);
    expect(s.replies.optOut).toContain('abgemeldet');
  });

  it('PUT sets the unit’s own lists and texts; inbound keywords follow them; PUT {} restores the defaults', async () => {
    const res = await put({
      keywords: { optOut: ['STOP', 'BASTA'], help: ['HELP', 'SOS'] },
      replies: { help: '{{org_unit.name}}: call 0800 123 456.' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const s = (await res.json()) as Settings;
    expect(s).toMatchObject({ language: 'de', customized: true, updatedAt: t.clock.now().toISOString() });
    expect(s.keywords.optOut).toEqual(['STOP', 'BASTA']);
    expect(s.keywords.optIn).toEqual(['START', 'UNSTOP', 'ANMELDEN']); // untouched: the default
    expect((await (await get()).json()) as Settings).toEqual(s);

    const account = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['callback_token'])
      .executeTakeFirstOrThrow();
    let seq = 0;
    const inbound = async (text: string) => {
      const { body, headers: h } = simulatorInboundRequest(
        { id: `in-${++seq}`, from: '+4915123456789', to: 'Herald', text },
        account.callback_token,
      );
      expect(
        (
          await t.request(`/api/callbacks/${account.callback_token}/inbound`, {
            method: 'POST',
            headers: h,
            body,
          })
        ).status,
      ).toBe(200);
    };
    await inbound('sos');
    await inbound('Abmelden'); // no longer a keyword of this unit
    await inbound('Basta!');
    const rows = await t.db.kysely.selectFrom('inbound_messages').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.keyword, r.keyword_action])).toEqual([
      ['SOS', 'help'],
      [null, null],
      ['BASTA', 'opt_out'],
    ]);
    const reply = await t.db.kysely
      .selectFrom('messages')
      .select('body')
      .where('id', '=', rows[0]!.reply_message_id!)
      .executeTakeFirstOrThrow();
    expect(reply.body).toBe('Head Office: call 0800 123 456.');

    const reset = (await (await put({})).json()) as Settings;
    expect(reset.customized).toBe(false);
    expect(reset.keywords.optOut).toContain('ABMELDEN');

    const french = (await (await put({ language: 'fr' })).json()) as Settings;
    expect(french.language).toBe('fr');
    expect(french.keywords.optOut).toContain('ARRÊT');
    expect(french.replies.optOut).toContain('désinscrit');
  });

  it('refuses a keyword in two lists (after folding), unknown fields and empty texts, and keeps what was stored', async () => {
    const conflict = await put({ keywords: { help: ['HELP', 'ｓｔｏｐ'] } });
    expect(conflict.status).toBe(422);
    const problem = (await conflict.json()) as { code: string; detail: string };
    expect(problem.code).toBe('validation.failed');
    expect(problem.detail).toContain('ｓｔｏｐ');
    expect((await put({ colour: 'blue' })).status).toBe(422);
    expect((await put({ replies: { help: '   ' } })).status).toBe(422);
    expect((await put({ language: 'xx' })).status).toBe(422);
    expect(((await (await get()).json()) as Settings).customized).toBe(false);
  });

  it('needs org_units.manage to change and a visible unit to read; changes are audited', async () => {
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
    expect(create.status).toBe(201);
    const clerk = await t.loginAs('clerk@example.com', 'another long password');
    const h = { cookie: clerk.cookie, 'x-csrf-token': clerk['x-csrf-token'] };
    expect((await get(orgUnitId, h)).status).toBe(200);
    expect((await put({ keywords: { help: ['SOS'] } }, orgUnitId, h)).status).toBe(403);
    expect((await get(newId())).status).toBe(404);
    expect((await put({}, newId())).status).toBe(404);

    expect((await put({ replies: { help: 'Call us' } })).status).toBe(200);
    const audit = await t.db.kysely
      .selectFrom('security_events')
      .selectAll()
      .where('type', '=', 'org_unit_keywords_updated')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: orgUnitId });
  });
});
