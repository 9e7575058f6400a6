import { createRoute } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponse, problemResponses } from '../../http/schemas.js';
import {
  MessageDetailSchema,
  MessagePageSchema,
  MessageSchema,
  messageQuerySchema,
} from './messages.schemas.js';
import { browseMessages, cancelMessage, getMessage } from './messages.usecases.js';

export function messageRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Messages'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/messages',
      tags,
      summary:
        'Messages of your org units: filter by text, number, dates, status, unit, batch, contact, reference',
      security: SECURED,
      request: { query: messageQuerySchema(deps.config.maxSearchLength) },
      responses: { 200: jsonContent(MessagePageSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await browseMessages({
          db,
          principal: principalOf(c),
          clock: deps.clock,
          query: c.req.valid('query'),
        }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/messages/{id}',
      tags,
      summary: 'One message with its full status history, oldest first',
      security: SECURED,
      request: { params: IdParam },
      responses: {
        200: jsonContent(MessageDetailSchema),
        404: problemResponse('No such message (or not in your org units)'),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(await getMessage({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/messages/{id}/cancel',
      tags,
      summary: 'Cancel a message that is still scheduled or queued',
      security: SECURED,
      request: { params: IdParam },
      responses: {
        200: jsonContent(MessageSchema, 'Canceled'),
        404: problemResponse('No such message (or not in your org units)'),
        409: problemResponse(
          '`message.not_cancelable`: it is no longer scheduled or queued (`messageStatus` says what it is)',
        ),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        await cancelMessage({
          db,
          clock: deps.clock,
          bus: deps.bus,
          principal: principalOf(c),
          id: c.req.valid('param').id,
        }),
        200,
      ),
  );
  return app;
}
