import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.js';
import { auditRequest } from '../../http/audit.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonBody, jsonContent, newRouter, SECURED } from '../../http/router.js';
import { IdParam, problemResponses } from '../../http/schemas.js';
import { OrgUnitSchema } from '../org-units/org-units.schemas.js';
import {
  AttachSenderSchema,
  CreateGatewaySchema,
  CreateSenderConfigSchema,
  GatewaySchema,
  SenderConfigSchema,
  TestSendResultSchema,
  TestSendSchema,
  UpdateGatewaySchema,
  UpdateSenderConfigSchema,
} from './gateways.schemas.js';
import { gatewaySecretBox } from './gateways.secrets.js';
import { gatewayAddressPolicy, gatewayNetDeps } from './gateways.ssrf.js';
import { gatewayTarget, TEST_SEND_EVENT, testSendGateway } from './gateways.test-send.js';
import { browseGateways, changeGateway, createGateway, getGateway } from './gateways.usecases.js';
import {
  attachSenderToOrgUnit,
  browseSenderConfigs,
  changeSenderConfig,
  createSenderConfig,
  getSenderConfig,
} from './senders.usecases.js';

/** Gateway accounts (`/gateways`), sender configurations (`/senders`) and a unit's sender. */
export function gatewayRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const { baseUrl } = deps.config;
  const tags = ['Gateways'];
  // The key is read on first use: an instance whose gateways hold no secrets never creates a key file.
  const box = gatewaySecretBox(deps.config);
  const policy = gatewayAddressPolicy(deps.config);
  const net = gatewayNetDeps(policy, baseUrl);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/gateways',
      tags,
      summary: 'List gateway accounts',
      security: SECURED,
      responses: { 200: jsonContent(z.object({ items: z.array(GatewaySchema) })), ...problemResponses },
    }),
    async (c) => c.json({ items: await browseGateways({ db, principal: principalOf(c), baseUrl }) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/gateways',
      tags,
      summary: 'Add a gateway account (shared: system managers; for an org unit: its managers)',
      security: SECURED,
      request: { body: jsonBody(CreateGatewaySchema) },
      responses: { 201: jsonContent(GatewaySchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const gateway = await createGateway({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        baseUrl,
        box,
        policy,
        input: c.req.valid('json'),
      });
      // Field names only: the audit log never holds settings values (secrets among them).
      await auditRequest(deps, c, {
        type: 'gateway_created',
        target: gatewayTarget(gateway.id),
        details: {
          kind: gateway.kind,
          name: gateway.name,
          fields: Object.keys(gateway.settings ?? {}).sort(),
        },
      });
      return c.json(gateway, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/gateways/{id}',
      tags,
      summary: 'Get one gateway account',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(GatewaySchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await getGateway({ db, principal: principalOf(c), baseUrl, id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/gateways/{id}',
      tags,
      summary: 'Change a gateway account (its managers; the kind cannot change)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(UpdateGatewaySchema) },
      responses: { 200: jsonContent(GatewaySchema), ...problemResponses },
    }),
    async (c) => {
      const { gateway, changed } = await changeGateway({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        baseUrl,
        box,
        policy,
        id: c.req.valid('param').id,
        patch: c.req.valid('json'),
      });
      await auditRequest(deps, c, {
        type: 'gateway_updated',
        target: gatewayTarget(gateway.id),
        details: { changed },
      });
      return c.json(gateway, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/gateways/{id}/test-send',
      tags,
      summary: 'Send one test SMS straight through the gateway and return its answer (gateway managers)',
      description:
        "Nothing is queued or stored in the message log; the answer is the adapter's typed outcome (never the gateway's raw body). At most 5 per gateway per minute (`429 gateway.test_send_limited` with `Retry-After`). Numbers that opted out are refused.",
      security: SECURED,
      request: { params: IdParam, body: jsonBody(TestSendSchema) },
      responses: { 200: jsonContent(TestSendResultSchema), ...problemResponses },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      let result: Awaited<ReturnType<typeof testSendGateway>>;
      try {
        result = await testSendGateway({
          db,
          clock: deps.clock,
          logger: deps.logger,
          principal: principalOf(c),
          baseUrl,
          box,
          net,
          submitTimeoutMs: deps.config.submitTimeoutSeconds * 1000,
          id,
          input: c.req.valid('json'),
        });
      } catch (e) {
        if (e instanceof AppError && e.code === 'gateway.test_send_limited') {
          c.header('Retry-After', String(e.details?.retryAfterSeconds ?? 60));
        }
        throw e;
      }
      // No number, no text: what was tried and what the gateway answered.
      await auditRequest(deps, c, {
        type: TEST_SEND_EVENT,
        target: gatewayTarget(id),
        details: result.ok
          ? { ok: true, status: result.status, gatewayId: result.gatewayId, parts: result.parts }
          : { ok: false, class: result.class, code: result.code, parts: result.parts },
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/senders',
      tags,
      summary: 'List sender configurations (gateway account, fallback and sender id)',
      security: SECURED,
      responses: { 200: jsonContent(z.object({ items: z.array(SenderConfigSchema) })), ...problemResponses },
    }),
    async (c) => c.json({ items: await browseSenderConfigs({ db, principal: principalOf(c) }) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/senders',
      tags,
      summary: 'Add a sender configuration (shared: system managers; for an org unit: its managers)',
      security: SECURED,
      request: { body: jsonBody(CreateSenderConfigSchema) },
      responses: { 201: jsonContent(SenderConfigSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const sender = await createSenderConfig({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        input: c.req.valid('json'),
      });
      return c.json(sender, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/senders/{id}',
      tags,
      summary: 'Get one sender configuration',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(SenderConfigSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await getSenderConfig({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/senders/{id}',
      tags,
      summary: 'Change a sender configuration (its managers)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(UpdateSenderConfigSchema) },
      responses: { 200: jsonContent(SenderConfigSchema), ...problemResponses },
    }),
    async (c) => {
      const sender = await changeSenderConfig({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        id: c.req.valid('param').id,
        patch: c.req.valid('json'),
      });
      return c.json(sender, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/org-units/{id}/sender',
      tags,
      summary: 'Choose the sender configuration an org unit sends with (null: none)',
      security: SECURED,
      request: { params: IdParam, body: jsonBody(AttachSenderSchema) },
      responses: { 200: jsonContent(OrgUnitSchema), ...problemResponses },
    }),
    async (c) => {
      const unit = await attachSenderToOrgUnit({
        db,
        clock: deps.clock,
        principal: principalOf(c),
        orgUnitId: c.req.valid('param').id,
        senderConfigId: c.req.valid('json').senderConfigId,
      });
      return c.json(unit, 200);
    },
  );
  return app;
}
