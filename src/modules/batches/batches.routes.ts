import { createRoute } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponse, problemResponses } from '../../http/schemas.js';
import {
  BatchCancelSchema,
  BatchDetailSchema,
  BatchPageSchema,
  batchQuerySchema,
} from './batches.schemas.js';
import { browseBatches, cancelBatch, getBatch } from './batches.usecases.js';

export function batchRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['SMS Log'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/batches',
      tags,
      summary: 'The SMS Log: every send action, newest first, with requested and sent counts',
      security: SECURED,
      request: { query: batchQuerySchema(deps.config.maxSearchLength) },
      responses: { 200: jsonContent(BatchPageSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await browseBatches({ db, principal: principalOf(c), query: c.req.valid('query') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/batches/{id}',
      tags,
      summary: 'One SMS Log entry with the requested numbers and the numbers actually sent',
      security: SECURED,
      request: { params: IdParam },
      responses: {
        200: jsonContent(BatchDetailSchema),
        404: problemResponse('No such batch (or not in your org units)'),
        ...problemResponses,
      },
    }),
    async (c) => c.json(await getBatch({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/batches/{id}/cancel',
      tags,
      summary: 'Cancel every message of a batch that is still scheduled or queued',
      security: SECURED,
      request: { params: IdParam },
      responses: {
        200: jsonContent(BatchCancelSchema, 'Canceled'),
        404: problemResponse('No such batch (or not in your org units)'),
        409: problemResponse('`batch.not_cancelable`: no message of it is still scheduled or queued'),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        await cancelBatch({
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
