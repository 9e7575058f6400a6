import { z } from '@hono/zod-openapi';
import { cursorParam, limitParam, safeText, searchText } from '../../http/schemas.js';
import { MESSAGE_CATEGORIES } from './templates.table.js';

/** Longest template body, in UTF-16 code units (ten full GSM parts). */
export const TEMPLATE_BODY_MAX = 1600;
/** Longest text the preview renders (free text in the composer may be longer than a template). */
const PREVIEW_BODY_MAX = 10_000;

/** A message text: `\r\n` and lone `\r` become `\n` (as they are sent), then the usual text rules. */
const messageText = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n'))
    .pipe(safeText(1, max));

const idField = z.string().min(1).max(64);

export const TemplateAnalysisSchema = z
  .object({
    characters: z.number().int(),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    parts: z.number().int(),
    unitsLeftInPart: z.number().int(),
    ucs2Characters: z.array(z.string()),
  })
  .openapi('TemplateAnalysis', {
    description: 'Counter of the body rendered with sample data (real values change the length).',
  });

export const TemplateSchema = z
  .object({
    id: z.string(),
    orgUnitId: z.string(),
    name: z.string(),
    category: z.enum(MESSAGE_CATEGORIES),
    body: z.string(),
    variables: z
      .array(z.string())
      .openapi({ description: 'Variables the body uses, in order of first use.' }),
    analysis: TemplateAnalysisSchema,
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Template');

export const CreateTemplateSchema = z
  .strictObject({
    orgUnitId: idField,
    name: safeText(1, 120),
    category: z.enum(MESSAGE_CATEGORIES),
    body: messageText(TEMPLATE_BODY_MAX).openapi({ example: 'Hello {{contact.first_name}}, …' }),
  })
  .openapi('CreateTemplate');

export const UpdateTemplateSchema = z
  .strictObject({
    name: safeText(1, 120).optional(),
    category: z.enum(MESSAGE_CATEGORIES).optional(),
    body: messageText(TEMPLATE_BODY_MAX).optional(),
  })
  .openapi('UpdateTemplate');

export const templateListQuery = (maxSearchLength: number) =>
  z.object({
    orgUnitId: idField.optional(),
    category: z.enum(MESSAGE_CATEGORIES).optional(),
    q: searchText(maxSearchLength),
    limit: limitParam,
    cursor: cursorParam,
  });

const sampleLeaf = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const sampleKey = z.string().min(1).max(64);

export const PreviewRequestSchema = z
  .strictObject({
    body: messageText(PREVIEW_BODY_MAX).optional(),
    templateId: idField.optional(),
    contactId: idField.optional().openapi({ description: "Render with this contact's data." }),
    sample: z
      .record(sampleKey, z.record(sampleKey, z.union([sampleLeaf, z.record(sampleKey, sampleLeaf)])))
      .optional()
      .openapi({
        description:
          'Values laid over the sample (and contact) data one group at a time, e.g. `{ "document": { "number": "INV-1" } }`.',
      }),
  })
  .refine((r) => (r.body === undefined) !== (r.templateId === undefined), {
    error: 'give either body or templateId',
    path: ['body'],
  })
  .openapi('TemplatePreviewRequest');

export const PreviewResultSchema = z
  .object({
    text: z.string(),
    variables: z.array(z.string()),
    unknownVariables: z.array(z.string()),
    characters: z.number().int(),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    parts: z.number().int(),
    units: z.number().int(),
    unitsPerPart: z.number().int(),
    unitsLeftInPart: z.number().int(),
    ucs2Characters: z.array(z.string()),
  })
  .openapi('TemplatePreview');

export const StandardVariableSchema = z
  .object({
    path: z.string(),
    group: z.enum(['contact', 'sender', 'document', 'org_unit']),
    description: z.string(),
    sample: z.string(),
  })
  .openapi('TemplateVariable');

export type CreateTemplate = z.infer<typeof CreateTemplateSchema>;
export type UpdateTemplate = z.infer<typeof UpdateTemplateSchema>;
export type Template = z.infer<typeof TemplateSchema>;
export type PreviewRequest = z.infer<typeof PreviewRequestSchema>;
export type PreviewResult = z.infer<typeof PreviewResultSchema>;
