import { z } from '@hono/zod-openapi';
import { safeText } from '../../http/schemas.js';
import { PERMISSIONS } from '../auth/auth.permissions.js';

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart.' }),
    permissions: z.array(z.enum(PERMISSIONS)),
    orgUnitIds: z.array(z.string()),
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The secret key. Shown once; Herald stores only its hash.' }),
}).openapi('CreatedApiKey');

export const CreateApiKeySchema = z
  .strictObject({
    name: safeText(1, 120),
    permissions: z.array(z.enum(PERMISSIONS)).min(1).max(PERMISSIONS.length),
    orgUnitIds: z.array(z.string().min(1).max(64)).min(1).max(500),
    expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
  })
  .openapi('CreateApiKey');

export type ApiKey = z.infer<typeof ApiKeySchema>;
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;
