import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { KEYWORD_REPLY_CATEGORY } from '../../core/consent.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import { type CountryCode, parsePhone } from '../../core/phone/index.js';
import type { Database } from '../../db/database.js';
import {
  type CallbackRequest,
  type InboundSms,
  normalizeGatewayId,
  type ProviderDeps,
} from '../../providers/provider.contract.js';
import type { Principal } from '../auth/auth.permissions.js';
import { consentStates } from '../consent/consent.repository.js';
import { recordConsentEvent } from '../consent/consent.usecases.js';
import { applyMessageStatus } from '../delivery-reports/delivery-reports.apply.js';
import type { EventBus, HeraldEvent } from '../events/events.bus.js';
import { type CommittedStatusChange, publishStatusChanges } from '../events/events.publish.js';
import {
  findProviderAccount,
  findProviderAccountByCallbackToken,
  type ProviderAccountRow,
} from '../gateways/gateways.repository.js';
import { gatewaySecretBox } from '../gateways/gateways.secrets.js';
import { openProvider, requireGatewayAdmin } from '../gateways/gateways.usecases.js';
import type { OrgUnitRow } from '../org-units/org-units.repository.js';
import { expandWithDescendants } from '../org-units/org-units.scope.js';
import { effectiveKeywordSettings, matchKeyword, renderReply } from './inbound.keywords.js';
import { lockNumber } from './inbound.lock.postgres.js';
import {
  deleteJoinedParts,
  findPart,
  insertPart,
  isComplete,
  joinParts,
  lockPartSet,
  markPartsJoined,
  type PartRow,
  type PartSet,
  partSetOf,
  pruneJoinedParts,
  staleSets,
  waitingParts,
} from './inbound.parts.js';
import { queueKeywordReply, type ReplyRoute } from './inbound.reply.js';
import {
  addressKey,
  contactByNumber,
  helpRepliedSince,
  inboundIdByGatewayId,
  insertInbound,
  keywordOverrides,
  lastMessageTo,
  orgUnitById,
  rootOrgUnit,
  type SenderCandidate,
  senderConfigsOfAccount,
  unitsSendingThrough,
  updateInbound,
} from './inbound.repository.js';
import type { InboundMessageTable, InboundPartTable, KeywordEffect } from './inbound.table.js';

export interface InboundDeps {
  db: Kysely<Database>;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  config: Config;
}

/**
 * The sender's number in E.164. Gateways write it in international form, often without the `+`
 * (`4915123456789`, Vonage's msisdn, SMPP's source_addr): digits not starting with a trunk `0` are read
 * as international first (`00…` too); anything else (`0151…`, `+49 151…`) with the unit's region.
 */
function parseSender(from: string, region: string): string | null {
  const digits = from.replace(/[\s()./-]/g, '');
  if (/^(00)?[1-9][0-9]{6,14}$/.test(digits)) {
    const q = parsePhone(`+${digits.replace(/^00/, '')}`);
    if (q.ok) return q.e164;
  }
  const p = parsePhone(from, region as CountryCode);
  return p.ok ? p.e164 : null;
}

/** Which org unit an inbound message belongs to; see `resolveOrgUnit`. */
interface Placement {
  unit: OrgUnitRow;
  /** How it was found (kept in the log line; documented in docs/inbound.md). */
  rule: 'sender' | 'last_message' | 'root';
  fromE164: string | null;
  lastMessageId: string | null;
  route: ReplyRoute;
}

/**
 * The org unit of an inbound message:
 * 1. the unit whose sender configuration sends through this account from the address the message was
 *    sent to (several: the one that last sent to this number, else the oldest);
 * 2. else the unit of the last message sent to that number through this account;
 * 3. else the root unit.
 * The reply route is the matching sender configuration; else the unit's own configuration when it
 * uses this account; else any configuration of this account with that sender id; else the address the
 * message was sent to, as the sender id.
 */
