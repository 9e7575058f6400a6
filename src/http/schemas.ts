import { z } from '@hono/zod-openapi';

/** Control characters other than tab and line feed have no place in names and texts. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/**
 * A user-supplied text field: well-formed Unicode (no lone surrogates), no control characters,
 * NFC-normalised and trimmed, between `min` and `max` characters.
 */
export const safeText = (min: number, max: number) =>
  z
    .string()
    .refine((s) => s.isWellFormed(), { error: 'contains a lone surrogate (invalid Unicode)' })
    .refine((s) => !CONTROL.test(s), { error: 'contains control characters' })
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(min).max(max));

/** Search strings on list endpoints, capped by HERALD_MAX_SEARCH_LENGTH. */
export const searchText = (maxLength: number) =>
  z
    .string()
    .max(maxLength, { error: `search text is longer than ${maxLength} characters` })
    .refine((s) => s.isWellFormed(), { error: 'contains a lone surrogate (invalid Unicode)' })
    .optional();

export const limitParam = z.coerce.number().int().min(1).max(500).default(50);
export const cursorParam = z.string().max(500).optional();

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    issues: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional(),
  })
  .openapi('Problem');

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** One problem+json response for the OpenAPI document. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The problem+json responses every route may return, for the OpenAPI document. */
export const problemResponses = {
  400: problemResponse('Malformed request'),
  401: problemResponse('Not authenticated'),
  403: problemResponse('Not allowed'),
  422: problemResponse('Validation failed'),
} as const;
