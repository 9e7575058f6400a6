import { createRoute, z } from '@hono/zod-openapi';
import { auditRequest } from '../../http/audit.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponses } from '../../http/schemas.js';
import { ApiKeySchema, CreateApiKeySchema, CreatedApiKeySchema } from './api-keys.schemas.js';
import { browseApiKeys, createApiKey, revokeApiKey } from './api-keys.usecases.js';

export function apiKeyRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['API keys'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys',
      tags,
      summary: 'List API keys (secrets are never shown again)',
      security: SECURED,
      responses: { 200: jsonContent(z.object({ items: z.array(ApiKeySchema) })), ...problemResponses },
    }),
    async (c) => c.json({ items: await browseApiKeys({ db, principal: principalOf(c) }) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys',
      tags,
      summary: 'Create an API key scoped to permissions and org units; the key is in this response only',
      security: SECURED,
      request: { body: jsonBody(CreateApiKeySchema) },
      responses: { 201: jsonContent(CreatedApiKeySchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const principal = principalOf(c);
      const created = await createApiKey({ db, clock: deps.clock, principal, input: c.req.valid('json') });
      await auditRequest(deps, c, {
        type: 'api_key_created',
        target: `api_key:${created.id}`,
        details: {
          prefix: created.prefix,
          permissions: created.permissions,
          orgUnitIds: created.orgUnitIds,
        },
      });
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      tags,
      summary: 'Revoke an API key (it stops working at once; the record stays for the audit)',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(ApiKeySchema), ...problemResponses },
    }),
    async (c) => {
      const principal = principalOf(c);
      const key = await revokeApiKey({ db, clock: deps.clock, principal, id: c.req.valid('param').id });
      await auditRequest(deps, c, {
        type: 'api_key_revoked',
        target: `api_key:${key.id}`,
      });
      return c.json(key, 200);
    },
  );
  return app;
}
