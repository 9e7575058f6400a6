import { z } from '@hono/zod-openapi';
import { STATUSES } from '../../core/status/index.js';
import { cursorParam, limitParam, searchText } from '../../http/schemas.js';
import { MESSAGE_CATEGORIES } from '../templates/templates.table.js';

const MAX_LIST_VALUES = 100;

/**
 * A query parameter that takes several values, repeated (`?status=failed&status=expired`) or
 * comma-separated (`?status=failed,expired`), or both. Empty items are ignored.
 */
export const listParam = <T extends z.ZodType<string, string>>(item: T, description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(item).max(MAX_LIST_VALUES))
    .optional()
    .openapi({ description });

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * An instant given as an ISO-8601 date (`2026-11-01`, midnight UTC) or date-time with `Z` or an offset,
 * normalised to the stored form (`toISOString()`, UTC, milliseconds), so it compares correctly as text on
 * SQLite and as a timestamp on PostgreSQL. `endOfDay`: a bare date means the end of that day (the next
 * midnight, exclusive), so `to=2026-11-30` includes all of 30 November.
 */
export const instantParam = (endOfDay: boolean, description: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })])
    .transform((s) => {
      const t = new Date(DATE_ONLY.test(s) ? `${s}T00:00:00.000Z` : s).getTime();
      return new Date(DATE_ONLY.test(s) && endOfDay ? t + DAY_MS : t).toISOString();
    })
    .optional()
    .openapi({ description, example: endOfDay ? '2026-11-30' : '2026-11-01' });

const id = z.string().min(1).max(64);

export const MESSAGE_SORTS = ['-createdAt', 'createdAt', 'status'] as const;
export type MessageSort = (typeof MESSAGE_SORTS)[number];

/** Query of GET /api/messages (and `herald messages list`). */
export const messageQuerySchema = (maxSearchLength: number) =>
  z.object({
    q: searchText(maxSearchLength).openapi({
      description:
        'Text the message body contains (case-insensitive). Without `from`, only the last 14 days are searched (see docs/messages.md).',
    }),
    phone: z.string().min(1).max(64).optional().openapi({
      description:
        'Recipient number: any format parsePhone understands (with `+`, or national in the region of the one `orgUnitId` given) matches the normalised number; anything else matches the number exactly as it was requested.',
      example: '+4915123456789',
    }),
    from: instantParam(false, 'Created at or after (inclusive).'),
    to: instantParam(true, 'Created before (exclusive; a bare date includes that whole day, UTC).'),
    status: listParam(z.enum(STATUSES), 'One or more statuses.'),
    orgUnitId: listParam(
      id,
      'One or more org units (exactly these, not their descendants). Default: every unit you see.',
    ),
    batchId: id.optional(),
    contactId: id.optional(),
    referenceType: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'Business document type, e.g. `invoice`.' }),
    referenceId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'Business document id, e.g. `INV-0042`; needs `referenceType`.' }),
    resent: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .openapi({ description: '`true`: messages that were resent or are resends; `false`: neither.' }),
    category: listParam(z.enum(MESSAGE_CATEGORIES), 'One or more categories.'),
    sort: z.enum(MESSAGE_SORTS).default('-createdAt').openapi({
      description:
        '`-createdAt` newest first (default), `createdAt` oldest first, `status` by status code (A–Z), newest first within a status.',
    }),
    limit: limitParam,
    cursor: cursorParam.openapi({ description: '`nextCursor` of the previous page (same sort).' }),
  });

export type MessageQuery = z.output<ReturnType<typeof messageQuerySchema>>;

export const MessageSchema = z
  .object({
    id: z.string(),
    to: z
      .string()
      .openapi({ description: 'The normalised number (E.164), or the input when it was not valid.' }),
    body: z.string(),
    encoding: z.string(),
    parts: z.number().int(),
    characters: z.number().int(),
    status: z.enum(STATUSES),
    statusLabel: z.string().openapi({ example: 'Received' }),
    statusReason: z.string().nullable(),
    statusReasonLabel: z.string().nullable(),
    category: z.string(),
    orgUnitId: z.string(),
    batchId: z.string().nullable(),
    contactId: z.string().nullable(),
    reference: z.object({ type: z.string(), id: z.string() }).nullable(),
    gateway: z.object({ providerAccountId: z.string().nullable(), messageId: z.string().nullable() }),
    attempts: z.number().int(),
    createdAt: z.string(),
    scheduledAt: z.string().nullable(),
    submittedAt: z.string().nullable(),
    finalAt: z.string().nullable(),
    resentOf: z.string().nullable().openapi({ description: 'This message is a resend of that message.' }),
    resentBy: z.string().nullable().openapi({ description: 'This message was resent (set by the resend).' }),
    canResend: z.boolean(),
    canCancel: z.boolean(),
  })
  .openapi('Message');

export const MessageEventSchema = z
  .object({
    id: z.string(),
    occurredAt: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string(),
    toStatusLabel: z.string(),
    applied: z.boolean().openapi({
      description:
        'False when the status machine ignored it (a late or duplicate report), kept for the record.',
    }),
    reason: z.string().nullable(),
    source: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('MessageEvent');

export const MessageDetailSchema = MessageSchema.extend({
  senderId: z.string().nullable(),
  expiresAt: z.string(),
  error: z.object({ code: z.string().nullable(), text: z.string().nullable() }).nullable(),
  history: z.array(MessageEventSchema).openapi({ description: 'Every status event, oldest first.' }),
}).openapi('MessageDetail');

export const MessagePageSchema = z.object({
  items: z.array(MessageSchema),
  nextCursor: z.string().nullable(),
});

export type MessageView = z.infer<typeof MessageSchema>;
export type MessageDetailView = z.infer<typeof MessageDetailSchema>;
export type MessageEventView = z.infer<typeof MessageEventSchema>;
