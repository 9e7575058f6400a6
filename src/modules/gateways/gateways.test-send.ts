import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { analyzeText, type ShiftLanguage } from '../../core/encoding/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import { parsePhone } from '../../core/phone/index.js';
import type { SecretBox } from '../../core/secrets.js';
import type { Database } from '../../db/database.js';
import { submitWithTimeout } from '../../dispatch/dispatch.submit.js';
import type { FetchLike, ProviderSink } from '../../providers/provider.contract.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { consentStates } from '../consent/consent.repository.js';
import type { TestSend, TestSendResult } from './gateways.schemas.js';
import { callbackUrlFor, findVisibleGateway, openProvider } from './gateways.usecases.js';

/** Test sends per account per {@link TEST_SEND_WINDOW_MS}, counted from the audit log (all API nodes). */
export const TEST_SEND_LIMIT = 5;
export const TEST_SEND_WINDOW_MS = 60_000;

/** The audit entry type of a test send; its `target` is `gateway:<account id>`. */
export const TEST_SEND_EVENT = 'gateway_test_send';
export const gatewayTarget = (id: string) => `gateway:${id}`;

/** At most this much of an adapter's failure text is returned (it is meant to be short already). */
const MAX_TEXT = 200;

/** A text safe to show: one line, no control characters, bounded. */
const safeText = (s: string) =>
  [...s]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f ? ' ' : ch;
    })
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, MAX_TEXT);

export interface TestSendDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  principal: Principal;
  baseUrl: string;
  box: SecretBox;
  net: { fetch: FetchLike; guardHost: (host: string) => Promise<string> };
  submitTimeoutMs: number;
}

/**
 * Throws `gateway.test_send_limited` (with `retryAfterSeconds`) when the account had
 * {@link TEST_SEND_LIMIT} test sends within the window.
 */
async function checkTestSendRate(db: Kysely<Database>, clock: Clock, accountId: string): Promise<void> {
  const since = new Date(clock.now().getTime() - TEST_SEND_WINDOW_MS).toISOString();
  const recent = await db
    .selectFrom('security_events')
    .select('occurred_at')
    .where('type', '=', TEST_SEND_EVENT)
    .where('target', '=', gatewayTarget(accountId))
    .where('occurred_at', '>', since)
    .orderBy('occurred_at')
    .execute();
  if (recent.length < TEST_SEND_LIMIT) return;
  const oldest = Date.parse(recent[recent.length - TEST_SEND_LIMIT]!.occurred_at);
  const retryAfterSeconds = Math.max(
    1,
    Math.ceil((oldest + TEST_SEND_WINDOW_MS - clock.now().getTime()) / 1000),
  );
  throw new AppError(
    'gateway.test_send_limited',
    `At most ${TEST_SEND_LIMIT} test sends per gateway per minute; try again in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
  );
}

/**
 * Sends one SMS straight through the account's adapter (no queue, no retries, nothing stored in the
 * message log) and returns its typed outcome: `{ ok, gatewayId, status }`, or `{ ok: false, class,
 * code, text }` with the adapter's short text — never the gateway's raw answer. The adapter gets the
 * guarded fetch and host guard (SSRF policy) like the worker's. A number that opted out is refused.
 * Delivery reports of a test send match no message: they are kept as unmatched reports and expire.
 */
export async function testSendGateway(
  deps: TestSendDeps & { id: string; input: TestSend },
): Promise<TestSendResult> {
  const { db, clock, principal, id, input } = deps;
  requirePermission(principal, 'gateways.manage');
  // Any account the principal sees: its units' own, those above them, and shared ones (sending a test
  // through a shared gateway shows none of its settings).
  const account = await findVisibleGateway(db, principal, id);
  const to = parsePhone(input.to);
  if (!to.ok || input.to.trim()[0] !== '+') {
    throw new AppError('validation.failed', 'to: expected a number in E.164 such as +4915123456789', {
      issues: [{ path: ['to'], message: 'expected a number in E.164 such as +4915123456789' }],
    });
  }
  if ((await consentStates(db, [to.e164])).get(to.e164) === 'opted_out') {
    throw new AppError('gateway.test_send_refused', 'This number opted out; Herald does not send to it.', {
      reason: 'opted_out',
    });
  }
  const analysis = analyzeText(input.text, {
    shiftTables: JSON.parse(account.shift_tables) as ShiftLanguage[],
  });
  if (analysis.parts.length > account.max_parts) {
    throw new AppError(
      'message.too_many_parts',
      `The text needs ${analysis.parts.length} parts; this gateway sends at most ${account.max_parts}.`,
      { parts: analysis.parts.length, maxParts: account.max_parts },
    );
  }
  await checkTestSendRate(db, clock, account.id);
  const from = input.from ?? (await defaultSenderId(db, account.id));
  // Receipts that arrive on an adapter's own connection during a test send belong to no message.
  const sink: ProviderSink = {
    reports: async (r) => deps.logger.info('test send: delivery reports dropped', { count: r.length }),
    inbound: async (m) => deps.logger.info('test send: inbound messages dropped', { count: m.length }),
  };
  const provider = openProvider(
    account,
    {
      clock,
      fetch: deps.net.fetch,
      guardHost: deps.net.guardHost,
      sink,
      log: (level, msg, fields) =>
        deps.logger[level](msg, { ...fields, providerAccountId: account.id, testSend: true }),
    },
    deps.box,
  );
  const messageId = newId();
  try {
    const outcome = await submitWithTimeout(
      provider,
      {
        id: messageId,
        to: to.e164,
        from,
        text: analysis.text,
        encoding: analysis.encoding,
        parts: analysis.parts,
        validityUntil: new Date(clock.now().getTime() + 3_600_000),
        callbackUrl: callbackUrlFor(deps.baseUrl, account.callback_token),
      },
      deps.submitTimeoutMs,
    );
    return outcome.ok
      ? {
          ok: true,
          messageId,
          gatewayId: outcome.gatewayId,
          status: outcome.status,
          parts: analysis.parts.length,
          ...(outcome.partIds ? { partIds: [...outcome.partIds] } : {}),
        }
      : {
          ok: false,
          messageId,
          class: outcome.class,
          code: safeText(outcome.code).slice(0, 64),
          text: safeText(outcome.text),
          parts: analysis.parts.length,
          ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
        };
  } finally {
    await provider.close();
  }
}

/** The sender id of a sender configuration that uses the account, else `Herald`. */
async function defaultSenderId(db: Kysely<Database>, accountId: string): Promise<string> {
  const row = await db
    .selectFrom('sender_configs')
    .select('sender_id')
    .where('provider_account_id', '=', accountId)
    .orderBy('name')
    .executeTakeFirst();
  return row?.sender_id ?? 'Herald';
}
