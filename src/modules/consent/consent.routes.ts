import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { clientIp, principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { problemResponses } from '../../http/schemas.js';
import { ConsentEventSchema, ConsentSchema, RecordConsentSchema } from './consent.schemas.js';
import { readConsent, recordConsent } from './consent.usecases.js';

export function consentRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Consent'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/consent',
      tags,
      summary: 'Record consent given or withdrawn for a phone number (append-only; events are never edited)',
      security: SECURED,
      request: { body: jsonBody(RecordConsentSchema) },
      responses: {
        201: jsonContent(z.object({ e164: z.string(), event: ConsentEventSchema }), 'Recorded'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const result = await recordConsent({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        input: c.req.valid('json'),
        ip: clientIp(c),
      });
      return c.json(result, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/consent/{phone}',
      tags,
      summary: 'Current consent state of a number and its full history, newest first',
      security: SECURED,
      request: {
        params: z.object({
          phone: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: 'phone', in: 'path' } }),
        }),
        query: z.object({ orgUnitId: z.string().min(1).max(64).optional() }),
      },
      responses: { 200: jsonContent(ConsentSchema), ...problemResponses },
    }),
    async (c) => {
      const { phone } = c.req.valid('param');
      const { orgUnitId } = c.req.valid('query');
      return c.json(await readConsent({ db, principal: principalOf(c), phone, orgUnitId }), 200);
    },
  );
  return app;
}
