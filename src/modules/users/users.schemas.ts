import { z } from '@hono/zod-openapi';
import { safeText } from '../../http/schemas.js';
import { ROLES } from '../auth/auth.permissions.js';

export const emailSchema = z
  .string()
  .max(254)
  .pipe(z.email({ error: 'expected an email address' }))
  .transform((e) => e.toLowerCase())
  .openapi({ example: 'anna@example.com' });

/** At least 12 characters; long passphrases welcome. */
export const passwordSchema = z
  .string()
  .min(12, { error: 'use at least 12 characters' })
  .max(256)
  .refine((s) => s.isWellFormed(), { error: 'contains a lone surrogate (invalid Unicode)' });

const roleSchema = z.enum(ROLES);

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    roles: z.array(roleSchema),
    orgUnitIds: z.array(z.string()),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');

export const CreateUserSchema = z
  .strictObject({
    email: emailSchema,
    name: safeText(1, 120),
    password: passwordSchema,
    roles: z.array(roleSchema).min(1).max(ROLES.length),
    orgUnitIds: z.array(z.string().min(1).max(64)).max(500),
  })
  .openapi('CreateUser');

export const UpdateUserSchema = z
  .strictObject({
    name: safeText(1, 120).optional(),
    password: passwordSchema.optional(),
    roles: z.array(roleSchema).min(1).max(ROLES.length).optional(),
    orgUnitIds: z.array(z.string().min(1).max(64)).max(500).optional(),
    active: z.boolean().optional(),
  })
  .openapi('UpdateUser');

export type User = z.infer<typeof UserSchema>;
export type CreateUser = z.infer<typeof CreateUserSchema>;
export type UpdateUser = z.infer<typeof UpdateUserSchema>;
