import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import type { DialectName } from '../../db/dialect.js';
import { requireOrgUnits, requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { aggregateMessages, gatewayPrices, type MessageStatsGroup } from './stats.repository.js';

/** Statuses whose message reached the handset. */
const DELIVERED = new Set(['delivered']);
/** Final statuses of messages that were tried and did not arrive (the delivery rate's failures). */
const NOT_DELIVERED = new Set(['undelivered', 'rejected', 'failed', 'status_timeout', 'expired']);
/** Statuses of messages a gateway took: their parts are the parts used (and billed). */
const GATEWAY_TOOK = new Set(['accepted', 'sent', 'delivered', 'undelivered', 'status_timeout']);

/** The longest period one request may cover. */
export const MAX_STATS_DAYS = 400;

export interface StatsQuery {
  from: string;
  to: string;
  orgUnitId?: string | undefined;
  gatewayId?: string | undefined;
  tzOffsetMinutes: number;
}

export interface Cost {
  amount: number;
  currency: string;
}

/** Figures of one slice (a day, an org unit, a gateway, or the whole period). */
export interface StatsFigures {
  messages: number;
  delivered: number;
  notDelivered: number;
  blocked: number;
  /** Neither final nor blocked: scheduled, queued, sending, unknown, accepted, sent. */
  pending: number;
  /** delivered / (delivered + notDelivered); null when nothing has a final outcome yet. */
  deliveryRate: number | null;
  /** Parts of messages a gateway took (accepted, sent, delivered, undelivered, status timeout). */
  partsUsed: number;
  /** partsUsed × the gateway's price per part, per currency (minor units); gateways without a price count nothing. */
  cost: Cost[];
}

export interface MessageStats {
  from: string;
  to: string;
  tzOffsetMinutes: number;
  totals: StatsFigures;
  /** Every day of the period (days without messages included), with counts per status. */
  days: (StatsFigures & { day: string; byStatus: Record<string, number> })[];
  orgUnits: (StatsFigures & { orgUnitId: string })[];
  gateways: (StatsFigures & { gatewayId: string | null; name: string | null })[];
}

type Price = { pricePerPart: number | null; currency: string | null };

class Acc {
  messages = 0;
  delivered = 0;
  notDelivered = 0;
  blocked = 0;
  pending = 0;
  partsUsed = 0;
  cost = new Map<string, number>();
  byStatus: Record<string, number> = {};

  add(g: MessageStatsGroup, price: Price | undefined) {
    this.messages += g.messages;
    this.byStatus[g.status] = (this.byStatus[g.status] ?? 0) + g.messages;
    if (DELIVERED.has(g.status)) this.delivered += g.messages;
    else if (NOT_DELIVERED.has(g.status)) this.notDelivered += g.messages;
    else if (g.status === 'blocked') this.blocked += g.messages;
    else if (g.status !== 'canceled') this.pending += g.messages;
    if (GATEWAY_TOOK.has(g.status)) {
      this.partsUsed += g.parts;
      if (price?.pricePerPart != null && price.currency) {
        this.cost.set(price.currency, (this.cost.get(price.currency) ?? 0) + g.parts * price.pricePerPart);
      }
    }
  }

  figures(): StatsFigures {
    const decided = this.delivered + this.notDelivered;
    return {
      messages: this.messages,
      delivered: this.delivered,
      notDelivered: this.notDelivered,
      blocked: this.blocked,
      pending: this.pending,
      deliveryRate: decided === 0 ? null : this.delivered / decided,
      partsUsed: this.partsUsed,
      cost: [...this.cost].map(([currency, amount]) => ({ currency, amount })),
    };
  }
}

const DAY_MS = 86_400_000;

/** The calendar days (viewer's offset) from `from` up to but not including `to`. */
function daysOf(from: string, to: string, offsetMinutes: number): string[] {
  const shift = offsetMinutes * 60_000;
  const first = Date.parse(new Date(Date.parse(from) + shift).toISOString().slice(0, 10));
  const end = Date.parse(to) + shift;
  const out: string[] = [];
  for (let d = first; d < end; d += DAY_MS) out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/**
 * Messages of a period: per day and status, per org unit and per gateway, with delivery rate, parts
 * used and cost. Only the caller's org units count; a named org unit must be one of them.
 */
export async function messageStats({
  db,
  dialect,
  principal,
  query,
}: {
  db: Kysely<Database>;
  dialect: DialectName;
  principal: Principal;
  query: StatsQuery;
}): Promise<MessageStats> {
  requirePermission(principal, 'messages.read');
  if (query.orgUnitId) requireOrgUnits(principal, [query.orgUnitId]);
  const from = new Date(query.from);
  const to = new Date(query.to);
  if (!(to.getTime() > from.getTime())) {
    throw new AppError('validation.failed', '`to` must be later than `from`.', {
      issues: [{ path: ['to'], message: 'must be later than from' }],
    });
  }
  if (to.getTime() - from.getTime() > MAX_STATS_DAYS * DAY_MS) {
    throw new AppError('validation.failed', `The period may be at most ${MAX_STATS_DAYS} days.`, {
      issues: [{ path: ['from'], message: `at most ${MAX_STATS_DAYS} days before to` }],
    });
  }
  const groups = await aggregateMessages(db, dialect, {
    scope: principal.orgScope,
    from: from.toISOString(),
    to: to.toISOString(),
    orgUnitId: query.orgUnitId,
    gatewayId: query.gatewayId,
    offsetMinutes: query.tzOffsetMinutes,
  });
  const accountIds = [...new Set(groups.map((g) => g.providerAccountId).filter((id): id is string => !!id))];
  const accounts = new Map((await gatewayPrices(db, accountIds)).map((a) => [a.id, a]));

  const totals = new Acc();
  const days = new Map(
    daysOf(from.toISOString(), to.toISOString(), query.tzOffsetMinutes).map((d) => [d, new Acc()]),
  );
  const units = new Map<string, Acc>();
  const gateways = new Map<string | null, Acc>();
  const accOf = <K>(m: Map<K, Acc>, k: K) => m.get(k) ?? m.set(k, new Acc()).get(k)!;
  for (const g of groups) {
    const price = g.providerAccountId ? accounts.get(g.providerAccountId) : undefined;
    totals.add(g, price);
    accOf(days, g.day).add(g, price);
    accOf(units, g.orgUnitId).add(g, price);
    accOf(gateways, g.providerAccountId).add(g, price);
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    tzOffsetMinutes: query.tzOffsetMinutes,
    totals: totals.figures(),
    days: [...days]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, a]) => ({ day, ...a.figures(), byStatus: a.byStatus })),
    orgUnits: [...units].map(([orgUnitId, a]) => ({ orgUnitId, ...a.figures() })),
    gateways: [...gateways].map(([gatewayId, a]) => ({
      gatewayId,
      name: gatewayId ? (accounts.get(gatewayId)?.name ?? null) : null,
      ...a.figures(),
    })),
  };
}
