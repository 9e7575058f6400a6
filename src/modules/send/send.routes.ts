import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { problemResponses } from '../../http/schemas.js';
import { requestHash, withIdempotency } from '../idempotency/idempotency.usecases.js';
import { RECIPIENT_GROUP_NAMES, RECIPIENT_GROUPS } from './send.groups.js';
import {
  BatchResultSchema,
  CountRequestSchema,
  CountSchema,
  ReceiverListRequestSchema,
  ReceiverListSchema,
  SendBatchSchema,
  SendMessageSchema,
  SentMessageSchema,
} from './send.schemas.js';
import { countText, receiverList, sendBatch, sendMessage } from './send.usecases.js';

const idempotencyHeader = z.object({
  'idempotency-key': z.string().optional().openapi({
    description:
      'Send the same key again (within 24 h, same body) to get the first response instead of sending twice.',
  }),
});

export function sendRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['SMS Center'];

  /** Runs a send once per Idempotency-Key of this caller; replays carry `Idempotent-Replayed: true`. */
  async function idempotent<T extends object>(c: Context<AppEnv>, endpoint: string, work: () => Promise<T>) {
    const principal = principalOf(c);
    const key = c.req.header('idempotency-key');
    const result = await withIdempotency({
      db,
      clock: deps.clock,
      scope: `${principal.kind}:${principal.id}`,
      key,
      endpoint,
      // Hashing the body costs a tenth of a send: only when there is a key to compare it with.
      hash: key === undefined ? '' : requestHash(endpoint, await c.req.json()),
      work: async () => ({ status: 201, body: await work() }),
    });
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return { ...(result.body as T), replayed: result.replayed };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/recipient-groups',
      tags,
      summary: 'The "Send To" groups of the SMS Center',
      security: SECURED,
      responses: {
        200: jsonContent(z.object({ items: z.array(z.object({ id: z.string(), label: z.string() })) })),
        ...problemResponses,
      },
    }),
    async (c) => {
      principalOf(c);
      return c.json(
        { items: RECIPIENT_GROUP_NAMES.map((id) => ({ id, label: RECIPIENT_GROUPS[id].label })) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/messages/count',
      tags,
      summary: 'Characters, encoding, SMS parts, units left, characters forcing UCS-2, estimated cost',
      security: SECURED,
      request: { body: jsonBody(CountRequestSchema) },
      responses: { 200: jsonContent(CountSchema), ...problemResponses },
    }),
    async (c) => c.json(await countText({ db, principal: principalOf(c), input: c.req.valid('json') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/batches/receivers',
      tags,
      summary:
        'Create receiver list: every recipient with its number and eligibility, and totals (sends nothing)',
      security: SECURED,
      request: { body: jsonBody(ReceiverListRequestSchema) },
      responses: { 200: jsonContent(ReceiverListSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await receiverList({
          db,
          config: deps.config,
          principal: principalOf(c),
          input: c.req.valid('json'),
        }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/messages',
      tags,
      summary: 'Send one SMS to a number or a contact, now or at a time',
      security: SECURED,
      request: { headers: idempotencyHeader, body: jsonBody(SendMessageSchema) },
      responses: {
        201: jsonContent(SentMessageSchema, 'Accepted and queued, scheduled or blocked'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const body = await idempotent(c, 'POST /api/messages', () =>
        sendMessage({
          db,
          sqlite: deps.db.sqlite,
          clock: deps.clock,
          config: deps.config,
          principal: principalOf(c),
          input,
        }),
      );
      return c.json(body, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/batches',
      tags,
      summary:
        'Send to many: numbers, contacts, or a group with filters; one text or a template; now or at a time',
      security: SECURED,
      request: { headers: idempotencyHeader, body: jsonBody(SendBatchSchema) },
      responses: { 201: jsonContent(BatchResultSchema, 'The SMS Log entry'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const body = await idempotent(c, 'POST /api/batches', () =>
        sendBatch({
          db,
          sqlite: deps.db.sqlite,
          clock: deps.clock,
          config: deps.config,
          principal: principalOf(c),
          input,
        }),
      );
      return c.json(body, 201);
    },
  );
  return app;
}
