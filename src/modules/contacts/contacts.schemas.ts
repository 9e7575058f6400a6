import { z } from '@hono/zod-openapi';
import { ATTRIBUTE_KEY_PATTERN } from '../../core/template/index.js';
import { cursorParam, limitParam, safeText, searchText } from '../../http/schemas.js';
import { timezoneSchema } from '../org-units/org-units.schemas.js';
import { CONTACT_KINDS } from './contacts.table.js';

/** Most attributes a contact may carry; each is one `{{contact.attributes.<key>}}` template variable. */
export const MAX_ATTRIBUTES = 50;
/** Most phone numbers per contact. */
export const MAX_PHONES = 10;

/** Keys that would reach an object's prototype when a template engine walks the attributes. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const attributeKey = z
  .string()
  .max(64)
  .regex(ATTRIBUTE_KEY_PATTERN, {
    error: 'attribute keys start with a letter or _ and contain only letters, digits, _ and -',
  })
  .refine((k) => !RESERVED_KEYS.has(k), { error: 'this attribute key is reserved' });

/** A flat object: template variables are text, so values are strings, numbers or booleans only. */
export const attributesSchema = z
  .record(attributeKey, z.union([safeText(0, 1000), z.number().finite(), z.boolean()]))
  .refine((o) => Object.keys(o).length <= MAX_ATTRIBUTES, {
    error: `at most ${MAX_ATTRIBUTES} attributes`,
  })
  .openapi({ example: { customer_no: 'C-1042', vip: true } });

/** A BCP 47 tag, canonicalised (`de-de` → `de-DE`); the POSIX spelling `de_DE` is accepted too. */
export const localeSchema = z
  .string()
  .max(35)
  .transform((s, ctx) => {
    try {
      return Intl.getCanonicalLocales(s.replaceAll('_', '-'))[0] ?? s;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a BCP 47 language tag such as de-DE' });
      return z.NEVER;
    }
  })
  .openapi({ type: 'string', example: 'de-DE' });

export const PhoneInputSchema = z
  .strictObject({
    number: safeText(1, 64).openapi({ example: '0151 23456789' }),
    label: safeText(1, 40).default('mobile'),
    primary: z.boolean().optional(),
  })
  .openapi('ContactPhoneInput');

/** Numbers without `+` are read in the default region of the contact's org unit. */
const phonesSchema = z
  .array(PhoneInputSchema)
  .max(MAX_PHONES)
  .refine((a) => a.filter((p) => p.primary === true).length <= 1, {
    error: 'at most one phone can be primary',
  })
  .openapi({ description: 'When none is marked primary, the first one is.' });

const optionalText = (max: number) => safeText(1, max).nullable().optional();

export const CreateContactSchema = z
  .strictObject({
    orgUnitId: z.string().min(1).max(64),
    kind: z.enum(CONTACT_KINDS),
    name: safeText(1, 200),
    firstName: optionalText(100),
    lastName: optionalText(100),
    party: optionalText(200).openapi({ description: 'The customer / supplier / sales partner.' }),
    department: optionalText(100),
    branch: optionalText(100),
    status: optionalText(40).openapi({
      description: 'lead: open, converted, lost; employee: active, left; no status for other kinds.',
    }),
    locale: localeSchema.nullable().optional(),
    timezone: timezoneSchema.nullable().optional(),
    attributes: attributesSchema.default({}),
    phones: phonesSchema.default([]),
  })
  .openapi('CreateContact');

export const UpdateContactSchema = z
  .strictObject({
    orgUnitId: z.string().min(1).max(64).optional(),
    kind: z.enum(CONTACT_KINDS).optional(),
    name: safeText(1, 200).optional(),
    firstName: optionalText(100),
    lastName: optionalText(100),
    party: optionalText(200),
    department: optionalText(100),
    branch: optionalText(100),
    status: optionalText(40),
    locale: localeSchema.nullable().optional(),
    timezone: timezoneSchema.nullable().optional(),
    attributes: attributesSchema.optional(),
    phones: phonesSchema.optional().openapi({ description: 'Replaces every phone of the contact.' }),
  })
  .openapi('UpdateContact');

