import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../core/errors.js';
import { auditRequest } from '../../http/audit.js';
import type { AppDeps } from '../../http/http.types.js';
import { clientIp, principalOf, SESSION_COOKIE } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { problemResponses } from '../../http/schemas.js';
import { findUserById } from '../users/users.repository.js';
import type { Principal, Role } from './auth.permissions.js';
import { LoginSchema, MeSchema, SetupSchema } from './auth.schemas.js';
import { completeSetup, isSetupNeeded, login, logout } from './auth.usecases.js';

export function authRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const secureCookie = deps.config.baseUrl.startsWith('https://');

  const me = async (p: Principal) => {
    const user = p.kind === 'user' ? await findUserById(db, p.userId) : undefined;
    return {
      kind: p.kind,
      id: p.id,
      name: p.name,
      ...(user ? { roles: JSON.parse(user.roles) as Role[] } : {}),
      permissions: [...p.permissions].sort(),
      orgUnits: p.orgScope.all ? ('all' as const) : [...p.orgScope.ids].sort(),
      ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/setup',
      tags: ['Setup'],
      summary: 'Whether the first administrator still has to be created',
      responses: { 200: jsonContent(z.object({ needed: z.boolean() })) },
    }),
    async (c) => c.json({ needed: await isSetupNeeded(db) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/setup',
      tags: ['Setup'],
      summary: 'Create the first administrator and the first org unit (only once, on a new install)',
      request: { body: jsonBody(SetupSchema) },
      responses: {
        201: jsonContent(z.object({ userId: z.string(), orgUnitId: z.string() }), 'Created'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const result = await completeSetup({ db, clock: deps.clock, input });
      await auditRequest(deps, c, {
        type: 'setup_completed',
        actor: { type: 'user', id: result.userId },
        target: `user:${result.userId}`,
      });
      return c.json(result, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      tags: ['Auth'],
      summary: 'Log in with email and password; sets the session cookie and returns the CSRF token',
      request: { body: jsonBody(LoginSchema) },
      responses: { 200: jsonContent(MeSchema), ...problemResponses },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const ip = clientIp(c);
      try {
        const r = await login({
          db,
          clock: deps.clock,
          email,
          password,
          ttlHours: deps.config.sessionTtlHours,
          ip,
          userAgent: c.req.header('user-agent') ?? null,
        });
        setCookie(c, SESSION_COOKIE, r.token, {
          httpOnly: true,
          sameSite: 'Lax',
          secure: secureCookie,
          path: '/',
          expires: new Date(r.expiresAt),
        });
        await auditRequest(deps, c, {
          type: 'login',
          actor: { type: 'user', id: r.principal.id },
        });
        return c.json(await me(r.principal), 200);
      } catch (e) {
        if (e instanceof AppError && e.code === 'auth.invalid_credentials') {
          await auditRequest(deps, c, {
            type: 'login_failed',
            actor: { type: 'anonymous' },
            // The attempted email helps spot credential stuffing; the password never leaves this function.
            details: { email: email.toLowerCase().slice(0, 254), reason: e.details?.reason },
          });
        }
        throw e;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      tags: ['Auth'],
      summary: 'End the browser session',
      security: SECURED,
      responses: { 204: { description: 'Logged out' }, ...problemResponses },
    }),
    async (c) => {
      principalOf(c); // only a logged-in caller can log out
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await logout({ db, token });
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      await auditRequest(deps, c, {
        type: 'logout',
      });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/me',
      tags: ['Auth'],
      summary: 'Who am I: permissions, org units and (for sessions) the CSRF token',
      security: SECURED,
      responses: { 200: jsonContent(MeSchema), ...problemResponses },
    }),
    async (c) => c.json(await me(principalOf(c)), 200),
  );
  return app;
}
