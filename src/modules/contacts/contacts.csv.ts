import { ATTRIBUTE_KEY_PATTERN } from '../../core/template/index.js';
import type { ConsentState } from '../consent/consent.table.js';
import { CONTACT_KINDS, type ContactKind } from './contacts.table.js';

/**
 * The CSV dialect of contact files: delimiter detection, header recognition, cell values that mean
 * something (kind, consent), and the formula neutralisation of exports. Pure functions.
 */

export type Delimiter = ',' | ';' | '\t';
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/**
 * Picks the delimiter from the header line: the candidate that occurs most often outside quotes
 * (a header has no numbers with decimal commas, so `;` files are told apart from `,` files reliably).
 * Ties and a header with none of them (one column) mean `,`.
 */
export function detectDelimiter(head: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of head.startsWith('\uFEFF') ? head.slice(1) : head) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as Delimiter))
      counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** Columns that hold phone numbers, in the order that decides which one is primary. */
export const PHONE_FIELDS = ['mobile', 'phone', 'phone2'] as const;
export const SCALAR_FIELDS = [
  'name',
  'first_name',
  'last_name',
  'kind',
  'party',
  'department',
  'branch',
  'status',
  'locale',
  'timezone',
  'consent',
] as const;
export type PhoneField = (typeof PHONE_FIELDS)[number];
export type ScalarField = (typeof SCALAR_FIELDS)[number];
/** A target of a CSV column: a contact field, a phone, or `attr_<key>` for an attribute. */
export type ImportField = ScalarField | PhoneField | `attr_${string}`;

/** Header spellings recognised without a mapping, after {@link normalizeHeader}. */
const ALIASES: Record<ScalarField | PhoneField, readonly string[]> = {
  name: ['name', 'full_name', 'fullname', 'contact_name', 'display_name', 'contact'],
  first_name: ['first_name', 'firstname', 'given_name', 'first'],
  last_name: ['last_name', 'lastname', 'surname', 'family_name', 'last'],
  kind: ['kind', 'type', 'contact_type', 'contact_kind'],
  party: [
    'party',
    'company',
    'company_name',
    'customer',
    'supplier',
    'sales_partner',
    'organization',
    'organisation',
  ],
  department: ['department', 'dept'],
  branch: ['branch'],
  status: ['status'],
  locale: ['locale', 'language', 'lang'],
  timezone: ['timezone', 'time_zone', 'tz'],
  consent: ['consent', 'sms_consent', 'sms_opt_in', 'opt_in'],
  mobile: [
    'mobile',
    'mobile_no',
    'mobile_number',
    'mobile_phone',
    'cell',
    'cell_phone',
    'cellphone',
    'handy',
  ],
  phone: ['phone', 'phone_no', 'phone_number', 'telephone', 'tel', 'landline', 'work_phone'],
  phone2: ['phone2', 'phone_2', 'second_phone', 'other_phone', 'alternate_phone', 'mobile2', 'mobile_2'],
};
const FIELD_OF_ALIAS = new Map<string, ScalarField | PhoneField>(
  Object.entries(ALIASES).flatMap(([field, names]) =>
    names.map((n) => [n, field as ScalarField | PhoneField]),
  ),
);

/** `"Mobile No."` → `mobile_no`: lower case, runs of anything but letters and digits become `_`. */
export const normalizeHeader = (h: string) =>
  h
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');

const ATTR_PREFIX = /^attr[_.:-]/i;

/** The field a header means by itself, or null (the column is then ignored and listed as such). */
export function fieldOfHeader(header: string): ImportField | null {
  const trimmed = header.trim();
  if (ATTR_PREFIX.test(trimmed)) return `attr_${trimmed.slice(5)}`;
  return FIELD_OF_ALIAS.get(normalizeHeader(header)) ?? null;
}

export const isImportField = (f: string): f is ImportField =>
  (SCALAR_FIELDS as readonly string[]).includes(f) ||
  (PHONE_FIELDS as readonly string[]).includes(f) ||
  (f.startsWith('attr_') && ATTRIBUTE_KEY_PATTERN.test(f.slice(5)));

/** `customer` or `Customer Contact` → `customer_contact`; null when it is not a kind. */
export function kindOfCell(cell: string): ContactKind | null {
  const k = normalizeHeader(cell);
  if ((CONTACT_KINDS as readonly string[]).includes(k)) return k as ContactKind;
  const short: Record<string, ContactKind> = {
    customer: 'customer_contact',
    supplier: 'supplier_contact',
    sales_partner: 'sales_partner_contact',
    partner: 'sales_partner_contact',
    salesperson: 'sales_person',
  };
  return short[k] ?? null;
}

const CONSENT_VALUES: Record<string, ConsentState> = {
  yes: 'opted_in',
  y: 'opted_in',
  true: 'opted_in',
  '1': 'opted_in',
  opted_in: 'opted_in',
  opt_in: 'opted_in',
  no: 'opted_out',
  n: 'opted_out',
  false: 'opted_out',
  '0': 'opted_out',
  opted_out: 'opted_out',
  opt_out: 'opted_out',
};

/** A consent cell: a state, `null` for an empty cell (no event), `undefined` for anything else (a row error). */
export function consentOfCell(cell: string): ConsentState | null | undefined {
  const v = normalizeHeader(cell);
  if (v === '') return null;
  return CONSENT_VALUES[v];
}

/** Line breaks in a raw record (`\r\n`, `\n` and a lone `\r` count one each), to keep CSV line numbers. */
export function countLineBreaks(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (raw.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/**
 * Spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or CR may be run as a
 * formula (`=HYPERLINK(…)`, `@SUM(…)`, DDE `+cmd|…`) when the export is opened in Excel or
 * LibreOffice. Such cells get a leading `'`, which spreadsheets show as text and do not evaluate.
 * Names are stored literally — they are data; only the export neutralises them.
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * A valid E.164 number is written as is, although it starts with `+`: it is `+` followed by 1–15
 * digits and nothing else, so the most a spreadsheet can make of it is the number itself (Excel
 * reads `+4915123456789` as the numeric constant 4915123456789) — no function call, no cell
 * reference, no DDE. A leading `'` would corrupt the number for every program that re-reads the
 * file (including our own import). Anything else in a phone column is neutralised like any cell.
 */
const E164 = /^\+[1-9]\d{1,14}$/;
export const phoneCell = (value: string | null | undefined) =>
  value == null ? '' : E164.test(value) ? value : neutralizeCell(value);
