import { loadConfig } from '../../src/config/config.js';
import { fixedClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Db } from '../../src/db/db.js';
import type { DialectName } from '../../src/db/dialect.js';
import { createTestDb } from '../../src/db/test-dialects.js';
import { createApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createMemoryBus } from '../../src/modules/events/events.bus.js';

export const ADMIN = {
  email: 'admin@example.com',
  name: 'Ada Admin',
  password: 'correct horse battery staple',
};

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** A real app on a fresh, migrated database of the given dialect, with a controllable clock. */
export async function createTestApp(dialect: DialectName, env: Record<string, string> = {}) {
  const db: Db = await createTestDb(dialect);
  const clock = fixedClock('2026-11-22T09:00:00.000Z');
  const config = loadConfig({ HERALD_LOG_LEVEL: 'silent', ...env });
  const bus = createMemoryBus();
  const app = createApp({
    db,
    config,
    clock,
    bus,
    logger: silentLogger,
    metrics: createMetrics({ defaults: false }),
  });

  const request = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return app.request(path, { ...init, headers, body });
  };

  /** Logs in and returns headers that act as that browser session (cookie + CSRF token). */
  const loginAs = async (email: string, password: string) => {
    const res = await request('/api/auth/login', { method: 'POST', json: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await res.json()) as { csrfToken: string; id: string };
    return { cookie, 'x-csrf-token': me.csrfToken, userId: me.id };
  };

  /** Completes first-start setup and logs the administrator in. */
  const setupAdmin = async () => {
    const res = await request('/api/setup', {
      method: 'POST',
      json: { ...ADMIN, orgUnit: { name: 'Head Office', defaultRegion: 'DE', timezone: 'Europe/Berlin' } },
    });
    if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
    const { orgUnitId } = (await res.json()) as { orgUnitId: string };
    const session = await loginAs(ADMIN.email, ADMIN.password);
    return {
      orgUnitId,
      session,
      headers: { cookie: session.cookie, 'x-csrf-token': session['x-csrf-token'] },
    };
  };

  /** Row counts of every table: "nothing was written" means these do not change. */
  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of [
      'org_units',
      'users',
      'user_org_units',
      'sessions',
      'api_keys',
      'instance_facts',
    ] as const) {
      const r = await db.kysely
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[t] = Number(r.n);
    }
    return out;
  };

  return { app, db, bus, clock, config, request, loginAs, setupAdmin, counts, close: () => db.close() };
}
