import type { Insertable } from 'kysely';
import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Db } from '../../src/db/db.js';
import type { Sleep } from '../../src/dispatch/dispatch.context.js';
import type { ProviderOpener } from '../../src/dispatch/dispatch.providers.js';
import { dispatchDb } from '../../src/dispatch/dispatch.tables.js';
import { createWorker, type WorkerDeps } from '../../src/dispatch/dispatch.worker.js';
import type { EventBus, HeraldEvent } from '../../src/modules/events/events.bus.js';
import type { MessageTable } from '../../src/modules/messages/messages.table.js';
import type {
  OutboundMessage,
  Provider,
  ReportStatus,
  SendOutcome,
} from '../../src/providers/provider.contract.js';

/** One call of a test gateway's `send`. */
export interface GatewayCall {
  messageId: string;
  accountId: string;
  /** Epoch ms on the clock the gateway was given (the test's clock by default). */
  at: number;
  message: OutboundMessage;
}

export type GatewayScript = (call: GatewayCall, n: number) => SendOutcome | Promise<SendOutcome>;

const accepted = (n: number): SendOutcome => ({ ok: true, gatewayId: `00GW${n}X`, status: 'accepted' });

/**
 * A gateway adapter for tests, opened through the worker's `providers` factory: records every submit
 * and answers as `script` says (default: accepted, with a gateway id that has leading zeros and upper
 * case, so normalisation shows).
 */
export function testGateway(
  opts: {
    script?: GatewayScript;
    clock?: Clock;
    statusQuery?: (q: { messageId: string; gatewayId: string | null }) => Promise<ReportStatus | null>;
  } = {},
) {
  const calls: GatewayCall[] = [];
  const opener: ProviderOpener = (account) => {
    const provider: Provider & { queryStatus?: typeof opts.statusQuery } = {
      kind: 'simulator',
      capabilities: {
        unicode: true,
        shiftTables: [],
        maxParts: 10,
        deliveryReports: true,
        statusQuery: opts.statusQuery !== undefined,
        inbound: false,
        throughputUnit: 'messages',
      },
      async send(message) {
        const call = {
          messageId: message.id,
          accountId: account.id,
          at: (opts.clock ?? { now: () => new Date() }).now().getTime(),
          message,
        };
        calls.push(call);
        return opts.script ? opts.script(call, calls.length) : accepted(calls.length);
      },
      parseDeliveryReport: () => ({ ok: false, reason: 'invalid_payload' }),
      async close() {},
      ...(opts.statusQuery ? { queryStatus: opts.statusQuery } : {}),
    };
    return provider;
  };
  return {
    opener,
    calls,
    submissionsOf: (messageId: string) => calls.filter((c) => c.messageId === messageId).length,
  };
}

/**
 * Virtual time for a worker: `sleep(ms)` waits until the test clock reaches `now + ms`, and the clock
 * jumps to the earliest wake-up once the sleepers have had a moment (a real millisecond) to queue up, so
 * concurrent waits overlap instead of adding up. Nothing waits in real time.
 */
export const clockSleep = (clock: Clock & { set(d: Date | string): void }): Sleep => {
  const sleepers: { at: number; wake: () => void }[] = [];
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    if (sleepers.length === 0) return;
    sleepers.sort((a, b) => a.at - b.at);
    const first = sleepers[0]!.at;
    if (first > clock.now().getTime()) clock.set(new Date(first));
    const now = clock.now().getTime();
    for (const s of sleepers.filter((x) => x.at <= now)) {
      sleepers.splice(sleepers.indexOf(s), 1);
      s.wake();
    }
    if (sleepers.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(tick, 1);
  };
  return (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const entry = { at: clock.now().getTime() + Math.max(0, Math.ceil(ms)), wake: resolve };
      sleepers.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          const i = sleepers.indexOf(entry);
          if (i >= 0) sleepers.splice(i, 1);
          resolve();
        },
        { once: true },
      );
      schedule();
    });
};

/** A worker on a test database with the given settings (environment names), silent, jitter fixed at ½. */
export function testWorker(
  deps: Pick<WorkerDeps, 'db' | 'clock' | 'bus'> & Partial<WorkerDeps>,
  env: Record<string, string> = {},
) {
  return createWorker({
    logger: silentLogger,
    config: loadConfig({ HERALD_LOG_LEVEL: 'silent', ...env }),
    random: () => 0.5,
    ...deps,
  });
}

/** The unit's route, read back (provider account, sender configuration, sender id). */
export async function routeOf(db: Db, orgUnitId: string) {
  return db.kysely
    .selectFrom('org_units as u')
    .innerJoin('sender_configs as s', 's.id', 'u.sender_config_id')
    .select([
      's.id as senderConfigId',
      's.provider_account_id as providerAccountId',
      's.sender_id as senderId',
    ])
    .where('u.id', '=', orgUnitId)
    .executeTakeFirstOrThrow();
}

let seq = 0;

/**
 * Queued messages written straight into the table with the unit's route, as the send path writes them
 * (due just before `now`, in creation order; `expires_at` 48 h after `now`). Returns their ids in
 * creation order.
 */