export const ContactPhoneSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    primary: z.boolean(),
    e164: z.string().nullable(),
    country: z.string().nullable(),
    lineType: z.string().nullable(),
    original: z.string(),
  })
  .openapi('ContactPhone');

export const ContactSchema = z
  .object({
    id: z.string(),
    orgUnitId: z.string(),
    kind: z.enum(CONTACT_KINDS),
    name: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    party: z.string().nullable(),
    department: z.string().nullable(),
    branch: z.string().nullable(),
    status: z.string().nullable(),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    phones: z.array(ContactPhoneSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Contact');

/** `kind=lead&kind=employee` or `kind=lead,employee`. */
const kindList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(CONTACT_KINDS)).max(CONTACT_KINDS.length))
  .optional()
  .openapi({ type: 'string', description: 'One or more kinds: repeat the parameter or separate by commas.' });

const filterText = z.string().min(1).max(200).optional();

/** The filters of the contact list and of the CSV export. */
export const contactFilterQuery = (maxSearchLength: number) =>
  z.object({
    q: searchText(maxSearchLength).openapi({ description: 'Name contains (case-insensitive).' }),
    phone: z.string().min(1).max(64).optional().openapi({
      description: 'Any notation; normalised and matched exactly on E.164.',
    }),
    party: filterText.openapi({ description: 'Exact party, case-insensitive.' }),
    kind: kindList,
    department: filterText,
    branch: filterText,
    orgUnitId: z.string().min(1).max(64).optional(),
    status: z.string().min(1).max(40).optional(),
  });

export const contactListQuery = (maxSearchLength: number) =>
  contactFilterQuery(maxSearchLength).extend({ limit: limitParam, cursor: cursorParam });

export const IMPORT_DELIMITERS = ['auto', ',', ';', '\t', 'tab'] as const;

export const ImportQuerySchema = z.object({
  orgUnitId: z.string().min(1).max(64),
  delimiter: z
    .enum(IMPORT_DELIMITERS)
    .default('auto')
    .openapi({ description: '`auto` looks at the header line; `tab` or `%09` for tab.' }),
  mapping: z.string().max(10_000).optional().openapi({
    description:
      'JSON object from field to CSV header, e.g. {"name":"Kunde","mobile":"Handy","attr_customer_no":"Nr"}. Without it, headers are recognised by name.',
  }),
  attestation: safeText(1, 2000).optional().openapi({
    description: 'Required when the file has a consent column: how the consent was collected.',
  }),
  defaultKind: z.enum(CONTACT_KINDS).default('other').openapi({
    description: 'Kind of rows that have no kind column or an empty kind cell.',
  }),
});

export const ImportJobSchema = z
  .object({
    id: z.string(),
    orgUnitId: z.string(),
    state: z.enum(['running', 'done', 'failed']),
    createdBy: z.string(),
    rowsTotal: z.number().int(),
    rowsImported: z.number().int(),
    rowsDuplicate: z.number().int(),
    rowsFailed: z.number().int(),
    bytesRead: z.number().int(),
    bytesTotal: z.number().int().nullable(),
    error: z.string().nullable(),
    options: z.object({
      delimiter: z.string(),
      columns: z.record(z.string(), z.string()),
      ignoredColumns: z.array(z.string()),
      consentColumn: z.boolean(),
      defaultKind: z.string(),
    }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ContactImportJob');

export const ImportRowErrorSchema = z
  .object({
    rowNumber: z.number().int().openapi({ description: '1-based data row (the header is not counted).' }),
    lineNumber: z.number().int().nullable().openapi({ description: 'CSV line the row starts on.' }),
    kind: z.string(),
    message: z.string(),
    raw: z.string().nullable(),
  })
  .openapi('ContactImportRowError');

export type CreateContact = z.infer<typeof CreateContactSchema>;
export type UpdateContact = z.infer<typeof UpdateContactSchema>;
export type Contact = z.infer<typeof ContactSchema>;
export type ContactPhone = z.infer<typeof ContactPhoneSchema>;
export type PhoneInput = z.infer<typeof PhoneInputSchema>;
export type ImportJob = z.infer<typeof ImportJobSchema>;
export type ImportRowError = z.infer<typeof ImportRowErrorSchema>;
export type ImportQuery = z.infer<typeof ImportQuerySchema>;
