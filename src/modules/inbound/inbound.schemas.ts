import { z } from '@hono/zod-openapi';
import { cursorParam, limitParam } from '../../http/schemas.js';
import { instantParam } from '../messages/messages.schemas.js';
import { KEYWORD_LANGUAGES } from './inbound.keywords.js';
import { KEYWORD_ACTIONS, KEYWORD_EFFECTS } from './inbound.table.js';

const id = z.string().min(1).max(64);

/** Query of GET /api/inbound (and `herald inbound list`). */
export const inboundQuerySchema = z.object({
  number: z.string().min(1).max(64).optional().openapi({
    description:
      "The sender's number: in E.164 (`+4915…`) it matches the normalised number; otherwise the number exactly as the gateway wrote it.",
  }),
  contactId: id.optional(),
  keyword: z
    .enum([...KEYWORD_ACTIONS, 'any', 'none'])
    .optional()
    .openapi({
      description: 'Messages that were this keyword action; `any`: any keyword; `none`: ordinary replies.',
    }),
  orgUnitId: id.optional().openapi({ description: 'Exactly this org unit. Default: every unit you see.' }),
  from: instantParam(false, 'Received at or after (inclusive).'),
  to: instantParam(true, 'Received before (exclusive; a bare date includes that whole day, UTC).'),
  limit: limitParam,
  cursor: cursorParam.openapi({ description: '`nextCursor` of the previous page.' }),
});
export type InboundQuery = z.output<typeof inboundQuerySchema>;

export const InboundSchema = z
  .object({
    id: z.string(),
    orgUnitId: z.string(),
    providerAccountId: z.string(),
    gatewayMessageId: z.string().nullable(),
    from: z.string().openapi({ description: 'The sender as the gateway wrote it.' }),
    fromE164: z.string().nullable().openapi({ description: 'The sender in E.164, when it could be parsed.' }),
    to: z.string().openapi({ description: 'Our number, short code or sender id it was sent to.' }),
    text: z.string(),
    receivedAt: z.string(),
    storedAt: z.string(),
    contactId: z.string().nullable(),
    lastMessageId: z
      .string()
      .nullable()
      .openapi({ description: 'The last message sent to this number before it arrived.' }),
    keyword: z
      .object({
        keyword: z.string(),
        action: z.enum(KEYWORD_ACTIONS),
        effect: z.enum(KEYWORD_EFFECTS).nullable(),
        consentEventId: z.string().nullable(),
        replyMessageId: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: 'Set when the text was a keyword: what it asked for and what it did.' }),
  })
  .openapi('InboundMessage');

export const InboundPageSchema = z.object({
  items: z.array(InboundSchema),
  nextCursor: z.string().nullable(),
});

const keywordList = z.array(z.string().trim().min(1).max(40)).max(50);
const replyText = z.string().trim().min(1).max(480);

export const KeywordListsSchema = z.object({
  optOut: keywordList,
  optIn: keywordList,
  optInIfOptedOut: keywordList,
  help: keywordList,
});

export const KeywordRepliesSchema = z.object({ optOut: replyText, optIn: replyText, help: replyText });

export const KeywordSettingsSchema = z
  .object({
    orgUnitId: z.string(),
    language: z.enum(KEYWORD_LANGUAGES),
    keywords: KeywordListsSchema,
    replies: KeywordRepliesSchema,
    customized: z
      .boolean()
      .openapi({ description: 'False: every value is the default of the language of the unit’s region.' }),
    updatedAt: z.string().nullable(),
  })
  .openapi('KeywordSettings');

/** PUT body: fields left out (or `null`) go back to the language's default. */
export const PutKeywordSettingsSchema = z
  .object({
    language: z.enum(KEYWORD_LANGUAGES).nullable().optional().openapi({
      description: 'Whose defaults fill the fields left out. Default: the language of the unit’s region.',
    }),
    keywords: KeywordListsSchema.partial().optional(),
    replies: KeywordRepliesSchema.partial().optional().openapi({
      description: '`{{org_unit.name}}` in a reply is replaced by the unit’s name.',
    }),
  })
  .strict();
export type PutKeywordSettings = z.output<typeof PutKeywordSettingsSchema>;

/** POST /api/inbound/simulate: a simulated handset's SMS to a simulator gateway. */
export const SimulateInboundSchema = z
  .object({
    providerAccountId: id,
    from: z.string().trim().min(1).max(64).openapi({ example: '+4915123456789' }),
    to: z.string().trim().min(1).max(64).optional().openapi({
      description: "The number or sender id it is sent to. Default: the account's first sender id.",
    }),
    text: z.string().min(1).max(1600),
    gatewayMessageId: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Default: a new one. Send one again to see a replay stored once.' }),
  })
  .strict();

export const SimulateInboundResultSchema = z.object({
  inbound: InboundSchema.nullable().openapi({
    description: 'The stored message; null when the gateway message id was stored before (a replay).',
  }),
});
