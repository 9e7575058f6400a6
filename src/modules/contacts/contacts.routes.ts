import { createRoute, z } from '@hono/zod-openapi';
import type { Config } from '../../config/config.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf, type RawBodyRoute } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponses } from '../../http/schemas.js';
import { exportContactsCsv } from './contacts.export.js';
import { contactImportRoutes } from './contacts.import.routes.js';
import {
  ContactSchema,
  CreateContactSchema,
  contactFilterQuery,
  contactListQuery,
  UpdateContactSchema,
} from './contacts.schemas.js';
import {
  browseContacts,
  changeContact,
  createContact,
  getContact,
  removeContact,
} from './contacts.usecases.js';

/** The import upload is the one API route with a raw body: CSV, streamed, with its own size limit. */
export const contactImportBodyRoute = (config: Pick<Config, 'importMaxBytes'>): RawBodyRoute => ({
  method: 'POST',
  path: '/api/contacts/imports',
  contentType: /^text\/csv\s*(;|$)/i,
  limitBytes: config.importMaxBytes,
});

export function contactRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Contacts'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contacts',
      tags,
      summary: 'Search contacts (name, phone, party, kind, department, branch, org unit, status)',
      security: SECURED,
      request: { query: contactListQuery(deps.config.maxSearchLength) },
      responses: {
        200: jsonContent(z.object({ items: z.array(ContactSchema), nextCursor: z.string().nullable() })),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(await browseContacts({ db, principal: principalOf(c), query: c.req.valid('query') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/contacts',
      tags,
      summary: 'Create a contact with its phone numbers',
      security: SECURED,
      request: { body: jsonBody(CreateContactSchema) },
      responses: { 201: jsonContent(ContactSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const contact = await createContact({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        input: c.req.valid('json'),
      });
      return c.json(contact, 201);
    },
  );

  // Registered before /contacts/{id}, which would otherwise take "export.csv" for an id.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/export.csv',
      tags,
      summary: 'Export the contacts matching the filters as CSV (formula-safe, streamed)',
      security: SECURED,
      request: { query: contactFilterQuery(deps.config.maxSearchLength) },
      responses: {
        200: { description: 'CSV, UTF-8 with BOM', content: { 'text/csv': { schema: z.string() } } },
        ...problemResponses,
      },
    }),
    async (c) => {
      const stream = await exportContactsCsv({
        db,
        principal: principalOf(c),
        search: c.req.valid('query'),
        logger: deps.logger,
      });
      return c.body(stream, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="contacts.csv"',
        'cache-control': 'no-store',
      });
    },
  );

  app.route('/', contactImportRoutes(deps));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}',
      tags,
      summary: 'Get one contact with its phone numbers',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(ContactSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await getContact({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/contacts/{id}',
      tags,
      summary: 'Change a contact (phones, when given, replace all of its phones)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(UpdateContactSchema) },
      responses: { 200: jsonContent(ContactSchema), ...problemResponses },
    }),
    async (c) => {
      const contact = await changeContact({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        id: c.req.valid('param').id,
        patch: c.req.valid('json'),
      });
      return c.json(contact, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/contacts/{id}',
      tags,
      summary: 'Delete a contact and its phones (messages keep their own copy of the number)',
      security: SECURED,
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      await removeContact({ db, principal: principalOf(c), id: c.req.valid('param').id });
      return c.body(null, 204);
    },
  );
  return app;
}
