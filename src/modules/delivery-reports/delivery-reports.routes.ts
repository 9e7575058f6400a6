import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { rawBodyLimit, requestHeaders } from '../../http/middleware.js';
import { jsonContent, newRouter } from '../../http/router.js';
import { problemResponse } from '../../http/schemas.js';
import { gatewaySecretBox } from '../gateways/gateways.secrets.js';
import { receiveDeliveryReport } from './delivery-reports.usecases.js';

/**
 * Public delivery-report callbacks. Gateways authenticate with the unguessable token in the path and
 * the adapter's own signature check, not with a session or API key; their bodies are whatever the
 * gateway sends (JSON, form data), read raw here so signatures can be verified. Mount these before
 * the `/api/*` JSON body guard and authentication.
 */
export function deliveryReportRoutes(deps: AppDeps) {
  const app = newRouter();
  const box = gatewaySecretBox(deps.config);
  app.use('/callbacks/*', rawBodyLimit(deps.config.bodyLimitBytes));

  // POST for most gateways; GET for Kannel, whose smsbox calls the dlr-url with the report in the query.
  for (const method of ['post', 'get'] as const) {
    app.openapi(
      createRoute({
        method,
        path: '/callbacks/{token}',
        tags: ['Gateways'],
        summary: 'Delivery reports from a gateway (public; the URL is shown on the gateway account)',
        description:
          'The body is whatever the gateway sends; its adapter verifies the signature and parses it (403 and nothing written when it is missing or wrong). Reports for gateway ids not known yet count as unmatched and are kept until the worker stores that id (48 h by default). A report received before is dropped (`duplicates`): a replayed callback is processed once.',
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
          200: jsonContent(
            z.object({
              applied: z.number().int(),
              ignored: z.number().int(),
              unmatched: z.number().int(),
              duplicates: z.number().int(),
            }),
          ),
          400: problemResponse('The report could not be read'),
          403: problemResponse('The report signature is missing or not valid'),
          404: problemResponse('No such callback'),
        },
      }),
      async (c) => {
        const url = new URL(c.req.url);
        const headers = requestHeaders(c);
        const result = await receiveDeliveryReport({
          db: deps.db.kysely,
          clock: deps.clock,
          logger: deps.logger,
          bus: deps.bus,
          earlyReportTtlHours: deps.config.earlyReportTtlHours,
          box,
          token: c.req.valid('param').token,
          request: {
            headers,
            body: await c.req.text(),
            query: Object.fromEntries(url.searchParams),
            url: url.toString(),
          },
        });
        return c.json(result, 200);
      },
    );
  }
  return app;
}
