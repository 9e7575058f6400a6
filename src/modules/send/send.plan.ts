import type { Insertable } from 'kysely';
import { consentDecision } from '../../core/consent.js';
import { analyzeText, type ShiftLanguage, type TextAnalysis } from '../../core/encoding/index.js';
import type { CompiledTemplate } from '../../core/template/index.js';
import type { MessageTable } from '../messages/messages.table.js';
import type { TemplateContact } from '../templates/templates.data.js';
import type { Eligibility } from './send.groups.js';
import type { UnitRoute } from './send.repository.js';

/** One resolved recipient before it becomes a message. */
export interface Recipient {
  contactId: string | null;
  phoneId: string | null;
  name: string | null;
  orgUnitId: string;
  /** What was asked for (the number as typed, or the contact's stored original). */
  input: string | null;
  e164: string | null;
  consent: string | null;
  /** The contact's fields for `{{contact.*}}`; null for bare numbers. */
  contact: TemplateContact | null;
}

export interface UnitPolicy {
  sendingEnabled: boolean;
  requiredCategories: readonly string[];
}

/**
 * Eligibility of each recipient, in the order given: the first occurrence of a number wins, later ones
 * are `duplicate`. Unit-wide blocks (sending disabled, no sender) come before consent, so the log shows
 * the reason an administrator can fix.
 */
export function eligibilityOf(
  recipients: readonly Recipient[],
  policy: UnitPolicy,
  route: UnitRoute | null,
  category: string,
): Eligibility[] {
  const seen = new Set<string>();
  return recipients.map((r) => {
    if (!r.input) return 'no_phone';
    if (!r.e164) return 'invalid_phone';
    if (seen.has(r.e164)) return 'duplicate';
    seen.add(r.e164);
    if (!policy.sendingEnabled) return 'sending_disabled';
    if (!route) return 'sender_not_configured';
    const d = consentDecision(
      r.consent as 'opted_in' | 'opted_out' | 'unknown' | undefined,
      category,
      policy.requiredCategories,
    );
    return d === 'ok' ? 'ok' : d;
  });
}

/** Renders and measures each recipient's text; a text without variables is analysed once for all. */
export function renderTexts(
  template: CompiledTemplate | null,
  staticText: string,
  recipients: readonly Recipient[],
  data: (r: Recipient) => Record<string, unknown>,
  options: { shiftTables?: readonly ShiftLanguage[]; transliterate?: boolean },
): TextAnalysis[] {
  if (!template) {
    const once = analyzeText(staticText, options);
    return recipients.map(() => once);
  }
  const cache = new Map<string, TextAnalysis>();
  return recipients.map((r) => {
    const text = template.render(data(r));
    let a = cache.get(text);
    if (!a) {
      a = analyzeText(text, options);
      cache.set(text, a);
    }
    return a;
  });
}

export interface MessageDefaults {
  orgUnitId: string;
  batchId: string;
  category: string;
  route: UnitRoute | null;
  scheduledAt: string | null;
  expiresAt: string;
  now: string;
  reference: { type: string; id: string } | null;
  createdBy: { type: string; id: string };
  newId: () => string;
}

/** The message row of one recipient: queued/scheduled when eligible, blocked with the reason otherwise. */
export function messageRow(
  r: Recipient,
  eligibility: Exclude<Eligibility, 'duplicate'>,
  text: TextAnalysis,
  d: MessageDefaults,
): Insertable<MessageTable> {
  const ok = eligibility === 'ok';
  return {
    id: d.newId(),
    org_unit_id: d.orgUnitId,
    batch_id: d.batchId,
    contact_id: r.contactId,
    phone_id: r.phoneId,
    to_input: r.input ?? '',
    to_e164: r.e164,
    body: text.text,
    encoding: text.encoding,
    parts: text.parts.length,
    characters: text.characters,
    category: d.category,
    status: ok ? (d.scheduledAt ? 'scheduled' : 'queued') : 'blocked',
    status_reason: ok ? null : eligibility,
    sender_config_id: d.route?.senderConfigId ?? null,
    provider_account_id: d.route?.providerAccountId ?? null,
    sender_id: d.route?.senderId ?? null,
    gateway_message_id: null,
    attempts: 0,
    scheduled_at: d.scheduledAt,
    due_at: ok ? (d.scheduledAt ?? d.now) : null,
    expires_at: d.expiresAt,
    lease_until: null,
    leased_by: null,
    reference_type: d.reference?.type ?? null,
    reference_id: d.reference?.id ?? null,
    campaign_id: null,
    trigger_id: null,
    resent_of: null,
    resent_by: null,
    error_code: null,
    error_text: null,
    created_by_type: d.createdBy.type,
    created_by_id: d.createdBy.id,
    created_at: d.now,
    updated_at: d.now,
    submitted_at: null,
    final_at: ok ? null : d.now,
  };
}
