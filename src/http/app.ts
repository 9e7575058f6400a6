import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { sql } from 'kysely';
import { AppError, type ErrorCode } from '../core/errors.js';
import { apiKeyRoutes } from '../modules/api-keys/api-keys.routes.js';
import { authRoutes } from '../modules/auth/auth.routes.js';
import { batchRoutes } from '../modules/batches/batches.routes.js';
import { consentRoutes } from '../modules/consent/consent.routes.js';
import { contactImportBodyRoute, contactRoutes } from '../modules/contacts/contacts.routes.js';
import { deliveryReportRoutes } from '../modules/delivery-reports/delivery-reports.routes.js';
import { eventRoutes } from '../modules/events/events.routes.js';
import { gatewayKindRoutes } from '../modules/gateway-kinds/gateway-kinds.routes.js';
import { gatewayRoutes } from '../modules/gateways/gateways.routes.js';
import { inboundCallbackRoutes, inboundRoutes } from '../modules/inbound/inbound.routes.js';
import { messageRoutes } from '../modules/messages/messages.routes.js';
import { orgUnitRoutes } from '../modules/org-units/org-units.routes.js';
import { resendRoutes } from '../modules/resend/resend.routes.js';
import { securityEventRoutes } from '../modules/security-events/security-events.routes.js';
import { recordSecurityEvent } from '../modules/security-events/security-events.usecases.js';
import { sendRoutes } from '../modules/send/send.routes.js';
import { statsRoutes } from '../modules/stats/stats.routes.js';
import { templateRoutes } from '../modules/templates/templates.routes.js';
import { userRoutes } from '../modules/users/users.routes.js';
import { webhookRoutes } from '../modules/webhooks/webhooks.routes.js';
import { mountApiDocs } from './docs.js';
import type { AppDeps, AppEnv } from './http.types.js';
import { authenticate, clientIp, jsonBodyGuard, requestId } from './middleware.js';
import { mountPages } from './pages.js';
import { problem } from './problem.js';

const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'request.malformed_json',
  401: 'auth.unauthenticated',
  404: 'route.not_found',
  413: 'request.too_large',
  415: 'request.unsupported_media_type',
};

/** Builds the whole HTTP application (no listener: tests call `app.request()`, start.ts serves it). */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', requestId());
  app.use(
    '*',
    secureHeaders({
      crossOriginResourcePolicy: 'same-origin',
      // HSTS only means something when Herald is reached over https.
      strictTransportSecurity: deps.config.baseUrl.startsWith('https://')
        ? 'max-age=15552000; includeSubDomains'
        : false,
    }),
  );
  app.use('*', async (c, next) => {
    const end = deps.metrics.httpDuration.startTimer();
    await next();
    const route = c.req.routePath || 'unmatched';
    end({ method: c.req.method, route });
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
  });

  app.onError(async (err, c) => {
    if (err instanceof AppError) {
      if (err.code === 'auth.forbidden' || err.code === 'auth.org_unit_forbidden') {
        const p = c.get('principal');
        await recordSecurityEvent({
          db: deps.db.kysely,
          clock: deps.clock,
          event: {
            type: 'permission_denied',
            actor: p ? { type: p.kind, id: p.id } : { type: 'anonymous' },
            ip: clientIp(c),
            requestId: c.get('requestId'),
            details: { method: c.req.method, path: c.req.path, code: err.code, ...err.details },
          },
        }).catch((e: unknown) => deps.logger.error('could not record security event', { error: String(e) }));
      }
      return problem(c, err.code, err.message, err.details);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = HTTP_STATUS_CODES[err.status] ?? 'validation.failed';
      return problem(c, code, err.message || 'The request is not valid.');
    }
    deps.logger.error('unhandled error', {
      requestId: c.get('requestId'),
      path: c.req.routePath,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    return problem(
      c,
      'internal',
      'Something went wrong on our side. The request id identifies it in the log.',
    );
  });
  app.notFound((c) => problem(c, 'route.not_found', `No route for ${c.req.method} ${c.req.path}.`));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await sql`select 1`.execute(deps.db.kysely);
      return c.json({ status: 'ready', database: deps.db.dialect });
    } catch {
      return c.json({ status: 'not_ready', database: deps.db.dialect }, 503);
    }
  });
  if (deps.config.metricsEnabled) {
    app.get('/metrics', async (c) =>
      c.body(await deps.metrics.registry.metrics(), 200, {
        'content-type': deps.metrics.registry.contentType,
      }),
    );
  }

  // Public gateway callbacks: raw bodies, no session or API key; registered first, they answer before the guards below.
  app.route('/api', deliveryReportRoutes(deps));
  app.route('/api', inboundCallbackRoutes(deps));
  app.use('/api/*', jsonBodyGuard(deps.config.bodyLimitBytes, [contactImportBodyRoute(deps.config)]));
  app.use('/api/*', authenticate(deps));
  const api = new OpenAPIHono<AppEnv>();
  api.route('/', authRoutes(deps));
  api.route('/', orgUnitRoutes(deps));
  api.route('/', userRoutes(deps));
  api.route('/', apiKeyRoutes(deps));
  api.route('/', securityEventRoutes(deps));
  api.route('/', consentRoutes(deps));
  api.route('/', contactRoutes(deps));
  api.route('/', messageRoutes(deps));
  api.route('/', resendRoutes(deps));
  api.route('/', eventRoutes(deps));
  api.route('/', batchRoutes(deps));
  api.route('/', sendRoutes(deps));
  api.route('/', templateRoutes(deps));
  api.route('/', gatewayRoutes(deps));
  api.route('/', webhookRoutes(deps));
  api.route('/', inboundRoutes(deps));
  api.route('/', statsRoutes(deps));
  api.route('/', gatewayKindRoutes(deps));
  app.route('/api', api);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`hk_…`) in `Authorization: Bearer <key>` (or `X-API-Key`). Never in the URL.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'herald_session',
    description: 'Browser session from POST /api/auth/login; unsafe methods need the `X-CSRF-Token` header.',
  });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Herald API',
      version: '0.1.0',
      description:
        'Self-hosted SMS center. Errors are RFC 9457 problem+json bodies with a stable `code`. Authenticate with an API key header or a browser session.',
    },
  });
  mountApiDocs(app);
  mountPages(app);
  return app;
}

export type HeraldApp = ReturnType<typeof createApp>;
