import { z } from '@hono/zod-openapi';
import { SHIFT_LANGUAGES, type ShiftLanguage } from '../../core/encoding/index.js';
import { safeText } from '../../http/schemas.js';
import { PROVIDER_KINDS } from '../../providers/provider.contract.js';

const idField = z.string().min(1).max(64);
const ownerRead = z.string().nullable().openapi({
  description:
    'Owning org unit: `null` = shared (set up by system managers, usable by every unit); a unit id = owned by that unit, seen and used in it and the units below it, managed by its managers.',
});
const ownerWrite = idField.nullable().openapi({
  description:
    'Owning org unit; a unit you manage. `null` (shared) is for system managers only. Default on create: `null`.',
});
const shiftLanguage = z.enum(SHIFT_LANGUAGES as [ShiftLanguage, ...ShiftLanguage[]]);
const shiftTables = z
  .array(shiftLanguage)
  .max(SHIFT_LANGUAGES.length)
  .transform((a) => [...new Set(a)]);
/** Adapter settings; validated by the kind's own schema in the use case (errors name `settings.<field>`). */
const settings = z.record(z.string().max(100), z.unknown());
const messagesPerSecond = z.number().int().min(1).max(10_000);
const maxParts = z.number().int().min(1).max(255);
const pricePerPart = z
  .number()
  .int()
  .min(0)
  .max(1_000_000_000)
  .openapi({ description: 'Price of one SMS part in the smallest currency unit (e.g. cents).' });
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 code such as EUR' })
  .openapi({ example: 'EUR' });

export const GatewaySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(PROVIDER_KINDS),
    orgUnitId: ownerRead,
    settings: settings.optional().openapi({
      description:
        'Only for those who manage the account (system managers; for an account of a unit, its managers). Secret fields (credentials) are write-only: a secret that is set reads as `********`.',
    }),
    messagesPerSecond: z.number().int(),
    maxParts: z.number().int(),
    pricePerPart: z.number().int().nullable(),
    currency: z.string().nullable(),
    shiftTables: z.array(shiftLanguage),
    callbackUrl: z.string().optional().openapi({
      description:
        'Where the gateway posts delivery reports. Only for those who manage the account: it holds a secret.',
    }),
    inboundUrl: z.string().optional().openapi({
      description:
        'Where the gateway posts inbound SMS (replies, STOP): the callback URL + `/inbound`. Only for those who manage the account.',
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Gateway');

export const CreateGatewaySchema = z
  .strictObject({
    name: safeText(1, 120),
    kind: z.enum(PROVIDER_KINDS),
    orgUnitId: ownerWrite.optional(),
    settings: settings.default({}),
    messagesPerSecond: messagesPerSecond.default(10),
    maxParts: maxParts.default(10),
    pricePerPart: pricePerPart.nullable().default(null),
    currency: currency.nullable().default(null),
    shiftTables: shiftTables.default([]),
  })
  .refine((g) => g.pricePerPart === null || g.currency !== null, {
    error: 'a price needs a currency',
    path: ['currency'],
  })
  .openapi('CreateGateway');

export const UpdateGatewaySchema = z
  .strictObject({
    name: safeText(1, 120).optional(),
    orgUnitId: ownerWrite.optional(),
    settings: settings.optional().openapi({
      description:
        'Laid over the stored settings field by field. A secret that is omitted or sent back as `********` keeps its stored value.',
    }),
    messagesPerSecond: messagesPerSecond.optional(),
    maxParts: maxParts.optional(),
    pricePerPart: pricePerPart.nullable().optional(),
    currency: currency.nullable().optional(),
    shiftTables: shiftTables.optional(),
  })
  .openapi('UpdateGateway');

export const TestSendSchema = z
  .strictObject({
    to: safeText(1, 32).openapi({ example: '+4915123456789', description: 'Recipient in E.164.' }),
    text: z.string().min(1).max(1600).openapi({ example: 'Herald test message' }),
    from: z.string().min(1).max(16).optional().openapi({
      description: 'Sender id; default: that of a sender configuration using this gateway, else `Herald`.',
    }),
  })
  .openapi('TestSend');

export const TestSendResultSchema = z
  .discriminatedUnion('ok', [
    z.object({
      ok: z.literal(true),
      /** The id Herald gave the gateway as its reference (not stored). */
      messageId: z.string(),
      gatewayId: z.string(),
      status: z.enum(['accepted', 'sent']),
      parts: z.number().int(),
      partIds: z.array(z.string()).optional(),
    }),
    z.object({
      ok: z.literal(false),
      messageId: z.string(),
      class: z.enum(['retryable', 'permanent', 'throttled', 'opted_out', 'unknown']),
      code: z.string().openapi({ description: "The gateway's error code (or the adapter's own)." }),
      text: z.string().openapi({ description: "A short explanation; never the gateway's raw answer." }),
      parts: z.number().int(),
      retryAfterMs: z.number().int().optional(),
    }),
  ])
  .openapi('TestSendResult');

/** Alphanumeric sender id (1–11 of A–Z, a–z, 0–9 and space) or a number in E.164. */
export const senderIdSchema = safeText(1, 16)
  .refine((s) => /^[A-Za-z0-9 ]{1,11}$/.test(s) || /^\+[1-9]\d{1,14}$/.test(s), {
    error: 'expected 1–11 letters, digits or spaces, or a number in E.164 such as +4915123456789',
  })
  .openapi({ example: 'Herald' });

export const SenderConfigSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    providerAccountId: z.string(),
    fallbackProviderAccountId: z.string().nullable(),
    senderId: z.string(),
    orgUnitId: ownerRead,
    orgUnitIds: z.array(z.string()).openapi({ description: 'Org units (that you see) sending with it.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('SenderConfig');

export const CreateSenderConfigSchema = z
  .strictObject({
    name: safeText(1, 120),
    providerAccountId: idField,
    fallbackProviderAccountId: idField.nullable().default(null),
    senderId: senderIdSchema,
    orgUnitId: ownerWrite.optional(),
  })
  .refine((s) => s.fallbackProviderAccountId !== s.providerAccountId, {
    error: 'the fallback must be another gateway',
    path: ['fallbackProviderAccountId'],
  })
  .openapi('CreateSenderConfig');

export const UpdateSenderConfigSchema = z
  .strictObject({
    name: safeText(1, 120).optional(),
    providerAccountId: idField.optional(),
    fallbackProviderAccountId: idField.nullable().optional(),
    senderId: senderIdSchema.optional(),
    orgUnitId: ownerWrite.optional(),
  })
  .openapi('UpdateSenderConfig');

export const AttachSenderSchema = z
  .strictObject({ senderConfigId: idField.nullable() })
  .openapi('AttachSender', { description: '`null` detaches: the unit cannot send until one is attached.' });

export type Gateway = z.infer<typeof GatewaySchema>;
export type CreateGateway = z.infer<typeof CreateGatewaySchema>;
export type UpdateGateway = z.infer<typeof UpdateGatewaySchema>;
export type TestSend = z.infer<typeof TestSendSchema>;
export type TestSendResult = z.infer<typeof TestSendResultSchema>;
export type SenderConfig = z.infer<typeof SenderConfigSchema>;
export type CreateSenderConfig = z.infer<typeof CreateSenderConfigSchema>;
export type UpdateSenderConfig = z.infer<typeof UpdateSenderConfigSchema>;
