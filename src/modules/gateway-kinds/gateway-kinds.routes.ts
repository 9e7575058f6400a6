import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonContent, newRouter, SECURED } from '../../http/router.js';
import { problemResponses } from '../../http/schemas.js';
import { PROVIDER_KINDS } from '../../providers/provider.contract.js';
import { listGatewayKinds } from './gateway-kinds.usecases.js';

const GatewayKindSchema = z
  .object({
    kind: z.enum(PROVIDER_KINDS),
    settingsSchema: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'JSON Schema of `settings` for this kind' }),
    secretFields: z.array(z.string()),
    addressFields: z.array(z.string()),
  })
  .openapi('GatewayKind');

export function gatewayKindRoutes(_deps: AppDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/gateway-kinds',
      tags: ['Gateways'],
      summary: 'The gateway kinds and the settings each takes (JSON Schema), with its secret fields',
      security: SECURED,
      responses: { 200: jsonContent(z.object({ items: z.array(GatewayKindSchema) })), ...problemResponses },
    }),
    (c) => c.json({ items: listGatewayKinds({ principal: principalOf(c) }) }, 200),
  );
  return app;
}
