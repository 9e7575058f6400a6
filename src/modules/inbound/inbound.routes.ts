import { createRoute, z } from '@hono/zod-openapi';
import { auditRequest } from '../../http/audit.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf, rawBodyLimit, requestHeaders } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponse, problemResponses } from '../../http/schemas.js';
import { browseInbound, getInbound } from './inbound.browse.js';
import {
  InboundPageSchema,
  InboundSchema,
  inboundQuerySchema,
  KeywordSettingsSchema,
  PutKeywordSettingsSchema,
  SimulateInboundResultSchema,
  SimulateInboundSchema,
} from './inbound.schemas.js';
import { getKeywordSettings, putKeywordSettings } from './inbound.settings.js';
import { receiveInboundCallback, simulateInbound } from './inbound.usecases.js';

/**
 * The public inbound callback (`POST /api/callbacks/{token}/inbound`): like the delivery-report
 * callback, authenticated by the unguessable token and the adapter's own signature check, the body read
 * raw so signatures can be verified. Mount before the `/api/*` JSON body guard and authentication.
 */
export function inboundCallbackRoutes(deps: AppDeps) {
  const app = newRouter();
  app.use('/callbacks/:token/inbound', rawBodyLimit(deps.config.bodyLimitBytes));
  // POST for most gateways; GET for Kannel, whose sms-service get-url carries the message in the query.
  for (const method of ['post', 'get'] as const) {
    app.openapi(
      createRoute({
        method,
        path: '/callbacks/{token}/inbound',
        tags: ['Gateways'],
        summary: 'Inbound SMS from a gateway (public; the callback URL of the gateway account + `/inbound`)',
        description:
          'The body is whatever the gateway sends; its adapter verifies the signature and parses it. The answer is what the gateway expects (e.g. TwiML for Twilio, an empty body for Kannel), else `{}`. A message the account already stored (same gateway message id) is not stored or acted on again.',
        security: [],
        request: {
          params: z.object({
            token: z
              .string()
              .min(1)
              .max(200)
              .openapi({ param: { name: 'token', in: 'path' } }),
          }),
        },
        responses: {
          200: {
            description: "The gateway's acknowledgement (`{}` unless the gateway expects another body)",
            content: { 'application/json': { schema: z.object({}) }, 'text/plain': { schema: z.string() } },
          },
          400: problemResponse('The message could not be read'),
          403: problemResponse('The signature is not valid'),
          404: problemResponse(
            'No such callback, or the gateway does not receive inbound messages over HTTP',
          ),
        },
      }),
      async (c) => {
        const url = new URL(c.req.url);
        const headers = requestHeaders(c);
        const result = await receiveInboundCallback(
          { db: deps.db.kysely, clock: deps.clock, bus: deps.bus, logger: deps.logger, config: deps.config },
          c.req.valid('param').token,
          {
            headers,
            body: await c.req.text(),
            query: Object.fromEntries(url.searchParams),
            url: url.toString(),
          },
        );
        if (result.ack)
          return c.body(result.ack.body, 200, { 'content-type': result.ack.contentType }) as never;
        return c.json({}, 200);
      },
    );
  }
  return app;
}

/** Inbound messages of the caller's org units, and the keyword settings of a unit. */
export function inboundRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Inbound'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/inbound',
      tags,
      summary: 'Inbound SMS of your org units, newest first: filter by number, contact, keyword, dates',
      security: SECURED,
      request: { query: inboundQuerySchema },
      responses: { 200: jsonContent(InboundPageSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await browseInbound({ db, principal: principalOf(c), query: c.req.valid('query') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/inbound/simulate',
      tags,
      summary:
        'Make a simulated handset send an SMS to a simulator gateway (system managers; for demos and tests)',
      description:
        'The message takes the same path as one a gateway posts: stored, placed in an org unit, keywords acted on (STOP opts the number out and queues the confirmation). See docs/inbound.md.',
      security: SECURED,
      request: { body: jsonBody(SimulateInboundSchema) },
      responses: {
        200: jsonContent(SimulateInboundResultSchema),
        404: problemResponse('No such gateway, or it is not a simulator'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const input = c.req.valid('json');
      const { id } = await simulateInbound(
        { db, clock: deps.clock, bus: deps.bus, logger: deps.logger, config: deps.config, principal },
        input,
      );
      await auditRequest(deps, c, {
        type: 'inbound_simulated',
        target: input.providerAccountId,
        details: { inboundId: id },
      });
      return c.json({ inbound: id ? await getInbound({ db, principal, id }) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/inbound/{id}',
      tags,
      summary: 'One inbound SMS, with its keyword, consent event and reply',
      security: SECURED,
      request: { params: IdParam },
      responses: {
        200: jsonContent(InboundSchema),
        404: problemResponse('No such inbound message (or not in your org units)'),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(await getInbound({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/org-units/{id}/keywords',
      tags,
      summary: "An org unit's keywords (STOP, START, YES, HELP and their translations) and reply texts",
      security: SECURED,
      request: { params: IdParam },
      responses: {
        200: jsonContent(KeywordSettingsSchema),
        404: problemResponse('No such org unit (or not one of yours)'),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        await getKeywordSettings({ db, principal: principalOf(c), orgUnitId: c.req.valid('param').id }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/org-units/{id}/keywords',
      tags,
      summary: "Set an org unit's keyword lists and reply texts (fields left out use the language defaults)",
      security: SECURED,
      request: { params: IdParam, body: jsonBody(PutKeywordSettingsSchema) },
      responses: {
        200: jsonContent(KeywordSettingsSchema),
        404: problemResponse('No such org unit (or not one of yours)'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const orgUnitId = c.req.valid('param').id;
      const result = await putKeywordSettings({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        orgUnitId,
        input: c.req.valid('json'),
      });
      await auditRequest(deps, c, {
        type: 'org_unit_keywords_updated',
        target: orgUnitId,
        details: { language: result.language, customized: result.customized },
      });
      return c.json(result, 200);
    },
  );
  return app;
}
