import type { Kysely } from 'kysely';
import { type ConsentStateValue, consentDecision, KEYWORD_REPLY_CATEGORY } from '../core/consent.js';
import type { BlockReason } from '../core/status/index.js';
import type { Database } from '../db/database.js';
import { consentStates } from '../modules/consent/consent.repository.js';
import {
  type OrgUnitSender,
  type ProviderAccountRow,
  senderForOrgUnit,
} from '../modules/gateways/gateways.repository.js';
import type { ClaimedRow } from './claim.shared.js';

export interface Route {
  senderId: string;
  /** The accounts to try, in order: the primary, then the fallback (if any). */
  accounts: readonly ProviderAccountRow[];
}

export type PolicyVerdict = { ok: true; route: Route } | { ok: false; reason: BlockReason };

interface UnitPolicy {
  sendingEnabled: boolean;
  requiredCategories: readonly string[];
  sender: OrgUnitSender | null;
}

/**
 * The send-time check, made again right before a message goes out because things change while it
 * waits: the recipient withdrew consent, an administrator disabled sending for the org unit, or the
 * unit's sender configuration was removed or changed. The order of reasons is the send path's
 * (`eligibilityOf`): unit-wide reasons first, consent last.
 *
 * "Changed" means: the unit no longer uses the message's sender configuration, that configuration no
 * longer has the message's sender id, or the message's provider account is neither its primary nor its
 * fallback account any more. The message was composed and counted for that route; it is blocked
 * (`sender_not_configured`) rather than sent through another one.
 *
 * One checker serves one claimed batch: units and their routes are read once per batch.
 */
export function createPolicyChecker(db: Kysely<Database>) {
  const units = new Map<string, Promise<UnitPolicy | null>>();

  const unitPolicy = (orgUnitId: string) => {
    let p = units.get(orgUnitId);
    if (!p) {
      p = (async () => {
        const unit = await db
          .selectFrom('org_units')
          .select(['sending_enabled', 'consent_required_categories'])
          .where('id', '=', orgUnitId)
          .executeTakeFirst();
        if (!unit) return null;
        return {
          sendingEnabled: Boolean(unit.sending_enabled),
          requiredCategories: JSON.parse(unit.consent_required_categories) as string[],
          sender: await senderForOrgUnit(db, orgUnitId),
        };
      })();
      units.set(orgUnitId, p);
    }
    return p;
  };

  /**
   * Herald's answer to a keyword (STOP confirmation, HELP text) goes to the number that sent the
   * keyword even when it opted out, back through the account the keyword arrived on and from the
   * address it was sent to (both stored on the message when it was queued), whatever the unit's sender
   * configuration is. Only the reply the inbound module queued (created by `system` for an inbound
   * message) counts: a copy of one made otherwise (a resend) gets the ordinary checks. `null`: not such
   * a reply.
   */
  const keywordReplyRoute = async (m: ClaimedRow): Promise<PolicyVerdict | null> => {
    const origin = await db
      .selectFrom('messages')
      .select(['created_by_type', 'reference_type', 'resent_of'])
      .where('id', '=', m.id)
      .executeTakeFirst();
    if (
      origin?.created_by_type !== 'system' ||
      origin.reference_type !== 'inbound_message' ||
      origin.resent_of
    ) {
      return null;
    }
    if (!m.to_e164) return { ok: false, reason: 'invalid_phone' };
    const account = m.provider_account_id
      ? await db
          .selectFrom('provider_accounts')
          .selectAll()
          .where('id', '=', m.provider_account_id)
          .executeTakeFirst()
      : undefined;
    if (!account || !m.sender_id) return { ok: false, reason: 'sender_not_configured' };
    return { ok: true, route: { senderId: m.sender_id, accounts: [account] } };
  };

  return async function check(m: ClaimedRow): Promise<PolicyVerdict> {
    const unit = await unitPolicy(m.org_unit_id);
    if (!unit?.sendingEnabled) return { ok: false, reason: 'sending_disabled' };
    if (m.category === KEYWORD_REPLY_CATEGORY) {
      const reply = await keywordReplyRoute(m);
      if (reply) return reply;
    }
    const s = unit.sender;
    if (
      !s ||
      s.senderConfig.id !== m.sender_config_id ||
      s.senderConfig.sender_id !== m.sender_id ||
      (m.provider_account_id !== s.providerAccount.id &&
        m.provider_account_id !== s.fallbackProviderAccount?.id)
    ) {
      return { ok: false, reason: 'sender_not_configured' };
    }
    if (!m.to_e164) return { ok: false, reason: 'invalid_phone' };
    const state = (await consentStates(db, [m.to_e164])).get(m.to_e164) as ConsentStateValue | undefined;
    const decision = consentDecision(state, m.category, unit.requiredCategories);
    if (decision !== 'ok') return { ok: false, reason: decision };
    return {
      ok: true,
      route: {
        senderId: s.senderConfig.sender_id,
        accounts: s.fallbackProviderAccount
          ? [s.providerAccount, s.fallbackProviderAccount]
          : [s.providerAccount],
      },
    };
  };
}

export type PolicyChecker = ReturnType<typeof createPolicyChecker>;