async function resolveOrgUnit(
  db: Kysely<Database>,
  account: ProviderAccountRow,
  sms: InboundSms,
): Promise<Placement | null> {
  const toKey = addressKey(sms.to);
  const candidates = await unitsSendingThrough(db, account.id);
  const matching = candidates.filter((c) => addressKey(c.senderId) === toKey);
  const root = await rootOrgUnit(db);
  // The number is parsed with the region of the unit it most likely belongs to.
  const guessRegion = async (c: SenderCandidate | undefined) =>
    (c ? await orgUnitById(db, c.orgUnitId) : root)?.default_region ?? 'US';
  const fromE164 = parseSender(sms.from, await guessRegion(matching[0] ?? candidates[0]));

  const viaAccount = fromE164
    ? await lastMessageTo(db, fromE164, { providerAccountId: account.id })
    : undefined;
  let chosen: SenderCandidate | undefined;
  let rule: Placement['rule'];
  let unitId: string | undefined;
  if (matching.length > 0) {
    rule = 'sender';
    const last =
      matching.length > 1 && fromE164
        ? await lastMessageTo(db, fromE164, {
            providerAccountId: account.id,
            orgUnitIds: matching.map((m) => m.orgUnitId),
          })
        : undefined;
    chosen = matching.find((m) => m.orgUnitId === last?.org_unit_id) ?? matching[0]!;
    unitId = chosen.orgUnitId;
  } else if (viaAccount) {
    rule = 'last_message';
    unitId = viaAccount.org_unit_id;
  } else {
    rule = 'root';
    unitId = root?.id;
  }
  if (!unitId) return null;
  const unit = await orgUnitById(db, unitId);
  if (!unit) return null;

  let route: ReplyRoute;
  if (chosen) route = { senderConfigId: chosen.senderConfigId, senderId: chosen.senderId };
  else {
    const own = candidates.find((c) => c.orgUnitId === unit.id);
    const configs = own ? [] : await senderConfigsOfAccount(db, account.id);
    const sameAddress = configs.find((c) => addressKey(c.sender_id) === toKey);
    route = own
      ? { senderConfigId: own.senderConfigId, senderId: own.senderId }
      : sameAddress
        ? { senderConfigId: sameAddress.id, senderId: sameAddress.sender_id }
        : { senderConfigId: null, senderId: sms.to.trim() };
  }
  const lastMessageId = fromE164
    ? (viaAccount?.id ?? (await lastMessageTo(db, fromE164, { orgUnitIds: [unit.id] }))?.id ?? null)
    : null;
  return { unit, rule, fromE164, lastMessageId, route };
}

/** The units a contact may belong to: the inbound message's unit and everything below it. */
async function unitAndBelow(db: Kysely<Database>, unitId: string) {
  const units = await db.selectFrom('org_units').select(['id', 'parent_id']).execute();
  return { all: false as const, ids: expandWithDescendants([unitId], units) };
}

/** At most one help text per number and account in this window (HELP is answered, a loop is not). */
export const HELP_REPLY_INTERVAL_MS = 10 * 60_000;

interface KeywordOutcome {
  keyword: string | null;
  keyword_action: InboundMessageTable['keyword_action'];
  keyword_effect: KeywordEffect | null;
  consent_event_id: string | null;
  reply_message_id: string | null;
}

const NO_KEYWORD: KeywordOutcome = {
  keyword: null,
  keyword_action: null,
  keyword_effect: null,
  consent_event_id: null,
  reply_message_id: null,
};

/**
 * Keyword replies to `e164` still waiting to be sent (an opt-in confirmation, a help text), blocked with
 * reason `opted_out`: they are the only messages the send-time consent check lets through to a number
 * that opted out, so an opt-out must stop them here ("blocked from then on, including messages already
 * queued"). A reply already being submitted is not stopped. In the caller's transaction; the changes
 * are published after its commit.
 */
async function blockPendingKeywordReplies(
  deps: { db: Kysely<Database>; clock: Clock },
  e164: string,
  inboundId: string,
  changes: CommittedStatusChange[],
): Promise<void> {
  const pending = await deps.db
    .selectFrom('messages')
    .select('id')
    .where('to_e164', '=', e164)
    .where('category', '=', KEYWORD_REPLY_CATEGORY)
    .where('status', 'in', ['scheduled', 'queued'])
    .execute();
  for (const m of pending) {
    const r = await applyMessageStatus({
      db: deps.db,
      clock: deps.clock,
      messageId: m.id,
      to: 'blocked',
      source: 'system',
      reason: 'opted_out',
      details: { inboundMessageId: inboundId },
    });
    if (r.applied) changes.push(r.change);
  }
}

/**
 * Applies a keyword, in the caller's transaction: STOP-like → opt-out (consent event, source
 * `keyword`, evidence = the inbound id), keyword replies still queued for the number blocked, and one
 * confirmation; already opted out → nothing more.
 * START-like → opt-in and a confirmation; already opted in → nothing more. YES → the same as START,
 * but only for a number that opted out. HELP → the help text.
 */
