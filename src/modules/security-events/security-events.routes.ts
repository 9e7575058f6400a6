import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonContent, newRouter, SECURED } from '../../http/router.js';
import { cursorParam, limitParam, problemResponses } from '../../http/schemas.js';
import { requirePermission } from '../auth/auth.guard.js';
import { browseSecurityEvents, SECURITY_EVENT_TYPES } from './security-events.usecases.js';

const SecurityEventSchema = z
  .object({
    id: z.string(),
    occurredAt: z.string(),
    type: z.string(),
    actor: z.object({ type: z.string(), id: z.string().nullable() }),
    target: z.string().nullable(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('SecurityEvent');

export function securityEventRoutes(deps: AppDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/security-events',
      tags: ['Security audit'],
      summary:
        'Security events (logins, failed logins, keys created and revoked, denied permissions), newest first',
      security: SECURED,
      request: {
        query: z.object({
          type: z.enum(SECURITY_EVENT_TYPES).optional(),
          limit: limitParam,
          cursor: cursorParam,
        }),
      },
      responses: {
        200: jsonContent(
          z.object({ items: z.array(SecurityEventSchema), nextCursor: z.string().nullable() }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      requirePermission(principalOf(c), 'security_events.read');
      return c.json(await browseSecurityEvents({ db: deps.db.kysely, query: c.req.valid('query') }), 200);
    },
  );
  return app;
}
