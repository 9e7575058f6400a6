import { createRoute } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonContent, newRouter, SECURED } from '../../http/router.js';
import { problemResponses } from '../../http/schemas.js';
import { MessageStatsSchema, StatsQuerySchema } from './stats.schemas.js';
import { messageStats } from './stats.usecases.js';

export function statsRoutes(deps: AppDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/stats/messages',
      tags: ['Dashboard'],
      summary:
        'Messages of a period per day and status, per org unit and per gateway: delivery rate, parts, cost',
      description:
        'Counts messages created in [from, to) in the org units the caller sees (needs `messages.read`). Days are calendar days at `tzOffsetMinutes` from UTC; every day of the period is listed. At most 400 days.',
      security: SECURED,
      request: { query: StatsQuerySchema },
      responses: { 200: jsonContent(MessageStatsSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await messageStats({
          db: deps.db.kysely,
          dialect: deps.db.dialect,
          principal: principalOf(c),
          query: c.req.valid('query'),
        }),
        200,
      ),
  );
  return app;
}
