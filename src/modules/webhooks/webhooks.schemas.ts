import { z } from '@hono/zod-openapi';
import { cursorParam, limitParam, safeText } from '../../http/schemas.js';
import { ATTEMPT_OUTCOMES, DELIVERY_STATES, WEBHOOK_EVENT_TYPES } from './webhooks.table.js';

const idField = z.string().min(1).max(64);

const urlField = z
  .string()
  .min(1)
  .max(2048)
  .refine((s) => s.isWellFormed() && !/\s/.test(s), { error: 'not a valid URL' })
  .openapi({
    description:
      'Where Herald POSTs events: https (http only when HERALD_WEBHOOKS_ALLOW_HTTP is on); internal addresses are refused unless HERALD_WEBHOOKS_ALLOW_PRIVATE is on.',
    example: 'https://crm.example.com/hooks/herald',
  });

const eventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .transform((a) => [...new Set(a)])
  .openapi({
    description:
      'Event types to receive: `message.status_changed`, `message.inbound` (an SMS a handset sent, see docs/inbound.md), `batch.completed`.',
  });

export const WebhookSchema = z
  .object({
    id: z.string(),
    orgUnitId: z
      .string()
      .openapi({ description: 'Events of messages of this org unit and all its descendants.' }),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    enabled: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .openapi({ description: 'Why it was disabled, e.g. the receiver answered 410.' }),
    disabledAt: z.string().nullable(),
    secretRotatedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Webhook');

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().openapi({
    description:
      'The signing secret (`whsec_…`, Standard Webhooks). Shown only now: store it in the receiver; Herald never returns it again.',
  }),
}).openapi('WebhookWithSecret');

export const CreateWebhookSchema = z
  .strictObject({
    orgUnitId: idField,
    url: urlField,
    eventTypes,
    description: safeText(0, 500).optional(),
    enabled: z.boolean().optional().openapi({ description: 'Default true.' }),
  })
  .openapi('CreateWebhook');

export const UpdateWebhookSchema = z
  .strictObject({
    url: urlField.optional(),
    eventTypes: eventTypes.optional(),
    description: safeText(0, 500).nullable().optional(),
    enabled: z.boolean().optional().openapi({
      description: 'Disabling pauses pending deliveries and creates no new ones; enabling resumes them.',
    }),
  })
  .openapi('UpdateWebhook');

export const webhookListQuery = z.object({
  orgUnitId: idField.optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const AttemptSchema = z
  .object({
    attemptedAt: z.string(),
    responseStatus: z.number().int().nullable(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    outcome: z.enum(ATTEMPT_OUTCOMES),
  })
  .openapi('WebhookAttempt');

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'Also the `webhook-id` header, the same on every attempt.' }),
    webhookId: z.string(),
    eventType: z.string(),
    eventKey: z.string(),
    state: z.enum(DELIVERY_STATES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastDurationMs: z.number().int().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    payload: z.unknown().openapi({ description: 'The JSON body sent.' }),
    attemptLog: z.array(AttemptSchema),
  })
  .openapi('WebhookDelivery');

export const deliveryListQuery = z.object({
  state: z.enum(DELIVERY_STATES).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const DeliveryParams = z.object({
  id: idField.openapi({ param: { name: 'id', in: 'path' } }),
  deliveryId: idField.openapi({ param: { name: 'deliveryId', in: 'path' } }),
});

export type CreateWebhook = z.infer<typeof CreateWebhookSchema>;
export type UpdateWebhook = z.infer<typeof UpdateWebhookSchema>;
export type Webhook = z.infer<typeof WebhookSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
