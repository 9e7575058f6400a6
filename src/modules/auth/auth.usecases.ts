import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { installDefaultGateway } from '../gateways/gateways.defaults.js';
import { insertOrgUnit } from '../org-units/org-units.repository.js';
import { countUsers, findUserByEmail, findUserById, insertUser } from '../users/users.repository.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './auth.passwords.js';
import type { Principal } from './auth.permissions.js';
import { principalOfUser } from './auth.principal.js';
import type { SetupInput } from './auth.schemas.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

export async function isSetupNeeded(db: Kysely<Database>): Promise<boolean> {
  const fact = await db
    .selectFrom('instance_facts')
    .select('key')
    .where('key', '=', 'setup_completed')
    .executeTakeFirst();
  return fact === undefined && (await countUsers(db)) === 0;
}

/**
 * First start: creates the first administrator (a system manager) and the first org unit, once, with the
 * default simulator gateway and sender configuration attached to that unit.
 * A second call — even a concurrent one — fails with `setup.already_done` (the fact's primary key decides).
 */
export async function completeSetup({
  db,
  clock,
  input,
}: {
  db: Kysely<Database>;
  clock: Clock;
  input: SetupInput;
}): Promise<{ userId: string; orgUnitId: string }> {
  if (!(await isSetupNeeded(db))) throw new AppError('setup.already_done', 'Herald is already set up.');
  const passwordHash = await hashPassword(input.password);
  const now = clock.now().toISOString();
  const userId = newId();
  const orgUnitId = newId();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('instance_facts')
        .values({ key: 'setup_completed', value: userId, created_at: now })
        .execute();
      if ((await countUsers(trx)) > 0) throw new AppError('setup.already_done', 'Herald is already set up.');
      await insertOrgUnit(trx, {
        id: orgUnitId,
        parent_id: null,
        name: input.orgUnit.name,
        default_region: input.orgUnit.defaultRegion,
        timezone: input.orgUnit.timezone,
        sending_enabled: true,
        sender_config_id: null,
        created_at: now,
        updated_at: now,
      });
      await installDefaultGateway(trx, { now, orgUnitId });
      await insertUser(
        trx,
        {
          id: userId,
          email: input.email,
          name: input.name,
          password_hash: passwordHash,
          roles: JSON.stringify(['system_manager']),
          active: true,
          created_at: now,
          updated_at: now,
        },
        [orgUnitId],
      );
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (!(await isSetupNeeded(db))) throw new AppError('setup.already_done', 'Herald is already set up.');
    throw e;
  }
  return { userId, orgUnitId };
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: string;
  principal: Principal;
}

/** Checks the password (constant work for unknown emails) and opens a session. */
export async function login({
  db,
  clock,
  email,
  password,
  ttlHours,
  ip,
  userAgent,
}: {
  db: Kysely<Database>;
  clock: Clock;
  email: string;
  password: string;
  ttlHours: number;
  ip: string | null;
  userAgent: string | null;
}): Promise<LoginResult> {
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password);
  if (!user || !ok || !user.active) {
    throw new AppError('auth.invalid_credentials', 'The email or password is not correct.', {
      reason: !user ? 'unknown_email' : !ok ? 'wrong_password' : 'inactive',
    });
  }
  const token = randomToken();
  const csrfToken = randomToken();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000).toISOString();
  await db
    .insertInto('sessions')
    .values({
      id: sha256(token),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      last_seen_at: now.toISOString(),
      ip,
      user_agent: userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, csrfToken, expiresAt, principal: await principalOfUser(db, user, csrfToken) };
}

/** The principal of a session cookie, or null when the session is unknown, expired or its user inactive. */
export async function principalOfSession({
  db,
  clock,
  token,
  ttlHours,
}: {
  db: Kysely<Database>;
  clock: Clock;
  token: string;
  ttlHours: number;
}): Promise<Principal | null> {
  const id = sha256(token);
  const session = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  const now = clock.now();
  if (!session || session.expires_at <= now.toISOString()) return null;
  const user = await findUserById(db, session.user_id);
  if (!user?.active) return null;
  // Sliding expiry, written at most once a minute to keep reads cheap.
  if (now.getTime() - new Date(session.last_seen_at).getTime() > 60_000) {
    await db
      .updateTable('sessions')
      .set({
        last_seen_at: now.toISOString(),
        expires_at: new Date(now.getTime() + ttlHours * 3_600_000).toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }
  return principalOfUser(db, user, session.csrf_token);
}

export async function logout({ db, token }: { db: Kysely<Database>; token: string }): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sha256(token)).execute();
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
