import { z } from '@hono/zod-openapi';
import { getCountries } from 'libphonenumber-js/max';
import { safeText } from '../../http/schemas.js';

const REGIONS = new Set<string>(getCountries());
const TIMEZONES = new Set(Intl.supportedValuesOf('timeZone'));

export const regionSchema = z
  .string()
  .refine((r) => REGIONS.has(r), { error: 'expected an ISO 3166-1 alpha-2 region such as DE or US' })
  .openapi({ example: 'DE' });

export const timezoneSchema = z
  .string()
  .refine((tz) => tz === 'UTC' || TIMEZONES.has(tz), {
    error: 'expected an IANA time zone such as Europe/Berlin',
  })
  .openapi({ example: 'Europe/Berlin' });

export const OrgUnitSchema = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    name: z.string(),
    defaultRegion: z.string(),
    timezone: z.string(),
    sendingEnabled: z.boolean(),
    senderConfigId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('OrgUnit');

export const CreateOrgUnitSchema = z
  .strictObject({
    name: safeText(1, 120),
    parentId: z.string().min(1).max(64).nullable(),
    defaultRegion: regionSchema,
    timezone: timezoneSchema,
    sendingEnabled: z.boolean().default(true),
  })
  .openapi('CreateOrgUnit');

export const UpdateOrgUnitSchema = z
  .strictObject({
    name: safeText(1, 120).optional(),
    parentId: z.string().min(1).max(64).nullable().optional(),
    defaultRegion: regionSchema.optional(),
    timezone: timezoneSchema.optional(),
    sendingEnabled: z.boolean().optional(),
  })
  .openapi('UpdateOrgUnit');

export type CreateOrgUnit = z.infer<typeof CreateOrgUnitSchema>;
export type UpdateOrgUnit = z.infer<typeof UpdateOrgUnitSchema>;
export type OrgUnit = z.infer<typeof OrgUnitSchema>;
