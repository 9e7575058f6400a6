import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DialectName } from '../../db/dialect.js';
import type { OrgScope } from '../auth/auth.permissions.js';
import { inOrgScope } from '../org-units/org-units.scope.js';
import { dayOfCreatedAtPostgres } from './stats.day.postgres.js';
import { dayOfCreatedAtSqlite } from './stats.day.sqlite.js';

/** One group of the aggregate: messages of one day, status, org unit and gateway account. */
export interface MessageStatsGroup {
  day: string;
  status: string;
  orgUnitId: string;
  providerAccountId: string | null;
  messages: number;
  parts: number;
}

export interface MessageStatsFilter {
  scope: OrgScope;
  /** Inclusive lower bound of `created_at` (ISO-8601). */
  from: string;
  /** Exclusive upper bound of `created_at` (ISO-8601). */
  to: string;
  orgUnitId?: string | undefined;
  gatewayId?: string | undefined;
  /** The viewer's offset from UTC in minutes: days are the viewer's calendar days. */
  offsetMinutes: number;
}

/**
 * Messages created in [from, to) grouped by day, status, org unit and gateway account, counted and
 * their parts summed by the database (one GROUP BY; the answer has at most days × statuses × units ×
 * gateways rows however many messages there are). The range condition uses `created_at` alone, so the
 * messages' `created_at` indexes serve it.
 */
export async function aggregateMessages(
  db: Kysely<Database>,
  dialect: DialectName,
  f: MessageStatsFilter,
): Promise<MessageStatsGroup[]> {
  const day =
    dialect === 'postgres' ? dayOfCreatedAtPostgres(f.offsetMinutes) : dayOfCreatedAtSqlite(f.offsetMinutes);
  let qb = db
    .selectFrom('messages')
    .select((eb) => [
      day.as('day'),
      'messages.status as status',
      'messages.org_unit_id as orgUnitId',
      'messages.provider_account_id as providerAccountId',
      eb.fn.countAll<string | number>().as('messages'),
      eb.fn.sum<string | number | null>('messages.parts').as('parts'),
    ])
    .where('messages.created_at', '>=', f.from)
    .where('messages.created_at', '<', f.to)
    .where(inOrgScope(f.scope, 'messages.org_unit_id'));
  if (f.orgUnitId) qb = qb.where('messages.org_unit_id', '=', f.orgUnitId);
  if (f.gatewayId) qb = qb.where('messages.provider_account_id', '=', f.gatewayId);
  const rows = await qb
    .groupBy([day, 'messages.status', 'messages.org_unit_id', 'messages.provider_account_id'])
    .orderBy(day)
    .execute();
  // PostgreSQL answers count/sum as bigint/numeric strings.
  return rows.map((r) => ({
    day: r.day,
    status: r.status,
    orgUnitId: r.orgUnitId,
    providerAccountId: r.providerAccountId,
    messages: Number(r.messages),
    parts: Number(r.parts ?? 0),
  }));
}

/** Name and price of the gateway accounts that appear in the groups. */
export async function gatewayPrices(
  db: Kysely<Database>,
  ids: string[],
): Promise<{ id: string; name: string; pricePerPart: number | null; currency: string | null }[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('provider_accounts')
    .select(['id', 'name', 'price_per_part as pricePerPart', 'currency'])
    .where('id', 'in', ids)
    .execute();
}
