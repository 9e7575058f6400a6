import type SqliteDatabase from 'better-sqlite3';
import type { Insertable, Kysely } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { ShiftLanguage, TextAnalysis } from '../../core/encoding/index.js';
import { analyzeText } from '../../core/encoding/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { type CountryCode, parsePhone } from '../../core/phone/index.js';
import {
  type CompiledTemplate,
  compileTemplate,
  isKnownVariable,
  validateVariables,
} from '../../core/template/index.js';
import type { Database } from '../../db/database.js';
import { requireOrgUnits, requirePermission } from '../auth/auth.guard.js';
import { canSeeOrgUnit, type Principal } from '../auth/auth.permissions.js';
import { consentStates } from '../consent/consent.repository.js';
import type { MessageTable } from '../messages/messages.table.js';
import { findOrgUnit, type OrgUnitRow } from '../org-units/org-units.repository.js';
import { templateDataForContact } from '../templates/templates.data.js';
import { commitSend } from './send.commit.js';
import { ELIGIBILITY, type Eligibility } from './send.groups.js';
import { eligibilityOf, messageRow, type Recipient, renderTexts } from './send.plan.js';
import { consentStateSqlite, unitWithRouteSqlite } from './send.read.sqlite.js';
import {
  type RecipientRow,
  routeOfOrgUnit,
  selectContactRecipient,
  selectRecipients,
  type UnitRoute,
} from './send.repository.js';
import type { RecipientsInput, SendBatchInput, SendMessageInput } from './send.schemas.js';

export interface SendDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Pick<Config, 'defaultValidityHours' | 'maxScheduleDays' | 'maxBatchRecipients'>;
  principal: Principal;
  /** SQLite only: the raw connection, for the bulk insert written for that dialect. */
  sqlite?: SqliteDatabase.Database;
}

/** Allowed clock skew for "send at": a time up to a minute in the past means "now". */
const SCHEDULE_SKEW_MS = 60_000;

async function loadUnit(
  db: Kysely<Database>,
  principal: Principal,
  orgUnitId: string,
  sqlite?: SqliteDatabase.Database,
) {
  if (sqlite) {
    const found = canSeeOrgUnit(principal.orgScope, orgUnitId)
      ? await unitWithRouteSqlite(db, sqlite, orgUnitId)
      : undefined;
    if (!found) throw new AppError('org_unit.not_found', 'No such org unit.', { id: orgUnitId });
    return found;
  }
  const unit = await findOrgUnit(db, principal.orgScope, orgUnitId);
  if (!unit) throw new AppError('org_unit.not_found', 'No such org unit.', { id: orgUnitId });
  return { unit, route: await routeOfOrgUnit(db, unit) };
}

/** The consent state of one number, through the SQLite statement when there is one. */
async function consentOf(db: Kysely<Database>, sqlite: SqliteDatabase.Database | undefined, e164: string) {
  if (sqlite) return (await consentStateSqlite(db, sqlite, e164)) ?? null;
  return (await consentStates(db, [e164])).get(e164) ?? null;
}

const shiftTablesOf = (route: UnitRoute | null) => (route?.shiftTables ?? []) as ShiftLanguage[];

/** The counter: the same analysis the worker will send, with the unit's limits and the route's price. */
export async function countText({
  db,
  principal,
  input,
}: {
  db: Kysely<Database>;
  principal: Principal;
  input: { text: string; orgUnitId?: string; transliterate?: boolean };
}) {
  const loaded = input.orgUnitId ? await loadUnit(db, principal, input.orgUnitId) : null;
  const route = loaded?.route ?? null;
  const a = analyzeText(input.text, {
    shiftTables: shiftTablesOf(route),
    transliterate: input.transliterate,
  });
  const maxLength = loaded?.unit.max_text_length ?? null;
  return {
    text: a.text,
    characters: a.characters,
    encoding: a.encoding,
    units: a.units,
    parts: a.parts.length,
    unitsPerPart: a.unitsPerPart,
    unitsLeftInPart: a.unitsLeftInPart,
    ucs2Characters: [...a.ucs2Characters],
    transliterated: a.transliterated.map((t) => ({ from: t.from, to: t.to, count: t.count })),
    maxLength,
    maxParts: route?.maxParts ?? null,
    tooLong: maxLength !== null && a.characters > maxLength,
    tooManyParts: route !== null && a.parts.length > route.maxParts,
    estimatedCost:
      route?.pricePerPart != null && route.currency
        ? { amount: route.pricePerPart * a.parts.length, currency: route.currency }
        : null,
  };
}