async function applyKeyword(
  deps: InboundDeps & { db: Kysely<Database> },
  p: {
    account: ProviderAccountRow;
    placement: Placement;
    inboundId: string;
    text: string;
    receivedAt: string;
    /** Status changes of messages this keyword stopped, to publish after the commit. */
    changes: CommittedStatusChange[];
  },
): Promise<KeywordOutcome> {
  const { unit, fromE164, route } = p.placement;
  const stored = await keywordOverrides(deps.db, unit.id);
  const settings = effectiveKeywordSettings(unit.default_region, stored?.overrides ?? null);
  const match = matchKeyword(p.text, settings.keywords);
  if (!match) return NO_KEYWORD;
  const base = { keyword: match.keyword, keyword_action: match.action };
  if (!fromE164) return { ...NO_KEYWORD, ...base, keyword_effect: 'no_number' };

  const reply = async (text: string) =>
    queueKeywordReply({
      db: deps.db,
      clock: deps.clock,
      config: deps.config,
      unit,
      account: p.account,
      route,
      to: fromE164,
      text: renderReply(text, unit.name),
      inboundId: p.inboundId,
    });
  const consent = async (state: 'opted_in' | 'opted_out') =>
    (
      await recordConsentEvent({
        db: deps.db,
        clock: deps.clock,
        event: {
          e164: fromE164,
          state,
          source: 'keyword',
          actor: { type: 'inbound', id: p.inboundId },
          evidence: {
            inboundMessageId: p.inboundId,
            keyword: match.keyword,
            providerAccountId: p.account.id,
            receivedAt: p.receivedAt,
          },
        },
      })
    ).id;

  await lockNumber(deps.db, fromE164);
  if (match.action === 'help') {
    // An auto-responder answering our help text with "HELP" would otherwise loop (and cost) forever.
    const since = new Date(deps.clock.now().getTime() - HELP_REPLY_INTERVAL_MS).toISOString();
    if (await helpRepliedSince(deps.db, fromE164, p.account.id, since, p.inboundId)) {
      return { ...NO_KEYWORD, ...base, keyword_effect: 'help_throttled' };
    }
    return {
      ...NO_KEYWORD,
      ...base,
      keyword_effect: 'help_sent',
      reply_message_id: await reply(settings.replies.help),
    };
  }
  const current = (await consentStates(deps.db, [fromE164])).get(fromE164) ?? 'unknown';
  if (match.action === 'opt_out') {
    if (current === 'opted_out') return { ...NO_KEYWORD, ...base, keyword_effect: 'already_opted_out' };
    const eventId = await consent('opted_out');
    await blockPendingKeywordReplies(deps, fromE164, p.inboundId, p.changes);
    return {
      ...base,
      keyword_effect: 'opted_out',
      consent_event_id: eventId,
      reply_message_id: await reply(settings.replies.optOut),
    };
  }
  if (match.action === 'opt_in_if_opted_out' && current !== 'opted_out') {
    return { ...NO_KEYWORD, ...base, keyword_effect: 'not_opted_out' };
  }
  if (current === 'opted_in') return { ...NO_KEYWORD, ...base, keyword_effect: 'already_opted_in' };
  const eventId = await consent('opted_in');
  return {
    ...base,
    keyword_effect: 'opted_in',
    consent_event_id: eventId,
    reply_message_id: await reply(settings.replies.optIn),
  };
}

type StoreResult =
  | 'duplicate'
  | 'unplaced'
  | 'waiting'
  | {
      id: string;
      orgUnitId: string;
      rule: Placement['rule'];
      outcome: KeywordOutcome;
      changes: CommittedStatusChange[];
      incomplete: boolean;
    };

/**
 * Stores one whole message (arrived whole, or joined from its parts) in the caller's transaction: the
 * row (dropped as a duplicate when the account already stored that gateway message id), its org unit,
 * contact and last message, and — unless the message is an incomplete set of parts — the keyword's
 * consent event and reply.
 */
