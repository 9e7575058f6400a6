import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponses, searchText } from '../../http/schemas.js';
import { CreateOrgUnitSchema, OrgUnitSchema, UpdateOrgUnitSchema } from './org-units.schemas.js';
import { browseOrgUnits, changeOrgUnit, createOrgUnit, getOrgUnit } from './org-units.usecases.js';

export function orgUnitRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Org units'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/org-units',
      tags,
      summary: 'List the org units you can see',
      security: SECURED,
      request: { query: z.object({ q: searchText(deps.config.maxSearchLength) }) },
      responses: { 200: jsonContent(z.object({ items: z.array(OrgUnitSchema) })), ...problemResponses },
    }),
    async (c) => {
      const items = await browseOrgUnits({ db, principal: principalOf(c), q: c.req.valid('query').q });
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/org-units',
      tags,
      summary: 'Create an org unit',
      security: SECURED,
      request: { body: jsonBody(CreateOrgUnitSchema) },
      responses: { 201: jsonContent(OrgUnitSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const unit = await createOrgUnit({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        input: c.req.valid('json'),
      });
      return c.json(unit, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/org-units/{id}',
      tags,
      summary: 'Get one org unit',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(OrgUnitSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await getOrgUnit({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/org-units/{id}',
      tags,
      summary: 'Change an org unit (name, parent, region, time zone, sending enabled)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(UpdateOrgUnitSchema) },
      responses: { 200: jsonContent(OrgUnitSchema), ...problemResponses },
    }),
    async (c) => {
      const unit = await changeOrgUnit({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        id: c.req.valid('param').id,
        patch: c.req.valid('json'),
      });
      return c.json(unit, 200);
    },
  );
  return app;
}
