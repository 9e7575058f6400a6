import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { parsePhone } from '../../core/phone/index.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import { appendConsentEvent, consentHistory, consentStates } from './consent.repository.js';
import type { ConsentSource, ConsentState } from './consent.table.js';

export interface ConsentEventInput {
  e164: string;
  state: ConsentState;
  source: ConsentSource;
  actor: { type: string; id: string | null };
  /** Version of the consent text the person agreed to (e.g. "marketing-2026-01"). */
  textVersion?: string | null;
  /** Proof: inbound message id, IP address, import job and attestation text, … */
  evidence?: Record<string, unknown>;
  occurredAt?: string;
}

export interface ConsentEventView {
  id: string;
  state: ConsentState;
  source: ConsentSource;
  actor: { type: string; id: string | null };
  occurredAt: string;
  textVersion: string | null;
  evidence: Record<string, unknown>;
}

/**
 * Records one consent event (append-only) and updates the number's current state. Other modules
 * (contact import, inbound keywords, provider opt-out codes) call this; pass a transaction to make it
 * part of a larger write.
 */
export async function recordConsentEvent({
  db,
  clock,
  event,
}: {
  db: Kysely<Database>;
  clock: Clock;
  event: ConsentEventInput;
}): Promise<ConsentEventView> {
  const row = {
    id: newId(),
    e164: event.e164,
    state: event.state,
    source: event.source,
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    occurred_at: event.occurredAt ?? clock.now().toISOString(),
    text_version: event.textVersion ?? null,
    evidence: JSON.stringify(event.evidence ?? {}),
  };
  await appendConsentEvent(db, row);
  return toView(row);
}

const toView = (r: {
  id: string;
  state: ConsentState;
  source: ConsentSource;
  actor_type: string;
  actor_id: string | null;
  occurred_at: string;
  text_version: string | null;
  evidence: string;
}): ConsentEventView => ({
  id: r.id,
  state: r.state,
  source: r.source,
  actor: { type: r.actor_type, id: r.actor_id },
  occurredAt: r.occurred_at,
  textVersion: r.text_version,
  evidence: JSON.parse(r.evidence) as Record<string, unknown>,
});

/** Parses a number for consent purposes: with a `+`, or in the national format of a visible org unit. */
export async function consentNumber(
  db: Kysely<Database>,
  principal: Principal,
  phone: string,
  orgUnitId?: string,
): Promise<string> {
  let region: string | undefined;
  if (orgUnitId) {
    const unit = await findOrgUnit(db, principal.orgScope, orgUnitId);
    if (!unit) throw new AppError('org_unit.not_found', 'No such org unit.', { id: orgUnitId });
    region = unit.default_region;
  }
  const parsed = parsePhone(phone, region as Parameters<typeof parsePhone>[1]);
  if (!parsed.ok) {
    throw new AppError('consent.invalid_phone', `The phone number is not valid (${parsed.reason}).`, {
      reason: parsed.reason,
      field: 'phone',
    });
  }
  return parsed.e164;
}

/** Records consent given or withdrawn through the UI or API; the caller and its address are the evidence. */
export async function recordConsent({
  db,
  clock,
  principal,
  input,
  ip,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  input: {
    phone: string;
    orgUnitId?: string;
    state: ConsentState;
    textVersion?: string | null;
    evidence?: Record<string, unknown>;
  };
  ip: string | null;
}): Promise<{ e164: string; event: ConsentEventView }> {
  requirePermission(principal, 'consent.manage');
  const e164 = await consentNumber(db, principal, input.phone, input.orgUnitId);
  const event = await db.transaction().execute((trx) =>
    recordConsentEvent({
      db: trx,
      clock,
      event: {
        e164,
        state: input.state,
        source: principal.kind === 'api_key' ? 'api' : 'ui',
        actor: { type: principal.kind, id: principal.id },
        textVersion: input.textVersion ?? null,
        evidence: { ...input.evidence, ip },
      },
    }),
  );
  return { e164, event };
}

export async function readConsent({
  db,
  principal,
  phone,
  orgUnitId,
}: {
  db: Kysely<Database>;
  principal: Principal;
  phone: string;
  orgUnitId?: string;
}): Promise<{ e164: string; state: ConsentState; history: ConsentEventView[] }> {
  requirePermission(principal, 'contacts.read');
  const e164 = await consentNumber(db, principal, phone, orgUnitId);
  const history = (await consentHistory(db, e164)).map(toView);
  return { e164, state: (await consentStates(db, [e164])).get(e164) ?? 'unknown', history };
}