async function storeMessage(
  deps: InboundDeps,
  trx: Kysely<Database>,
  account: ProviderAccountRow,
  sms: InboundSms,
  now: string,
  parts?: { total: number; received: number },
): Promise<StoreResult> {
  const receivedAt = validTime(sms.receivedAt) ?? now;
  const changes: CommittedStatusChange[] = [];
  const placement = await resolveOrgUnit(trx, account, sms);
  if (!placement) return 'unplaced';
  const id = newId();
  const gatewayId =
    sms.gatewayMessageId !== undefined && sms.gatewayMessageId.trim() !== ''
      ? normalizeGatewayId(sms.gatewayMessageId)
      : null;
  const contactId = placement.fromE164
    ? ((await contactByNumber(trx, placement.fromE164, await unitAndBelow(trx, placement.unit.id))) ?? null)
    : null;
  const isNew = await insertInbound(trx, {
    id,
    provider_account_id: account.id,
    gateway_message_id: gatewayId,
    from_input: sms.from,
    from_e164: placement.fromE164,
    to_address: sms.to,
    text: sms.text,
    received_at: receivedAt,
    stored_at: now,
    org_unit_id: placement.unit.id,
    contact_id: contactId,
    last_message_id: placement.lastMessageId,
    parts_total: parts?.total ?? null,
    parts_received: parts?.received ?? null,
    ...NO_KEYWORD,
  });
  if (!isNew) return 'duplicate';
  const incomplete = parts !== undefined && parts.received < parts.total;
  // The text of an incomplete set is a fragment: a keyword in it is not what the sender wrote.
  const outcome = incomplete
    ? NO_KEYWORD
    : await applyKeyword(
        { ...deps, db: trx },
        { account, placement, inboundId: id, text: sms.text, receivedAt, changes },
      );
  if (outcome.keyword !== null) await updateInbound(trx, id, outcome);
  return { id, orgUnitId: placement.unit.id, rule: placement.rule, outcome, changes, incomplete };
}

/** Stores the waiting parts of a set as one message (all there, or flushed incomplete) and marks them. */
async function storeSet(
  deps: InboundDeps,
  trx: Kysely<Database>,
  account: ProviderAccountRow,
  set: PartSet,
  rows: readonly PartRow[],
  now: string,
): Promise<StoreResult> {
  const total = Math.max(...rows.map((r) => r.total));
  const result = await storeMessage(deps, trx, account, joinParts(rows), now, {
    total,
    received: rows.length,
  });
  if (result === 'unplaced') return result;
  // A duplicate (the joined message's gateway id is stored already) still uses the parts up: they are
  // marked with the message stored before.
  const joinedId =
    typeof result === 'string'
      ? ((await inboundIdByGatewayId(trx, account.id, joinParts(rows).gatewayMessageId)) ?? 'duplicate')
      : result.id;
  await markPartsJoined(trx, set, joinedId);
  return result;
}

/**
 * One part of a long message, in the caller's transaction: stored in `inbound_parts` (a replayed part
 * is a duplicate); when it completes its set, the joined message is stored. A part whose reference the
 * sender used again for a new message (another gateway id than the stored part) ends the old set
 * first: joined parts are forgotten, waiting ones stored as an incomplete message.
 */
async function receivePart(
  deps: InboundDeps,
  trx: Kysely<Database>,
  account: ProviderAccountRow,
  sms: InboundSms & { concat: NonNullable<InboundSms['concat']> },
  now: string,
): Promise<StoreResult[]> {
  const set = partSetOf(account.id, sms);
  await lockPartSet(trx, set);
  const gatewayId =
    sms.gatewayMessageId !== undefined && sms.gatewayMessageId.trim() !== ''
      ? normalizeGatewayId(sms.gatewayMessageId)
      : null;
  const row: InboundPartTable = {
    provider_account_id: account.id,
    sender: set.sender,
    concat_ref: set.ref,
    part: sms.concat.part,
    total: sms.concat.total,
    from_input: sms.from,
    to_address: sms.to,
    gateway_message_id: gatewayId,
    text: sms.text,
    received_at: validTime(sms.receivedAt) ?? now,
    stored_at: now,
    inbound_id: null,
  };
  const out: StoreResult[] = [];
  if (!(await insertPart(trx, row))) {
    const existing = await findPart(trx, set, row.part);
    const reused =
      existing !== undefined &&
      gatewayId !== null &&
      existing.gateway_message_id !== null &&
      existing.gateway_message_id !== gatewayId;
    if (!reused) return ['duplicate'];
    if (existing.inbound_id === null)
      out.push(await storeSet(deps, trx, account, set, await waitingParts(trx, set), now));
    await deleteJoinedParts(trx, set);
    await insertPart(trx, row);
  }
  const waiting = await waitingParts(trx, set);
  if (!isComplete(waiting, row.total)) return [...out, 'waiting'];
  out.push(
    await storeSet(
      deps,
      trx,
      account,
      set,
      waiting.filter((r) => r.part <= row.total),
      now,
    ),
  );
  return out;
}

