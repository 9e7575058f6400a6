import { z } from '@hono/zod-openapi';
import { safeText } from '../../http/schemas.js';
import { MESSAGE_CATEGORIES } from '../templates/templates.table.js';
import { ELIGIBILITY, RECIPIENT_GROUP_NAMES } from './send.groups.js';

const id = z.string().min(1).max(64);
/** Message text: normalised later by the encoder; here only bounded (the org unit's limit is checked after). */
const textSchema = z
  .string()
  .max(10_000)
  .refine((s) => s.isWellFormed(), { error: 'contains a lone surrogate (invalid Unicode)' });
const phoneInput = z.string().min(1).max(64);
const referenceSchema = z.strictObject({ type: safeText(1, 64), id: safeText(1, 128) }).openapi({
  description: 'The business document the message is about, e.g. `{ "type": "invoice", "id": "INV-0042" }`.',
});
/** Values for `{{document.*}}` variables, e.g. number, amount, due_date (formatted by the caller). */
const documentSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
    z.union([z.string().max(500), z.number(), z.boolean()]),
  )
  .refine((o) => Object.keys(o).length <= 50, { error: 'at most 50 document fields' });

const contentFields = {
  text: textSchema.optional().openapi({ description: 'The message; or give `templateId`.' }),
  templateId: id.optional(),
  category: z.enum(MESSAGE_CATEGORIES).optional().openapi({
    description: "Defaults to the template's category, else `transactional`.",
  }),
  document: documentSchema.optional(),
  reference: referenceSchema.optional(),
  scheduledAt: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Send later; omit to send now.' }),
  validityHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .optional(),
  transliterate: z.boolean().optional().openapi({
    description: 'Replace look-alike characters (curly quotes, dashes, …) so the text stays GSM 7-bit.',
  }),
};

export const SendMessageSchema = z
  .strictObject({
    orgUnitId: id
      .optional()
      .openapi({ description: "Required with `to`; with `contactId` the contact's unit." }),
    to: phoneInput.optional().openapi({ example: '+4915123456789' }),
    contactId: id.optional(),
    phoneId: id.optional().openapi({ description: "Which of the contact's numbers; default its primary." }),
    ...contentFields,
  })
  .openapi('SendMessage');
export type SendMessageInput = z.infer<typeof SendMessageSchema>;

const FiltersSchema = z.strictObject({
  customer: safeText(1, 200).optional(),
  supplier: safeText(1, 200).optional(),
  salesPartner: safeText(1, 200).optional(),
  department: safeText(1, 200).optional(),
  branch: safeText(1, 200).optional(),
  orgUnitIds: z.array(id).max(500).optional(),
});

export const RecipientsSchema = z
  .strictObject({
    numbers: z.array(phoneInput).max(200_000).optional(),
    contactIds: z.array(id).max(200_000).optional(),
    group: z.enum(RECIPIENT_GROUP_NAMES).optional(),
    filters: FiltersSchema.optional(),
  })
  .openapi('Recipients');
export type RecipientsInput = z.infer<typeof RecipientsSchema>;

export const SendBatchSchema = z
  .strictObject({ orgUnitId: id, recipients: RecipientsSchema, ...contentFields })
  .openapi('SendBatch');
export type SendBatchInput = z.infer<typeof SendBatchSchema>;

export const ReceiverListRequestSchema = z
  .strictObject({
    orgUnitId: id,
    recipients: RecipientsSchema,
    category: z.enum(MESSAGE_CATEGORIES).default('transactional'),
    includeItems: z.boolean().default(true),
  })
  .openapi('ReceiverListRequest');

export const ReceiverSchema = z.object({
  contactId: z.string().nullable(),
  name: z.string().nullable(),
  orgUnitId: z.string(),
  phone: z.string().nullable(),
  e164: z.string().nullable(),
  eligibility: z.enum(ELIGIBILITY),
});

export const ReceiverListSchema = z
  .object({
    totals: z.record(z.enum(ELIGIBILITY), z.number()).and(z.object({ requested: z.number() })),
    items: z.array(ReceiverSchema).optional(),
  })
  .openapi('ReceiverList');

export const CountRequestSchema = z
  .strictObject({ text: textSchema, orgUnitId: id.optional(), transliterate: z.boolean().optional() })
  .openapi('CountRequest');

export const CountSchema = z
  .object({
    text: z.string(),
    characters: z.number(),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    units: z.number(),
    parts: z.number(),
    unitsPerPart: z.number(),
    unitsLeftInPart: z.number(),
    ucs2Characters: z.array(z.string()),
    transliterated: z.array(z.object({ from: z.string(), to: z.string(), count: z.number() })),
    maxLength: z.number().nullable(),
    maxParts: z.number().nullable(),
    tooLong: z.boolean(),
    tooManyParts: z.boolean(),
    estimatedCost: z.object({ amount: z.number(), currency: z.string() }).nullable(),
  })
  .openapi('TextCount');

export const BatchResultSchema = z
  .object({
    batchId: z.string(),
    requestedCount: z.number(),
    queuedCount: z.number(),
    scheduledCount: z.number(),
    blockedCount: z.number(),
    blocked: z.record(z.string(), z.number()),
    replayed: z.boolean(),
  })
  .openapi('BatchResult');

export const SentMessageSchema = z
  .object({
    id: z.string(),
    batchId: z.string(),
    to: z.string(),
    status: z.string(),
    statusReason: z.string().nullable(),
    body: z.string(),
    encoding: z.string(),
    parts: z.number(),
    characters: z.number(),
    scheduledAt: z.string().nullable(),
    expiresAt: z.string(),
    replayed: z.boolean(),
  })
  .openapi('SentMessage');
