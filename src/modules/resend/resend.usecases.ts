import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { analyzeText, type ShiftLanguage } from '../../core/encoding/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { canResend, isMessageStatus, STATUSES } from '../../core/status/index.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { consentStates } from '../consent/consent.repository.js';
import type { EventBus } from '../events/events.bus.js';
import { publishStatusChanges } from '../events/events.publish.js';
import { findMessage } from '../messages/messages.repository.js';
import type { MessageView } from '../messages/messages.schemas.js';
import { actorDetails, statusLabel, toMessageView } from '../messages/messages.usecases.js';
import { findOrgUnit, type OrgUnitRow } from '../org-units/org-units.repository.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import { eligibilityOf, messageRow, type Recipient } from '../send/send.plan.js';
import { insertBatch, routeOfOrgUnit } from '../send/send.repository.js';

/** Statuses a message may be resent from: the status table's `resendable` ones. */
export const RESENDABLE_STATUSES = STATUSES.filter((s) => canResend(s));

export interface ResendDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Pick<Config, 'defaultValidityHours'>;
  principal: Principal;
  bus: EventBus;
}

const notFound = (id: string) => new AppError('message.not_found', 'No such message.', { id });

/** Why `original` cannot be resent, or null. A message resent once is never resent again. */
function refusal(original: { id: string; status: string; resent_by: string | null }): AppError | null {
  if (original.resent_by !== null) {
    return new AppError('message.already_resent', 'This message was already resent.', {
      id: original.id,
      resentBy: original.resent_by,
    });
  }
  if (!isMessageStatus(original.status) || !canResend(original.status)) {
    return new AppError(
      'message.not_resendable',
      `Only an accepted, failed or timed-out message can be resent; this one is ${statusLabel(original.status)}.`,
      { id: original.id, messageStatus: original.status },
    );
  }
  return null;
}

async function loadOriginal(db: Kysely<Database>, principal: Principal, id: string) {
  return db
    .selectFrom('messages')
    .select([
      'id',
      'org_unit_id',
      'contact_id',
      'phone_id',
      'to_input',
      'to_e164',
      'body',
      'category',
      'status',
      'reference_type',
      'reference_id',
      'resent_by',
    ])
    .where('id', '=', id)
    .where(inOrgScope(principal.orgScope, 'org_unit_id'))
    .executeTakeFirst();
}

const policyOf = (unit: OrgUnitRow) => ({
  sendingEnabled: Boolean(unit.sending_enabled),
  requiredCategories: JSON.parse(unit.consent_required_categories) as string[],
});

/**
 * Resends a message that is `accepted`, `failed` or `status_timeout`: a new send action (batch) with one
 * new message — same text, recipient, org unit, category, reference and contact — whose `resent_of` is
 * the original, while the original's `resent_by` becomes the new message's id.
 *
 * Policy is decided again as the send path does (`eligibilityOf` with the unit's current settings, its
 * current route and the number's current consent): the new message is `queued`, or `blocked` with the
 * reason. The text is measured again for the current route (`message.too_many_parts`,
 * `message.too_long` as when sending).
 *
 * Refusals write nothing: `message.not_found` (also for other units' messages), `message.already_resent`
 * (a message is resent at most once), `message.not_resendable` (with `messageStatus`). The original is
 * claimed with a conditional update (`resent_by IS NULL` and still resendable) inside the transaction,
 * and `resent_of` is unique, so two concurrent resends produce one new message.
 */
export async function resendMessage({
  db,
  clock,
  config,
  principal,
  bus,
  id,
}: ResendDeps & { id: string }): Promise<MessageView> {
  requirePermission(principal, 'messages.resend');
  const original = await loadOriginal(db, principal, id);
  if (!original) throw notFound(id);
  const refused = refusal(original);
  if (refused) throw refused;

  const unit = await findOrgUnit(db, principal.orgScope, original.org_unit_id);
  if (!unit) throw notFound(id);
  const route = await routeOfOrgUnit(db, unit);
  const consent = original.to_e164
    ? ((await consentStates(db, [original.to_e164])).get(original.to_e164) ?? null)
    : null;
  const recipient: Recipient = {
    contactId: original.contact_id,
    phoneId: original.phone_id,
    name: null,
    orgUnitId: unit.id,
    input: original.to_input === '' ? null : original.to_input,
    e164: original.to_e164,
    consent,
    contact: null,
  };
  const eligibility = eligibilityOf([recipient], policyOf(unit), route, original.category)[0]!;
  if (eligibility === 'duplicate') throw new Error('one recipient cannot be a duplicate');
  const text = analyzeText(original.body, { shiftTables: (route?.shiftTables ?? []) as ShiftLanguage[] });
  if (text.characters > unit.max_text_length) {
    throw new AppError('message.too_long', `The text is longer than ${unit.max_text_length} characters.`, {
      maxLength: unit.max_text_length,
      length: text.characters,
    });
  }
  if (route && text.parts.length > route.maxParts) {
    throw new AppError(
      'message.too_many_parts',
      `The text needs ${text.parts.length} SMS parts; this route allows ${route.maxParts}.`,
      { maxParts: route.maxParts, parts: text.parts.length },
    );
  }

  const now = clock.now();
  const nowIso = now.toISOString();
  const batchId = newId();
  const row = {
    ...messageRow(recipient, eligibility, text, {
      orgUnitId: unit.id,
      batchId,
      category: original.category,
      route,
      scheduledAt: null,
      expiresAt: new Date(now.getTime() + config.defaultValidityHours * 3_600_000).toISOString(),
      now: nowIso,
      reference:
        original.reference_type !== null && original.reference_id !== null
          ? { type: original.reference_type, id: original.reference_id }
          : null,
      createdBy: { type: principal.kind, id: principal.id },
      newId,
    }),
    resent_of: original.id,
  };
  const messageId = row.id as string;
  const eventId = newId();

  await db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('messages')
      .set({ resent_by: messageId, updated_at: nowIso })
      .where('id', '=', original.id)
      .where('resent_by', 'is', null)
      .where('status', 'in', RESENDABLE_STATUSES)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      // Resent or moved on (e.g. delivered) since we read it: say which.
      const now = await loadOriginal(trx, principal, original.id);
      throw (now && refusal(now)) ?? notFound(id);
    }
    await insertBatch(
      trx,
      {
        id: batchId,
        org_unit_id: unit.id,
        sender_type: principal.kind,
        sender_ref: principal.id,
        sender_name: principal.name,
        message: text.text,
        template_id: null,
        category: original.category,
        request: JSON.stringify({ resentOf: original.id }),
        requested_count: 1,
        blocked_count: row.status === 'blocked' ? 1 : 0,
        scheduled_at: null,
        created_at: nowIso,
        canceled_at: null,
      },
      [row],
    );
    await trx
      .insertInto('message_events')
      .values({
        id: eventId,
        message_id: messageId,
        occurred_at: nowIso,
        from_status: null,
        to_status: row.status as string,
        applied: true,
        reason: row.status_reason ?? null,
        source: 'user',
        details: JSON.stringify({ ...actorDetails(principal), resentOf: original.id }),
      })
      .execute();
  });
  await publishStatusChanges({
    db,
    bus,
    clock,
    changes: [
      {
        eventId,
        messageId,
        orgUnitId: unit.id,
        batchId,
        from: null,
        to: row.status as string,
        applied: true,
        at: nowIso,
      },
    ],
  });
  const created = await findMessage(db, principal.orgScope, messageId);
  if (!created) throw notFound(messageId);
  return toMessageView(created);
}
