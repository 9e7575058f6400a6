import { z } from '@hono/zod-openapi';
import { cursorParam, limitParam, searchText } from '../../http/schemas.js';
import { instantParam, listParam } from '../messages/messages.schemas.js';

/** Query of GET /api/batches (the SMS Log). */
export const batchQuerySchema = (maxSearchLength: number) =>
  z.object({
    orgUnitId: listParam(
      z.string().min(1).max(64),
      'One or more org units (exactly these). Default: every unit you see.',
    ),
    from: instantParam(false, 'Sent on or after (inclusive).'),
    to: instantParam(true, 'Sent before (exclusive; a bare date includes that whole day, UTC).'),
    q: searchText(maxSearchLength).openapi({ description: 'Text the message contains (case-insensitive).' }),
    senderName: searchText(maxSearchLength).openapi({
      description: 'Text the sender name contains (case-insensitive).',
    }),
    limit: limitParam,
    cursor: cursorParam,
  });

export type BatchQuery = z.output<ReturnType<typeof batchQuerySchema>>;

export const BatchSchema = z
  .object({
    id: z.string(),
    orgUnitId: z.string(),
    senderName: z
      .string()
      .openapi({ description: 'The user or API key that sent it, by its name at the time.' }),
    senderType: z.enum(['user', 'api_key']),
    sentOn: z.string().openapi({ description: 'When the send action was made (created).' }),
    scheduledAt: z.string().nullable(),
    canceledAt: z.string().nullable(),
    message: z.string(),
    category: z.string(),
    templateId: z.string().nullable(),
    requestedCount: z.number().int().openapi({
      description: 'Recipients asked for, as counted by the send action (duplicates included).',
    }),
    messageCount: z
      .number()
      .int()
      .openapi({ description: 'Messages the batch holds (one per distinct number).' }),
    sentCount: z.number().int().openapi({ description: 'Messages now accepted, sent or delivered.' }),
    deliveredCount: z.number().int().openapi({ description: 'Messages now delivered (part of sentCount).' }),
    failedCount: z
      .number()
      .int()
      .openapi({ description: 'Messages now undelivered, rejected, failed, status_timeout or expired.' }),
    blockedCount: z.number().int().openapi({ description: 'Messages blocked by policy (never sent).' }),
    pendingCount: z
      .number()
      .int()
      .openapi({ description: 'Messages now scheduled, queued, sending or unknown.' }),
    canceledCount: z.number().int(),
    canCancel: z.boolean().openapi({ description: 'Some messages are still scheduled or queued.' }),
  })
  .openapi('Batch');

export const BatchDetailSchema = BatchSchema.extend({
  requestedNumbers: z
    .array(z.string())
    .openapi({ description: 'The number of each message as requested, in the order of the request.' }),
  sentNumbers: z
    .array(z.string())
    .openapi({ description: 'The numbers (E.164) of the messages counted in sentCount, in the same order.' }),
}).openapi('BatchDetail');

export const BatchPageSchema = z.object({ items: z.array(BatchSchema), nextCursor: z.string().nullable() });

export const BatchCancelSchema = z
  .object({
    canceled: z.number().int().openapi({ description: 'How many messages this request canceled.' }),
    batch: BatchSchema,
  })
  .openapi('BatchCancel');

export type BatchView = z.infer<typeof BatchSchema>;
export type BatchDetailView = z.infer<typeof BatchDetailSchema>;