export async function queueMessages(
  db: Db,
  orgUnitId: string,
  count: number,
  opts: { now: string; over?: Partial<Insertable<MessageTable>> },
): Promise<string[]> {
  const route = await routeOf(db, orgUnitId);
  const rows: Insertable<MessageTable>[] = [];
  for (let i = 0; i < count; i++) {
    seq++;
    const number = `+4915${String(100000000 + seq).slice(-9)}`;
    rows.push({
      id: newId(),
      org_unit_id: orgUnitId,
      batch_id: null,
      contact_id: null,
      phone_id: null,
      to_input: number,
      to_e164: number,
      body: `Hello number ${seq}`,
      encoding: 'GSM-7',
      parts: 1,
      characters: 16,
      category: 'transactional',
      status: 'queued',
      status_reason: null,
      sender_config_id: route.senderConfigId,
      provider_account_id: route.providerAccountId,
      sender_id: route.senderId,
      gateway_message_id: null,
      attempts: 0,
      scheduled_at: null,
      // A millisecond apart, so the claim order (due_at, id) is the creation order.
      due_at: new Date(Date.parse(opts.now) - (count - i)).toISOString(),
      expires_at: new Date(Date.parse(opts.now) + 48 * 3_600_000).toISOString(),
      created_by_type: 'user',
      created_by_id: 'test',
      created_at: opts.now,
      updated_at: opts.now,
      ...opts.over,
    });
  }
  for (let i = 0; i < rows.length; i += 500) {
    await db.kysely
      .insertInto('messages')
      .values(rows.slice(i, i + 500))
      .execute();
  }
  return rows.map((r) => r.id);
}

/** Every message's dispatch-relevant columns, by id. */
export async function messageRows(db: Db) {
  const rows = await dispatchDb(db.kysely)
    .selectFrom('messages')
    .select([
      'id',
      'status',
      'status_reason',
      'attempts',
      'throttled_count',
      'due_at',
      'lease_until',
      'leased_by',
      'submit_started_at',
      'submitted_at',
      'gateway_message_id',
      'provider_account_id',
      'error_code',
      'error_text',
    ])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function historyOf(db: Db, messageId: string) {
  const rows = await db.kysely
    .selectFrom('message_events')
    .select(['from_status', 'to_status', 'applied', 'reason', 'source', 'details'])
    .where('message_id', '=', messageId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    applied: Boolean(r.applied),
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}

/** Collects the bus's events. */
export function collectEvents(bus: EventBus): HeraldEvent[] {
  const seen: HeraldEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return seen;
}

/** Sets a provider account's throughput limit. */
export async function setRate(db: Db, providerAccountId: string, perSecond: number) {
  await db.kysely
    .updateTable('provider_accounts')
    .set({ messages_per_second: perSecond })
    .where('id', '=', providerAccountId)
    .execute();
}

/** Adds a second provider account and makes it the fallback of the unit's sender configuration. */
export async function addFallback(db: Db, orgUnitId: string): Promise<string> {
  const route = await routeOf(db, orgUnitId);
  const id = `pa-fallback-${++seq}`;
  const now = '2026-11-22T00:00:00.000Z';
  await db.kysely
    .insertInto('provider_accounts')
    .values({
      id,
      name: `Fallback ${seq}`,
      kind: 'simulator',
      settings: '{}',
      messages_per_second: 50,
      max_parts: 10,
      price_per_part: null,
      currency: null,
      shift_tables: '[]',
      callback_token: `cb-fallback-${seq}-${Math.random().toString(36).slice(2)}`,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.kysely
    .updateTable('sender_configs')
    .set({ fallback_provider_account_id: id })
    .where('id', '=', route.senderConfigId)
    .execute();
  return id;
}

/** Largest number of calls inside any window [t, t + windowMs). `times` in ms. */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * An org unit with its own gateway account and sender configuration, written directly (for databases
 * that did not go through the first-start setup). `settings`: the account's adapter settings.
 */
export async function seedUnit(
  db: Db,
  opts: { messagesPerSecond?: number; settings?: Record<string, unknown>; kind?: string } = {},
): Promise<{ orgUnitId: string; providerAccountId: string; senderConfigId: string }> {
  seq++;
  const now = '2026-11-22T00:00:00.000Z';
  const orgUnitId = `u-seed-${seq}`;
  const providerAccountId = `pa-seed-${seq}`;
  const senderConfigId = `sc-seed-${seq}`;
  await db.kysely
    .insertInto('provider_accounts')
    .values({
      id: providerAccountId,
      name: `Seeded gateway ${seq}`,
      kind: opts.kind ?? 'simulator',
      settings: JSON.stringify(opts.settings ?? {}),
      messages_per_second: opts.messagesPerSecond ?? 1000,
      max_parts: 10,
      price_per_part: null,
      currency: null,
      shift_tables: '[]',
      callback_token: `cb-seed-${seq}-${Math.random().toString(36).slice(2)}`,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.kysely
    .insertInto('sender_configs')
    .values({
      id: senderConfigId,
      name: `Seeded sender ${seq}`,
      provider_account_id: providerAccountId,
      fallback_provider_account_id: null,
      sender_id: 'Herald',
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.kysely
    .insertInto('org_units')
    .values({
      id: orgUnitId,
      parent_id: null,
      name: `Seeded unit ${seq}`,
      default_region: 'DE',
      timezone: 'Europe/Berlin',
      sending_enabled: true,
      sender_config_id: senderConfigId,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { orgUnitId, providerAccountId, senderConfigId };
}

/** Polls `check` every 50 ms (real time) until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what = 'condition') {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Counts of messages by status. */
export async function statusCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.kysely
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
