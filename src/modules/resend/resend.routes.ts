import { createRoute } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponse, problemResponses } from '../../http/schemas.js';
import { MessageSchema } from '../messages/messages.schemas.js';
import { resendMessage } from './resend.usecases.js';

export function resendRoutes(deps: AppDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/messages/{id}/resend',
      tags: ['Messages'],
      summary: 'Resend an accepted, failed or timed-out message as a new message (once)',
      description:
        'Creates a new send action with one message: same text, recipient, org unit, category, reference and contact. Consent and policy are checked again: the new message is `queued`, or `blocked` with the reason. The new message has `resentOf`, the original `resentBy`. 422 `message.too_many_parts` / `message.too_long` when the text no longer fits the current route or unit.',
      security: SECURED,
      request: { params: IdParam },
      responses: {
        201: jsonContent(MessageSchema, 'The new message'),
        404: problemResponse('No such message (or not in your org units)'),
        409: problemResponse(
          '`message.not_resendable` (`messageStatus` says what it is) or `message.already_resent` (`resentBy` names the resend)',
        ),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        await resendMessage({
          db: deps.db.kysely,
          clock: deps.clock,
          config: deps.config,
          principal: principalOf(c),
          bus: deps.bus,
          id: c.req.valid('param').id,
        }),
        201,
      ),
  );
  return app;
}
