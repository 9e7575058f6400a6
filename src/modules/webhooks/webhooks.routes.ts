import { createRoute, z } from '@hono/zod-openapi';
import { createSecretBox } from '../../core/secrets.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponses } from '../../http/schemas.js';
import {
  CreateWebhookSchema,
  DeliveryParams,
  DeliverySchema,
  deliveryListQuery,
  UpdateWebhookSchema,
  WebhookSchema,
  WebhookWithSecretSchema,
  webhookListQuery,
} from './webhooks.schemas.js';
import { systemLookup, type UrlPolicy } from './webhooks.ssrf.js';
import {
  browseDeliveries,
  browseWebhooks,
  changeWebhook,
  createWebhook,
  getWebhook,
  redeliver,
  removeWebhook,
  rotateWebhookSecret,
  sendTestEvent,
} from './webhooks.usecases.js';
import { deliverDepsFromConfig } from './webhooks.worker.js';

export function webhookRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const { config, clock } = deps;
  const tags = ['Webhooks'];
  // The key is read on first use, so an instance without webhooks never creates a key file.
  const box = createSecretBox({ key: config.encryptionKey, dataDir: config.dataDir });
  const policy: UrlPolicy = {
    allowPrivate: config.webhooksAllowPrivate,
    allowHttp: config.webhooksAllowHttp,
    lookup: systemLookup,
  };
  const deliver = deliverDepsFromConfig({ db, config, clock, logger: deps.logger, box });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhooks',
      tags,
      summary: 'List the webhook endpoints of your org units',
      security: SECURED,
      request: { query: webhookListQuery },
      responses: {
        200: jsonContent(z.object({ items: z.array(WebhookSchema), nextCursor: z.string().nullable() })),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(await browseWebhooks({ db, principal: principalOf(c), query: c.req.valid('query') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks',
      tags,
      summary: 'Create a webhook endpoint; the answer holds its signing secret, shown only this once',
      security: SECURED,
      request: { body: jsonBody(CreateWebhookSchema) },
      responses: { 201: jsonContent(WebhookWithSecretSchema, 'Created'), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await createWebhook({
          db,
          clock,
          principal: principalOf(c),
          policy,
          box,
          input: c.req.valid('json'),
        }),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhooks/{id}',
      tags,
      summary: 'Get one webhook endpoint (never its secret)',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(WebhookSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await getWebhook({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/webhooks/{id}',
      tags,
      summary: 'Change a webhook endpoint (URL, event types, description, enabled)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(UpdateWebhookSchema) },
      responses: { 200: jsonContent(WebhookSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await changeWebhook({
          db,
          clock,
          principal: principalOf(c),
          policy,
          id: c.req.valid('param').id,
          patch: c.req.valid('json'),
        }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/webhooks/{id}',
      tags,
      summary: 'Delete a webhook endpoint with its deliveries',
      security: SECURED,
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      await removeWebhook({ db, principal: principalOf(c), id: c.req.valid('param').id });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/{id}/rotate-secret',
      tags,
      summary:
        'Replace the signing secret; the new one is shown only in this answer, the old one keeps signing for 24 hours',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(WebhookWithSecretSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await rotateWebhookSecret({ db, clock, principal: principalOf(c), box, id: c.req.valid('param').id }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/{id}/test',
      tags,
      summary: 'Send a webhook.test event now (one attempt, no retries) and return the delivery',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(DeliverySchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await sendTestEvent({ principal: principalOf(c), deliver, id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhooks/{id}/deliveries',
      tags,
      summary:
        'Deliveries of an endpoint, newest first, with every attempt (status, duration, error, next attempt)',
      security: SECURED,
      request: { params: IdParam, query: deliveryListQuery },
      responses: {
        200: jsonContent(z.object({ items: z.array(DeliverySchema), nextCursor: z.string().nullable() })),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        await browseDeliveries({
          db,
          principal: principalOf(c),
          id: c.req.valid('param').id,
          query: c.req.valid('query'),
        }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/{id}/deliveries/{deliveryId}/retry',
      tags,
      summary: 'Send a finished delivery (failed, given up or delivered) again, with a fresh attempt budget',
      security: SECURED,
      request: { params: DeliveryParams },
      responses: { 200: jsonContent(DeliverySchema), ...problemResponses },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid('param');
      return c.json(await redeliver({ db, clock, principal: principalOf(c), id, deliveryId }), 200);
    },
  );
  return app;
}