/** Compiled texts by source: a CRM sends the same few texts over and over. Least recently used dropped first. */
const compiledTexts = new Map<string, ReturnType<typeof compileTemplate>>();
const COMPILED_TEXTS_MAX = 500;

function compileCached(body: string): ReturnType<typeof compileTemplate> {
  let c = compiledTexts.get(body);
  if (c) {
    compiledTexts.delete(body);
  } else {
    c = compileTemplate(body);
    if (compiledTexts.size >= COMPILED_TEXTS_MAX) compiledTexts.delete(compiledTexts.keys().next().value!);
  }
  compiledTexts.set(body, c);
  return c;
}

interface Content {
  template: CompiledTemplate | null;
  text: string;
  templateId: string | null;
  category: string;
}

/** The text to send: inline or a template of a visible org unit; variables checked before anything runs. */
async function loadContent(
  db: Kysely<Database>,
  principal: Principal,
  input: { text?: string; templateId?: string; category?: string },
): Promise<Content> {
  if ((input.text === undefined) === (input.templateId === undefined)) {
    throw new AppError('validation.failed', 'Give either `text` or `templateId`.', {
      issues: [{ path: ['text'], message: 'give either text or templateId' }],
    });
  }
  let body = input.text ?? '';
  let category = input.category ?? 'transactional';
  if (input.templateId) {
    const t = await db
      .selectFrom('templates')
      .selectAll()
      .where('id', '=', input.templateId)
      .executeTakeFirst();
    if (!t || !(principal.orgScope.all || principal.orgScope.ids.has(t.org_unit_id))) {
      throw new AppError('template.not_found', 'No such template.', { id: input.templateId });
    }
    body = t.body;
    category = input.category ?? t.category;
  }
  if (body.trim() === '') throw new AppError('message.empty_text', 'The message text is empty.');
  const compiled = compileCached(body);
  if (!compiled.ok) {
    throw new AppError('template.invalid', 'The text is not a valid template.', {
      errors: compiled.errors.map((e) => ({
        code: e.code,
        message: e.message,
        line: e.line,
        column: e.column,
      })),
    });
  }
  const unknown = validateVariables(compiled.variables, isKnownVariable);
  if (unknown.length > 0) {
    throw new AppError('template.invalid', `Unknown variables: ${unknown.join(', ')}.`, {
      variables: unknown,
    });
  }
  return {
    template: compiled.variables.length > 0 ? compiled.template : null,
    text: body,
    templateId: input.templateId ?? null,
    category,
  };
}

function scheduleOf(clock: Clock, maxDays: number, scheduledAt: string | undefined): string | null {
  if (!scheduledAt) return null;
  const at = new Date(scheduledAt);
  const now = clock.now().getTime();
  if (at.getTime() < now - SCHEDULE_SKEW_MS) {
    throw new AppError('message.invalid_schedule', 'The send time is in the past.', { field: 'scheduledAt' });
  }
  if (at.getTime() > now + maxDays * 86_400_000) {
    throw new AppError('message.invalid_schedule', `The send time is more than ${maxDays} days ahead.`, {
      field: 'scheduledAt',
    });
  }
  return at.getTime() <= now ? null : at.toISOString();
}

const fromRow = (r: RecipientRow): Recipient => ({
  contactId: r.contact_id,
  phoneId: r.phone_id,
  name: r.name,
  orgUnitId: r.org_unit_id,
  input: r.original,
  e164: r.e164,
  consent: r.consent,
  contact: {
    name: r.name,
    first_name: r.first_name,
    last_name: r.last_name,
    party: r.party,
    department: r.department,
    branch: r.branch,
    attributes: r.attributes,
  },
});

