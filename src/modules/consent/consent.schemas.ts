import { z } from '@hono/zod-openapi';
import { safeText } from '../../http/schemas.js';
import { CONSENT_SOURCES, CONSENT_STATES } from './consent.table.js';

export const ConsentEventSchema = z
  .object({
    id: z.string(),
    state: z.enum(CONSENT_STATES),
    source: z.enum(CONSENT_SOURCES),
    actor: z.object({ type: z.string(), id: z.string().nullable() }),
    occurredAt: z.string(),
    textVersion: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()),
  })
  .openapi('ConsentEvent');

export const ConsentSchema = z
  .object({ e164: z.string(), state: z.enum(CONSENT_STATES), history: z.array(ConsentEventSchema) })
  .openapi('Consent');

export const RecordConsentSchema = z
  .strictObject({
    phone: safeText(1, 64).openapi({ example: '+4915123456789' }),
    orgUnitId: z.string().min(1).max(64).optional().openapi({
      description: 'Parse a number without `+` in the default region of this org unit.',
    }),
    state: z.enum(CONSENT_STATES),
    textVersion: safeText(1, 100).nullable().optional(),
    evidence: z
      .record(z.string().max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
      .refine((o) => Object.keys(o).length <= 20, { error: 'at most 20 evidence fields' })
      .optional(),
  })
  .openapi('RecordConsent');
