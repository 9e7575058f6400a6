import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { simulatorSettingsSchema } from '../../providers/simulator/simulator.settings.js';
import { insertProviderAccount, insertSenderConfig, setOrgUnitSenderConfig } from './gateways.repository.js';
import { newCallbackToken } from './gateways.usecases.js';

/**
 * First start: a `Simulator` gateway (latency 50–300 ms, acceptance 0.98, delivery 0.95, no report
 * 0.02, 50 messages per second, up to 10 parts, no price) and a sender configuration `Default`
 * (sender id `Herald`) attached to the first org unit, so a new install can send at once.
 * Runs inside the setup transaction.
 */
export async function installDefaultGateway(
  trx: Kysely<Database>,
  { now, orgUnitId }: { now: string; orgUnitId: string },
): Promise<{ providerAccountId: string; senderConfigId: string }> {
  const providerAccountId = newId();
  const senderConfigId = newId();
  await insertProviderAccount(trx, {
    id: providerAccountId,
    name: 'Simulator',
    kind: 'simulator',
    settings: JSON.stringify(simulatorSettingsSchema.parse({})),
    messages_per_second: 50,
    max_parts: 10,
    price_per_part: null,
    currency: null,
    shift_tables: '[]',
    callback_token: newCallbackToken(),
    created_at: now,
    updated_at: now,
  });
  await insertSenderConfig(trx, {
    id: senderConfigId,
    name: 'Default',
    provider_account_id: providerAccountId,
    fallback_provider_account_id: null,
    sender_id: 'Herald',
    created_at: now,
    updated_at: now,
  });
  await setOrgUnitSenderConfig(trx, orgUnitId, senderConfigId, now);
  return { providerAccountId, senderConfigId };
}