/** Stale sets flushed per receive; the rest wait for the next one. */
const FLUSH_LIMIT = 20;

/**
 * Stores the sets of parts that have waited longer than `HERALD_INBOUND_PARTS_WINDOW_HOURS` as one
 * message each, with the parts that arrived (marked incomplete, keywords not acted on), so nothing is
 * lost; forgets parts of joined messages after twice the window. Run by the sweeper
 * (`startInboundPartsSweeper`); `receiveInbound` runs only the flush (`flushStaleSets`).
 */
export async function flushWaitingParts(deps: InboundDeps): Promise<{ stored: number }> {
  const windowMs = deps.config.inboundPartsWindowHours * 3_600_000;
  await pruneJoinedParts(deps.db, new Date(deps.clock.now().getTime() - 2 * windowMs).toISOString());
  return flushStaleSets(deps);
}

/**
 * Stores the sets of parts older than the window, before a receive adds parts to them (a late part
 * then starts a set of its own instead of completing a set that is already due).
 */
async function flushStaleSets(deps: InboundDeps): Promise<{ stored: number }> {
  const windowMs = deps.config.inboundPartsWindowHours * 3_600_000;
  const cutoff = new Date(deps.clock.now().getTime() - windowMs).toISOString();
  let stored = 0;
  for (const set of await staleSets(deps.db, cutoff, FLUSH_LIMIT)) {
    const account = await findProviderAccount(deps.db, set.providerAccountId);
    if (!account) continue;
    const now = deps.clock.now().toISOString();
    const results = await deps.db.transaction().execute(async (trx) => {
      await lockPartSet(trx, set);
      const rows = await waitingParts(trx, set);
      // Joined or flushed meanwhile by another process, or a newer set under the same reference.
      if (rows.length === 0 || !rows.some((r) => r.stored_at < cutoff)) return [];
      return [await storeSet(deps, trx, account, set, rows, now)];
    });
    stored += await afterCommit(deps, account, results, now);
  }
  return { stored };
}

/** Logs and publishes what a committed transaction stored; returns how many messages. */
async function afterCommit(
  deps: InboundDeps,
  account: ProviderAccountRow,
  results: readonly StoreResult[],
  now: string,
): Promise<number> {
  let stored = 0;
  for (const r of results) {
    if (r === 'unplaced') {
      deps.logger.error('inbound message dropped: no org unit exists', { providerAccountId: account.id });
      continue;
    }
    if (typeof r === 'string') continue;
    stored++;
    deps.logger.info('inbound message stored', {
      inboundId: r.id,
      providerAccountId: account.id,
      orgUnitId: r.orgUnitId,
      rule: r.rule,
      keywordAction: r.outcome.keyword_action,
      keywordEffect: r.outcome.keyword_effect,
      ...(r.incomplete && { incomplete: true }),
    });
    const event: HeraldEvent = {
      type: 'inbound.received',
      eventId: r.id,
      inboundId: r.id,
      orgUnitId: r.orgUnitId,
      keywordAction: r.outcome.keyword_action,
      at: now,
    };
    await deps.bus.publish([event]);
    await publishStatusChanges({ db: deps.db, bus: deps.bus, clock: deps.clock, changes: r.changes });
  }
  return stored;
}

/**
 * Stores inbound messages that one provider account received (from its inbound callback, or over its
 * own connection through the worker's sink) and acts on keywords. Each message in its own transaction:
 * the row (dropped as a duplicate when the account already stored that gateway message id — a replayed
 * callback is processed once), its org unit, contact and last message, and the keyword's consent event
 * and reply. A part of a long message (`concat`) waits in `inbound_parts` until its set is complete and
 * is then stored joined (see `receivePart`); sets waiting too long are flushed first
 * (`flushStaleSets`). After each commit, `inbound.received` is published on the bus. A message whose
 * org unit cannot be found (no org unit exists at all) is logged and not stored.
 */
