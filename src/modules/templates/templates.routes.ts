import { createRoute, z } from '@hono/zod-openapi';
import { CONTACT_ATTRIBUTE_PREFIX, STANDARD_VARIABLES } from '../../core/template/index.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponses } from '../../http/schemas.js';
import { requirePermission } from '../auth/auth.guard.js';
import {
  CreateTemplateSchema,
  PreviewRequestSchema,
  PreviewResultSchema,
  StandardVariableSchema,
  TemplateSchema,
  templateListQuery,
  UpdateTemplateSchema,
} from './templates.schemas.js';
import {
  browseTemplates,
  changeTemplate,
  createTemplate,
  getTemplate,
  previewText,
  removeTemplate,
} from './templates.usecases.js';

export function templateRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Templates'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates',
      tags,
      summary: 'List the templates (standard texts) of your org units, with the counter of each',
      security: SECURED,
      request: { query: templateListQuery(deps.config.maxSearchLength) },
      responses: {
        200: jsonContent(z.object({ items: z.array(TemplateSchema), nextCursor: z.string().nullable() })),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(await browseTemplates({ db, principal: principalOf(c), query: c.req.valid('query') }), 200),
  );

  // Before /templates/{id}, which would otherwise take "variables" for an id.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates/variables',
      tags,
      summary:
        'The variables a template may use (contact attributes come on top, as contact.attributes.<key>)',
      security: SECURED,
      responses: {
        200: jsonContent(z.object({ items: z.array(StandardVariableSchema), attributePrefix: z.string() })),
        ...problemResponses,
      },
    }),
    async (c) => {
      requirePermission(principalOf(c), 'templates.read');
      return c.json({ items: [...STANDARD_VARIABLES], attributePrefix: CONTACT_ATTRIBUTE_PREFIX }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/templates/preview',
      tags,
      summary: 'Render a text or a saved template with sample or contact data, with characters and SMS parts',
      security: SECURED,
      request: { body: jsonBody(PreviewRequestSchema) },
      responses: { 200: jsonContent(PreviewResultSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await previewText({ db, principal: principalOf(c), input: c.req.valid('json') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/templates',
      tags,
      summary: 'Create a template in an org unit (name unique per unit, ignoring case)',
      security: SECURED,
      request: { body: jsonBody(CreateTemplateSchema) },
      responses: { 201: jsonContent(TemplateSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const template = await createTemplate({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        input: c.req.valid('json'),
      });
      return c.json(template, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates/{id}',
      tags,
      summary: 'Get one template',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(TemplateSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await getTemplate({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/templates/{id}',
      tags,
      summary: 'Change a template (name, category, body)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(UpdateTemplateSchema) },
      responses: { 200: jsonContent(TemplateSchema), ...problemResponses },
    }),
    async (c) => {
      const template = await changeTemplate({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        id: c.req.valid('param').id,
        patch: c.req.valid('json'),
      });
      return c.json(template, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/templates/{id}',
      tags,
      summary: 'Delete a template (messages already sent with it keep their text)',
      security: SECURED,
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      await removeTemplate({ db, principal: principalOf(c), id: c.req.valid('param').id });
      return c.body(null, 204);
    },
  );
  return app;
}
