import { z } from '@hono/zod-openapi';
import { safeText } from '../../http/schemas.js';
import { regionSchema, timezoneSchema } from '../org-units/org-units.schemas.js';
import { emailSchema, passwordSchema } from '../users/users.schemas.js';
import { PERMISSIONS, ROLES } from './auth.permissions.js';

export const SetupSchema = z
  .strictObject({
    email: emailSchema,
    name: safeText(1, 120),
    password: passwordSchema,
    orgUnit: z.strictObject({
      name: safeText(1, 120),
      defaultRegion: regionSchema,
      timezone: timezoneSchema,
    }),
  })
  .openapi('Setup');
export type SetupInput = z.infer<typeof SetupSchema>;

export const LoginSchema = z
  .strictObject({ email: z.string().max(254), password: z.string().max(256) })
  .openapi('Login');

export const MeSchema = z
  .object({
    kind: z.enum(['user', 'api_key']),
    id: z.string(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)).optional(),
    permissions: z.array(z.enum(PERMISSIONS)),
    orgUnits: z.union([z.literal('all'), z.array(z.string())]),
    csrfToken: z.string().optional(),
  })
  .openapi('Me');