/** Resolves numbers, contact ids and a group into recipients, in that order. Contacts must be visible. */
async function resolveRecipients(
  db: Kysely<Database>,
  principal: Principal,
  unit: OrgUnitRow,
  spec: RecipientsInput,
  maxRecipients: number,
): Promise<Recipient[]> {
  const out: Recipient[] = [];
  if (spec.filters?.orgUnitIds) requireOrgUnits(principal, spec.filters.orgUnitIds);
  if (spec.numbers) {
    const parsed = spec.numbers.map((n) => ({
      input: n,
      p: parsePhone(n, unit.default_region as CountryCode),
    }));
    const states = await consentStates(
      db,
      parsed.flatMap((x) => (x.p.ok ? [x.p.e164] : [])),
    );
    for (const { input, p } of parsed) {
      const e164 = p.ok ? p.e164 : null;
      out.push({
        contactId: null,
        phoneId: null,
        name: null,
        orgUnitId: unit.id,
        input,
        e164,
        consent: e164 ? (states.get(e164) ?? null) : null,
        contact: null,
      });
    }
  }
  if (spec.contactIds && spec.contactIds.length > 0) {
    const rows = await selectRecipients(db, principal.orgScope, { contactIds: spec.contactIds });
    const byId = new Map(rows.map((r) => [r.contact_id, r]));
    const missing = spec.contactIds.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new AppError('contact.not_found', `No such contact: ${missing.slice(0, 5).join(', ')}.`, {
        id: missing[0],
      });
    }
    for (const id of spec.contactIds) out.push(fromRow(byId.get(id)!));
  }
  if (spec.group || spec.filters) {
    const rows = await selectRecipients(db, principal.orgScope, {
      group: spec.group ?? 'all_contacts',
      filters: spec.filters,
    });
    for (const r of rows) out.push(fromRow(r));
  }
  if (out.length > maxRecipients) {
    throw new AppError('validation.failed', `A batch may address at most ${maxRecipients} recipients.`, {
      issues: [{ path: ['recipients'], message: `more than ${maxRecipients} recipients` }],
    });
  }
  return out;
}

function totalsOf(eligibility: readonly Eligibility[]) {
  const totals = Object.fromEntries(ELIGIBILITY.map((e) => [e, 0])) as Record<Eligibility, number>;
  for (const e of eligibility) totals[e]++;
  return totals;
}

/** "Create receiver list": every resolved recipient with its eligibility and the totals; sends nothing. */
export async function receiverList({
  db,
  config,
  principal,
  input,
}: Omit<SendDeps, 'clock'> & {
  input: { orgUnitId: string; recipients: RecipientsInput; category: string; includeItems: boolean };
}) {
  requirePermission(principal, 'messages.send');
  const { unit, route } = await loadUnit(db, principal, input.orgUnitId);
  const recipients = await resolveRecipients(
    db,
    principal,
    unit,
    input.recipients,
    config.maxBatchRecipients,
  );
  const eligibility = eligibilityOf(recipients, policyOf(unit), route, input.category);
  return {
    totals: { requested: recipients.length, ...totalsOf(eligibility) },
    ...(input.includeItems
      ? {
          items: recipients.map((r, i) => ({
            contactId: r.contactId,
            name: r.name,
            orgUnitId: r.orgUnitId,
            phone: r.input,
            e164: r.e164,
            eligibility: eligibility[i]!,
          })),
        }
      : {}),
  };
}

const policyOf = (unit: OrgUnitRow) => ({
  sendingEnabled: Boolean(unit.sending_enabled),
  requiredCategories: JSON.parse(unit.consent_required_categories) as string[],
});

interface Planned {
  recipients: Recipient[];
  eligibility: Eligibility[];
  texts: TextAnalysis[];
}

/** Checks every rendered text against the unit's length limit and the route's part limit: all or nothing. */
function checkLimits(
  texts: readonly TextAnalysis[],
  eligibility: readonly Eligibility[],
  unit: OrgUnitRow,
  route: UnitRoute | null,
) {
  let tooLong = 0;
  let tooManyParts = 0;
  let empty = 0;
  let longest = 0;
  let mostParts = 0;
  texts.forEach((t, i) => {
    if (eligibility[i] === 'duplicate') return;
    if (t.text.trim() === '') empty++;
    if (t.characters > unit.max_text_length) tooLong++;
    if (route && t.parts.length > route.maxParts) tooManyParts++;
    longest = Math.max(longest, t.characters);
    mostParts = Math.max(mostParts, t.parts.length);
  });
  if (empty > 0)
    throw new AppError('message.empty_text', 'The message text is empty for at least one recipient.');
  if (tooLong > 0) {
    throw new AppError(
      'message.too_long',
      `The text is longer than ${unit.max_text_length} characters${texts.length > 1 ? ` for ${tooLong} recipient(s)` : ''}.`,
      { maxLength: unit.max_text_length, length: longest },
    );
  }
  if (tooManyParts > 0 && route) {
    throw new AppError(
      'message.too_many_parts',
      `The text needs ${mostParts} SMS parts; this route allows ${route.maxParts}.`,
      { maxParts: route.maxParts, parts: mostParts },
    );
  }
}

