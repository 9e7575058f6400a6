import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { newRouter, SECURED } from '../../http/router.js';
import { problemResponses } from '../../http/schemas.js';
import { requireLogReader } from '../messages/messages.usecases.js';
import { runLiveStream } from './events.sse.js';

export function eventRoutes(deps: AppDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/events',
      tags: ['Messages'],
      summary: 'Live status: Server-Sent Events of status changes and completed batches of your org units',
      description:
        'Events `message.status` and `batch.completed`, JSON data, `id` = the stream position (an event id). Reconnect with the `Last-Event-ID` header (browsers do it by themselves) or `?lastEventId=` to resume without losing events; events of the few seconds before the resume point may come again (deduplicate by `data.eventId`). `event: reset` means the resume point could not be used: reload what you show. A comment line every 15 s keeps the connection open; the server ends a stream after 15 minutes and the client reconnects. See docs/live-status.md.',
      security: SECURED,
      request: {
        query: z.object({
          lastEventId: z.string().max(64).optional().openapi({
            description: 'Resume after this event id, when the client cannot send `Last-Event-ID`.',
          }),
        }),
      },
      responses: {
        200: { description: 'The event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...problemResponses,
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      requireLogReader(principal);
      const lastEventId = c.req.header('last-event-id') ?? c.req.valid('query').lastEventId;
      c.header('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
      return streamSSE(c, (stream) =>
        runLiveStream(stream, {
          db: deps.db.kysely,
          bus: deps.bus,
          scope: principal.orgScope,
          logger: deps.logger,
          lastEventId,
          heartbeatMs: deps.config.eventsHeartbeatSeconds * 1000,
          maxDurationMs: deps.config.eventsMaxStreamMinutes * 60_000,
        }),
      );
    },
  );
  return app;
}
