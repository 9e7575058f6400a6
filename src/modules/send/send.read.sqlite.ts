import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OrgUnitRow } from '../org-units/org-units.repository.js';
import type { UnitRoute } from './send.repository.js';

/**
 * The reads of the one-message send path on SQLite, as statements prepared once per connection: Kysely
 * would build and compile each query again per request, which cost more than running it. They must
 * never see another caller's uncommitted transaction: they run at once when no transaction is open on
 * the connection (a synchronous statement cannot interleave with anything), else once Kysely's single
 * connection is free (`connection()`) — without queueing behind every query the worker has pending.
 */
export function whenNoTransaction<T>(
  kysely: Kysely<Database>,
  db: SqliteDatabase.Database,
  fn: () => T,
): Promise<T> {
  if (!db.inTransaction) {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return kysely.connection().execute(async () => fn());
}

interface Statements {
  unit: SqliteDatabase.Statement;
  consent: SqliteDatabase.Statement;
}

const prepared = new WeakMap<SqliteDatabase.Database, Statements>();

function statements(db: SqliteDatabase.Database): Statements {
  let s = prepared.get(db);
  if (!s) {
    s = {
      // The unit and, when it has one, its sender configuration and that configuration's primary account.
      unit: db.prepare(
        `select u.id, u.parent_id, u.name, u.default_region, u.timezone, u.sending_enabled,
                u.sender_config_id, u.consent_required_categories, u.max_text_length,
                u.created_at, u.updated_at,
                s.id as r_sender_config_id, s.sender_id as r_sender_id,
                a.id as r_provider_account_id, a.max_parts as r_max_parts,
                a.price_per_part as r_price_per_part, a.currency as r_currency,
                a.shift_tables as r_shift_tables
           from org_units u
           left join sender_configs s on s.id = u.sender_config_id
           left join provider_accounts a on a.id = s.provider_account_id
          where u.id = ?`,
      ),
      consent: db.prepare('select state from consent_states where e164 = ?'),
    };
    prepared.set(db, s);
  }
  return s;
}

interface UnitRouteRow extends OrgUnitRow {
  r_sender_config_id: string | null;
  r_sender_id: string | null;
  r_provider_account_id: string | null;
  r_max_parts: number | null;
  r_price_per_part: number | null;
  r_currency: string | null;
  r_shift_tables: string | null;
}

/** An org unit and its route (its own sender configuration's primary account), in one statement. */
export function unitWithRouteSqlite(
  kysely: Kysely<Database>,
  db: SqliteDatabase.Database,
  orgUnitId: string,
): Promise<{ unit: OrgUnitRow; route: UnitRoute | null } | undefined> {
  return whenNoTransaction(kysely, db, () => {
    const row = statements(db).unit.get(orgUnitId) as UnitRouteRow | undefined;
    if (!row) return undefined;
    const {
      r_sender_config_id,
      r_sender_id,
      r_provider_account_id,
      r_max_parts,
      r_price_per_part,
      r_currency,
      r_shift_tables,
      ...unit
    } = row;
    const route: UnitRoute | null =
      r_sender_config_id && r_provider_account_id
        ? {
            senderConfigId: r_sender_config_id,
            senderId: r_sender_id!,
            providerAccountId: r_provider_account_id,
            maxParts: r_max_parts!,
            pricePerPart: r_price_per_part,
            currency: r_currency,
            shiftTables: JSON.parse(r_shift_tables ?? '[]') as string[],
          }
        : null;
    return { unit, route };
  });
}

/** The consent state of one number (undefined: none recorded). */
export function consentStateSqlite(
  kysely: Kysely<Database>,
  db: SqliteDatabase.Database,
  e164: string,
): Promise<string | undefined> {
  return whenNoTransaction(kysely, db, () => {
    const row = statements(db).consent.get(e164) as { state: string } | undefined;
    return row?.state;
  });
}
