import { z } from '@hono/zod-openapi';
import { getCountries } from 'libphonenumber-js/max';
import { safeText } from '../../http/schemas.js';
import { MESSAGE_CATEGORIES } from '../templates/templates.table.js';

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

/** Which message categories need an explicit opt-in in this unit (opted-out numbers are always blocked). */
const categoriesSchema = z
  .array(z.enum(MESSAGE_CATEGORIES))
  .max(MESSAGE_CATEGORIES.length)
  .transform((a) => [...new Set(a)].sort());
const maxTextLengthSchema = z.number().int().min(1).max(10_000);

export const OrgUnitSchema = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    name: z.string(),
    defaultRegion: z.string(),
    timezone: z.string(),
    sendingEnabled: z.boolean(),
    senderConfigId: z.string().nullable(),
    consentRequiredCategories: z.array(z.enum(MESSAGE_CATEGORIES)),
    maxTextLength: z.number().int(),
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
    consentRequiredCategories: categoriesSchema.default(['marketing']),
    maxTextLength: maxTextLengthSchema.default(1000),
  })
  .openapi('CreateOrgUnit');

export const UpdateOrgUnitSchema = z
  .strictObject({
    name: safeText(1, 120).optional(),
    parentId: z.string().min(1).max(64).nullable().optional(),
    defaultRegion: regionSchema.optional(),
    timezone: timezoneSchema.optional(),
    sendingEnabled: z.boolean().optional(),
    consentRequiredCategories: categoriesSchema.optional(),
    maxTextLength: maxTextLengthSchema.optional(),
  })
  .openapi('UpdateOrgUnit');

export type CreateOrgUnit = z.infer<typeof CreateOrgUnitSchema>;
export type UpdateOrgUnit = z.infer<typeof UpdateOrgUnitSchema>;
export type OrgUnit = z.infer<typeof OrgUnitSchema>;
