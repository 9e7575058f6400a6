import { createRoute, z } from '@hono/zod-openapi';
import { auditRequest } from '../../http/audit.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { cursorParam, IdParam, limitParam, problemResponses, searchText } from '../../http/schemas.js';
import { CreateUserSchema, UpdateUserSchema, UserSchema } from './users.schemas.js';
import { browseUsers, changeUser, createUser, getUser } from './users.usecases.js';

export function userRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Users'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      tags,
      summary: 'List users of your org units',
      security: SECURED,
      request: {
        query: z.object({
          q: searchText(deps.config.maxSearchLength),
          limit: limitParam,
          cursor: cursorParam,
        }),
      },
      responses: {
        200: jsonContent(z.object({ items: z.array(UserSchema), nextCursor: z.string().nullable() })),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { q, limit, cursor } = c.req.valid('query');
      return c.json(
        await browseUsers({ db, principal: principalOf(c), query: { search: q, limit, cursor } }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags,
      summary: 'Create a user',
      security: SECURED,
      request: { body: jsonBody(CreateUserSchema) },
      responses: { 201: jsonContent(UserSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const principal = principalOf(c);
      const user = await createUser({ db, clock: deps.clock, principal, input: c.req.valid('json') });
      await auditRequest(deps, c, {
        type: 'user_created',
        target: `user:${user.id}`,
        details: { roles: user.roles, orgUnitIds: user.orgUnitIds },
      });
      return c.json(user, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}',
      tags,
      summary: 'Get one user',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(UserSchema), ...problemResponses },
    }),
    async (c) => c.json(await getUser({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      tags,
      summary: 'Change a user (name, password, roles, org units, active)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(UpdateUserSchema) },
      responses: { 200: jsonContent(UserSchema), ...problemResponses },
    }),
    async (c) => {
      const principal = principalOf(c);
      const patch = c.req.valid('json');
      const user = await changeUser({ db, clock: deps.clock, principal, id: c.req.valid('param').id, patch });
      await auditRequest(deps, c, {
        type: 'user_updated',
        target: `user:${user.id}`,
        details: { changed: Object.keys(patch) },
      });
      return c.json(user, 200);
    },
  );
  return app;
}
