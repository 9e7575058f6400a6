import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../src/db/test-dialects.js';
import {
  findProviderAccountByCallbackToken,
  updateProviderAccount,
} from '../src/modules/gateways/gateways.repository.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Every delivery report and inbound message looks its account up by callback token; the lookup keeps
 * found accounts for a second (gateways.repository.ts). These pin what the short memory may and may not do.
 */
describe.each(TEST_DIALECTS)('account lookup by callback token on %s', (dialect) => {
  let t: TestApp;
  let account: { id: string; callback_token: string };
  beforeEach(async () => {
    t = await createTestApp(dialect);
    await t.setupAdmin();
    account = await t.db.kysely
      .selectFrom('provider_accounts')
      .select(['id', 'callback_token'])
      .executeTakeFirstOrThrow();
  });
  afterEach(async () => t.close());

  const lookup = () => findProviderAccountByCallbackToken(t.db.kysely, account.callback_token);

  it('a change made through updateProviderAccount is seen at once', async () => {
    expect((await lookup())?.id).toBe(account.id);
    await updateProviderAccount(t.db.kysely, account.id, { name: 'Renamed gateway' });
    expect((await lookup())?.name).toBe('Renamed gateway');
  });

  it('a change made elsewhere (another process) is seen within the second', async () => {
    const before = (await lookup())?.name;
    await t.db.kysely
      .updateTable('provider_accounts')
      .set({ name: 'Changed by another process' })
      .where('id', '=', account.id)
      .execute();
    // Still the kept row: the memory is real, not a lookup every time.
    expect((await lookup())?.name).toBe(before);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await lookup())?.name).toBe('Changed by another process');
  });

  it('an unknown token finds nothing, and an account stored later under it is found at once', async () => {
    expect(await findProviderAccountByCallbackToken(t.db.kysely, 'no-such-token')).toBeUndefined();
    await t.db.kysely
      .updateTable('provider_accounts')
      .set({ callback_token: 'no-such-token' })
      .where('id', '=', account.id)
      .execute();
    expect((await findProviderAccountByCallbackToken(t.db.kysely, 'no-such-token'))?.id).toBe(account.id);
  });
});