/**
 * One send action (the SMS Log entry): resolves recipients, renders the text per recipient, checks
 * limits, and writes the batch and one message per distinct number in one transaction — eligible
 * ones queued or scheduled, ineligible ones blocked with the reason.
 */
async function send(
  deps: SendDeps,
  input: SendBatchInput,
  resolve: (unit: OrgUnitRow) => Promise<Recipient[]>,
) {
  const { db, clock, config, principal } = deps;
  requirePermission(principal, 'messages.send');
  const { unit, route } = await loadUnit(db, principal, input.orgUnitId, deps.sqlite);
  const content = await loadContent(db, principal, input);
  const scheduledAt = scheduleOf(clock, config.maxScheduleDays, input.scheduledAt);
  const recipients = await resolve(unit);
  if (recipients.length === 0) {
    throw new AppError('batch.no_recipients', 'No recipient matches: nothing to send.');
  }
  const eligibility = eligibilityOf(recipients, policyOf(unit), route, content.category);
  const context = {
    senderName: principal.name,
    orgUnitName: unit.name,
    document: Object.fromEntries(Object.entries(input.document ?? {}).map(([k, v]) => [k, String(v)])),
  };
  const texts = renderTexts(
    content.template,
    content.text,
    recipients,
    (r) =>
      r.contact
        ? templateDataForContact(r.contact, [], { ...context, phone: r.e164 })
        : {
            contact: { phone: r.e164 },
            sender: { name: context.senderName, org_unit: context.orgUnitName },
            org_unit: { name: context.orgUnitName },
            document: context.document,
          },
    { shiftTables: shiftTablesOf(route), transliterate: input.transliterate },
  );
  checkLimits(texts, eligibility, unit, route);
  const plan: Planned = { recipients, eligibility, texts };
  return write(deps, { input, unit, route, content, scheduledAt, plan });
}

async function write(
  { db, clock, config, principal, sqlite }: SendDeps,
  p: {
    input: SendBatchInput;
    unit: OrgUnitRow;
    route: UnitRoute | null;
    content: Content;
    scheduledAt: string | null;
    plan: Planned;
  },
) {
  const now = clock.now();
  const nowIso = now.toISOString();
  const batchId = newId();
  const startsAt = p.scheduledAt ? new Date(p.scheduledAt).getTime() : now.getTime();
  const validityHours = p.input.validityHours ?? config.defaultValidityHours;
  const defaults = {
    orgUnitId: p.unit.id,
    batchId,
    category: p.content.category,
    route: p.route,
    scheduledAt: p.scheduledAt,
    expiresAt: new Date(startsAt + validityHours * 3_600_000).toISOString(),
    now: nowIso,
    reference: p.input.reference ?? null,
    createdBy: { type: principal.kind, id: principal.id },
    newId,
  };
  const rows: Insertable<MessageTable>[] = [];
  const blocked: Record<string, number> = {};
  let duplicates = 0;
  for (let i = 0; i < p.plan.recipients.length; i++) {
    const e = p.plan.eligibility[i]!;
    if (e === 'duplicate') {
      duplicates++;
      continue;
    }
    if (e !== 'ok') blocked[e] = (blocked[e] ?? 0) + 1;
    rows.push(messageRow(p.plan.recipients[i]!, e, p.plan.texts[i]!, defaults));
  }
  const blockedCount = Object.values(blocked).reduce((a, b) => a + b, 0);
  // Group commit: answered only once the rows are committed (see send.commit.ts).
  await commitSend(db, sqlite, {
    batch: {
      id: batchId,
      org_unit_id: p.unit.id,
      sender_type: principal.kind,
      sender_ref: principal.id,
      sender_name: principal.name,
      message: p.content.text,
      template_id: p.content.templateId,
      category: p.content.category,
      request: JSON.stringify(requestSummary(p.input)),
      requested_count: p.plan.recipients.length,
      blocked_count: blockedCount,
      scheduled_at: p.scheduledAt,
      created_at: nowIso,
      canceled_at: null,
    },
    messages: rows,
  });
  const eligible = rows.length - blockedCount;
  return {
    batchId,
    rows,
    summary: {
      batchId,
      requestedCount: p.plan.recipients.length,
      queuedCount: p.scheduledAt ? 0 : eligible,
      scheduledCount: p.scheduledAt ? eligible : 0,
      blockedCount,
      duplicateCount: duplicates,
      blocked,
    },
  };
}