export async function receiveInbound(
  deps: InboundDeps,
  account: ProviderAccountRow,
  messages: readonly InboundSms[],
): Promise<{ stored: number; duplicates: number }> {
  const out = { stored: 0, duplicates: 0 };
  await flushStaleSets(deps);
  for (const sms of messages) {
    const now = deps.clock.now().toISOString();
    const concat = sms.concat;
    const results = await deps.db
      .transaction()
      .execute(async (trx) =>
        concat && concat.total > 1
          ? receivePart(deps, trx, account, { ...sms, concat }, now)
          : [await storeMessage(deps, trx, account, sms, now)],
      );
    out.duplicates += results.filter((r) => r === 'duplicate').length;
    out.stored += await afterCommit(deps, account, results, now);
  }
  return out;
}

function validTime(at: string | undefined): string | null {
  if (!at) return null;
  const t = new Date(at);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

/**
 * Handles an inbound SMS posted to an account's inbound URL (`/api/callbacks/{token}/inbound`): finds
 * the account by its token, lets its adapter verify and parse the request, then stores the messages.
 * Nothing is written when the token, signature or payload is bad. Returns what to answer the gateway.
 */
export async function receiveInboundCallback(
  deps: InboundDeps & { providerDeps?: Partial<ProviderDeps> },
  token: string,
  request: CallbackRequest,
): Promise<{ stored: number; duplicates: number; ack: { contentType: string; body: string } | null }> {
  const account = await findProviderAccountByCallbackToken(deps.db, token);
  if (!account) throw new AppError('callback.not_found', 'Not found.');
  // The box opens the account's sealed credentials (signature keys such as Twilio's auth token).
  const provider = openProvider(account, deps.providerDeps, gatewaySecretBox(deps.config));
  let parsed: ReturnType<NonNullable<typeof provider.parseInbound>>;
  const ack = provider.inboundAck ?? null;
  try {
    if (!provider.parseInbound) {
      throw new AppError(
        'inbound.not_supported',
        'This gateway does not receive inbound messages over HTTP.',
      );
    }
    parsed = provider.parseInbound(request);
  } finally {
    await provider.close();
  }
  if (!parsed.ok) {
    deps.logger.warn('inbound callback refused', { providerAccountId: account.id, reason: parsed.reason });
    throw parsed.reason === 'invalid_signature'
      ? new AppError('callback.invalid_signature', 'The signature is not valid.')
      : new AppError('callback.invalid_payload', 'The message could not be read.');
  }
  const result = await receiveInbound(deps, account, parsed.messages);
  return { ...result, ack };
}

/**
 * The simulator account a simulated handset sends to, and the address it sends to: `to` when given,
 * else the account's first sender id (`Herald` when it has none). Refuses other gateways.
 */
export async function simulatorTarget(
  db: Kysely<Database>,
  providerAccountId: string,
  to: string | undefined,
): Promise<{ account: ProviderAccountRow; to: string }> {
  const account = await findProviderAccount(db, providerAccountId);
  if (!account) throw new AppError('gateway.not_found', 'No such gateway.', { id: providerAccountId });
  if (account.kind !== 'simulator') {
    throw new AppError('inbound.not_supported', 'Only simulator gateways have simulated handsets.');
  }
  return { account, to: to ?? (await senderConfigsOfAccount(db, account.id))[0]?.sender_id ?? 'Herald' };
}

/**
 * Makes a simulated handset send an SMS to a simulator gateway account (for demos and trying keywords
 * from the web app): the same path as a real inbound message, without the HTTP round trip. Only system
 * managers (it acts for any org unit), only simulator accounts. Returns the stored message's id, or
 * `null` when it was a duplicate of a gateway message id given before.
 */
export async function simulateInbound(
  deps: InboundDeps & { principal: Principal },
  input: { providerAccountId: string; from: string; to?: string; text: string; gatewayMessageId?: string },
): Promise<{ id: string | null }> {
  requireGatewayAdmin(deps.principal);
  const { account, to } = await simulatorTarget(deps.db, input.providerAccountId, input.to);
  const gatewayMessageId = input.gatewayMessageId ?? `simin-${newId()}`;
  const result = await receiveInbound(deps, account, [
    { gatewayMessageId, from: input.from, to, text: input.text },
  ]);
  if (result.stored === 0) return { id: null };
  const row = await deps.db
    .selectFrom('inbound_messages')
    .select('id')
    .where('provider_account_id', '=', account.id)
    .where('gateway_message_id', '=', normalizeGatewayId(gatewayMessageId))
    .executeTakeFirst();
  return { id: row?.id ?? null };
}
