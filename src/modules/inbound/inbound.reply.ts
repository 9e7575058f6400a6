import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { KEYWORD_REPLY_CATEGORY } from '../../core/consent.js';
import { analyzeText, type ShiftLanguage } from '../../core/encoding/index.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import type { ProviderAccountRow } from '../gateways/gateways.repository.js';
import type { OrgUnitRow } from '../org-units/org-units.repository.js';
import { messageRow } from '../send/send.plan.js';

/** The way a reply goes out: the account the keyword came in on, and the sender id to send from. */
export interface ReplyRoute {
  senderConfigId: string | null;
  senderId: string;
}

/**
 * Queues a system reply to a keyword (the opt-out/opt-in confirmation or the help text) as one message
 * of the org unit, in the caller's transaction, built by the send path's own `messageRow` (same row,
 * same counting), with:
 * - category `keyword_reply` (not a category users can send with): the dispatch policy lets these
 *   through to a number that opted out and sends them through the message's own account and sender id;
 * - the provider account the keyword arrived on and the sender id it was sent to;
 * - no batch (it is not a user's send action), `created_by` = `system` / `inbound:<inbound id>`,
 *   reference `inbound_message` / the inbound id.
 * Blocked at once (`sending_disabled`) when the unit's sending is switched off. Returns the message id.
 */
export async function queueKeywordReply({
  db,
  clock,
  config,
  unit,
  account,
  route,
  to,
  text,
  inboundId,
}: {
  db: Kysely<Database>;
  clock: Clock;
  config: Pick<Config, 'defaultValidityHours'>;
  unit: OrgUnitRow;
  account: ProviderAccountRow;
  route: ReplyRoute;
  to: string;
  text: string;
  inboundId: string;
}): Promise<string> {
  const now = clock.now();
  const analysis = analyzeText(text, { shiftTables: JSON.parse(account.shift_tables) as ShiftLanguage[] });
  const ok = Boolean(unit.sending_enabled);
  const row = messageRow(
    {
      contactId: null,
      phoneId: null,
      name: null,
      orgUnitId: unit.id,
      input: to,
      e164: to,
      consent: null,
      contact: null,
    },
    ok ? 'ok' : 'sending_disabled',
    analysis,
    {
      orgUnitId: unit.id,
      batchId: '',
      category: KEYWORD_REPLY_CATEGORY,
      route: {
        senderConfigId: route.senderConfigId ?? '',
        senderId: route.senderId,
        providerAccountId: account.id,
        maxParts: account.max_parts,
        pricePerPart: account.price_per_part,
        currency: account.currency,
        shiftTables: JSON.parse(account.shift_tables) as string[],
      },
      scheduledAt: null,
      expiresAt: new Date(now.getTime() + config.defaultValidityHours * 3_600_000).toISOString(),
      now: now.toISOString(),
      reference: { type: 'inbound_message', id: inboundId },
      createdBy: { type: 'system', id: `inbound:${inboundId}` },
      newId,
    },
  );
  await db
    .insertInto('messages')
    .values({ ...row, batch_id: null, sender_config_id: route.senderConfigId })
    .execute();
  return row.id;
}