/** What the SMS Log keeps of the request: the recipients as asked (numbers and ids, or group and filters). */
function requestSummary(input: SendBatchInput) {
  const r = input.recipients;
  return {
    ...(r.group ? { group: r.group } : {}),
    ...(r.filters ? { filters: r.filters } : {}),
    ...(r.numbers ? { numbers: r.numbers.length } : {}),
    ...(r.contactIds ? { contacts: r.contactIds.length } : {}),
    ...(input.templateId ? { templateId: input.templateId } : {}),
    ...(input.reference ? { reference: input.reference } : {}),
  };
}

export async function sendBatch(deps: SendDeps & { input: SendBatchInput }) {
  const { summary } = await send(deps, deps.input, (unit) =>
    resolveRecipients(deps.db, deps.principal, unit, deps.input.recipients, deps.config.maxBatchRecipients),
  );
  return summary;
}

/** One message to one number or one contact's phone; an invalid number is refused (nothing written). */
export async function sendMessage(deps: SendDeps & { input: SendMessageInput }) {
  const { db, principal, input } = deps;
  if ((input.to === undefined) === (input.contactId === undefined)) {
    throw new AppError('validation.failed', 'Give either `to` (a number) or `contactId`.', {
      issues: [{ path: ['to'], message: 'give either to or contactId' }],
    });
  }
  let contact: RecipientRow | undefined;
  if (input.contactId) {
    contact = await selectContactRecipient(db, principal.orgScope, input.contactId, input.phoneId);
    if (!contact) throw new AppError('contact.not_found', 'No such contact.', { id: input.contactId });
    if (input.phoneId && contact.phone_id === null) {
      throw new AppError('message.invalid_recipient', 'The contact has no such phone number.', {
        field: 'phoneId',
      });
    }
  }
  const orgUnitId = input.orgUnitId ?? contact?.org_unit_id;
  if (!orgUnitId) {
    throw new AppError('validation.failed', 'Give `orgUnitId` when sending to a number.', {
      issues: [{ path: ['orgUnitId'], message: 'required with to' }],
    });
  }
  const { to, contactId: _contactId, phoneId: _phoneId, ...content } = input;
  const batchInput: SendBatchInput = { ...content, orgUnitId, recipients: {} };
  const { rows, batchId } = await send(deps, batchInput, async (unit) => {
    if (contact) {
      if (!contact.original) {
        throw new AppError('message.invalid_recipient', 'The contact has no phone number.', {
          reason: 'no_phone',
        });
      }
      return [fromRow(contact)];
    }
    const p = parsePhone(to!, unit.default_region as CountryCode);
    if (!p.ok) {
      throw new AppError('message.invalid_recipient', `The phone number is not valid (${p.reason}).`, {
        reason: p.reason,
        field: 'to',
      });
    }
    const consent = await consentOf(db, deps.sqlite, p.e164);
    return [
      {
        contactId: null,
        phoneId: null,
        name: null,
        orgUnitId: unit.id,
        input: to!,
        e164: p.e164,
        consent,
        contact: null,
      },
    ];
  });
  const m = rows[0]!;
  return {
    id: m.id,
    batchId,
    to: m.to_e164 ?? m.to_input,
    status: m.status,
    statusReason: m.status_reason ?? null,
    body: m.body,
    encoding: m.encoding,
    parts: m.parts,
    characters: m.characters,
    scheduledAt: m.scheduled_at ?? null,
    expiresAt: m.expires_at,
  };
}
