import fs from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.js';
import { ATTRIBUTE_KEY_PATTERN } from '../../core/template/index.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import {
  type Delimiter,
  detectDelimiter,
  fieldOfHeader,
  type ImportField,
  isImportField,
  normalizeHeader,
  PHONE_FIELDS,
} from './contacts.csv.js';
import { MAX_ATTRIBUTES } from './contacts.schemas.js';
import type { ContactKind } from './contacts.table.js';

/** What the uploader asked for. */
export interface ImportOptions {
  orgUnitId: string;
  /** `auto` looks at the header line. */
  delimiter: 'auto' | Delimiter;
  /** Field → CSV header. When given it is the whole mapping: other columns are ignored. */
  mapping?: Record<string, string> | undefined;
  /** The uploader's statement of how consent was collected; required with a consent column. */
  attestation?: string | undefined;
  /** Kind of rows without a kind cell. Default `other`. */
  defaultKind?: ContactKind | undefined;
}

/** A file checked far enough to start: the header is understood and the options are consistent. */
export interface ImportPlan {
  file: string;
  bytesTotal: number;
  orgUnitId: string;
  /** Phone numbers without `+` are read in this region (the org unit's). */
  region: string;
  delimiter: Delimiter;
  headers: string[];
  /** Field → column index. */
  columns: Map<ImportField, number>;
  ignoredColumns: string[];
  attestation: string | null;
  defaultKind: ContactKind;
}

/** The header must end within this many bytes; longer means the file is not a contact CSV. */
const HEAD_BYTES = 64 * 1024;

const invalidCsv = (message: string) => new AppError('import.invalid_csv', message);

/**
 * Checks everything that can be checked before a single row is written: permission, org unit,
 * header line, column mapping, consent attestation. Throws a 4xx AppError; writes nothing.
 */
export async function prepareImport({
  db,
  principal,
  file,
  options,
}: {
  db: Kysely<Database>;
  principal: Principal;
  file: string;
  options: ImportOptions;
}): Promise<ImportPlan> {
  requirePermission(principal, 'contacts.manage');
  const unit = await findOrgUnit(db, principal.orgScope, options.orgUnitId);
  if (!unit) throw new AppError('org_unit.not_found', 'No such org unit.', { id: options.orgUnitId });

  const { head, bytesTotal } = await readHead(file);
  const delimiter = options.delimiter === 'auto' ? detectDelimiter(head) : options.delimiter;
  const headers = parseHeader(head, delimiter, bytesTotal);
  const columns = options.mapping ? mappedColumns(options.mapping, headers) : recognizedColumns(headers);
  const used = new Set(columns.values());

  if (!columns.has('name') && !columns.has('first_name') && !columns.has('last_name')) {
    throw invalidCsv(
      `The header line has no name column (found: ${preview(headers)}). The first line must name the columns, e.g. name,mobile — or pass a mapping.`,
    );
  }
  if (!PHONE_FIELDS.some((f) => columns.has(f))) {
    throw invalidCsv(
      `The header line has no phone column (found: ${preview(headers)}). Name one mobile, phone or phone2 — or pass a mapping.`,
    );
  }
  const attributeColumns = [...columns.keys()].filter((f) => f.startsWith('attr_')).length;
  if (attributeColumns > MAX_ATTRIBUTES) {
    throw invalidCsv(
      `The file has ${attributeColumns} attribute columns; a contact has at most ${MAX_ATTRIBUTES}.`,
    );
  }
  const attestation = options.attestation?.trim() || null;
  if (columns.has('consent') && !attestation) {
    throw new AppError(
      'validation.failed',
      'The file has a consent column: say how the consent was collected in `attestation` (it is kept as evidence).',
      { issues: [{ path: ['attestation'], message: 'required with a consent column' }] },
    );
  }
  return {
    file,
    bytesTotal,
    orgUnitId: unit.id,
    region: unit.default_region,
    delimiter,
    headers,
    columns,
    ignoredColumns: headers.filter((_, i) => !used.has(i)),
    attestation,
    defaultKind: options.defaultKind ?? 'other',
  };
}

async function readHead(file: string): Promise<{ head: string; bytesTotal: number }> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { head: buffer.subarray(0, bytesRead).toString('utf8'), bytesTotal: size };
  } finally {
    await handle.close();
  }
}

/** The first record's fields; the header line must end within {@link HEAD_BYTES}. */
function parseHeader(head: string, delimiter: Delimiter, bytesTotal: number): string[] {
  const end = endOfFirstRecord(head);
  if (end === -1 && bytesTotal > HEAD_BYTES) {
    throw invalidCsv('The first line is longer than 64 KiB: this is not a CSV file with a header line.');
  }
  const text = end === -1 ? head : head.slice(0, end);
  let record: string[] | undefined;
  try {
    record = (parse(text, { delimiter, bom: true, relax_quotes: true }) as string[][])[0];
  } catch {
    throw invalidCsv('The header line is not valid CSV.');
  }
  if (!record || record.every((h) => h.trim() === '')) throw invalidCsv('The file is empty: no header line.');
  return record.map((h) => h.trim());
}

/** Index of the first line break outside quotes, or -1. */
function endOfFirstRecord(head: string): number {
  let quoted = false;
  for (let i = 0; i < head.length; i++) {
    const ch = head[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) return i;
  }
  return -1;
}

const preview = (headers: readonly string[]) =>
  headers
    .slice(0, 8)
    .map((h) => JSON.stringify(h.length > 30 ? `${h.slice(0, 30)}…` : h))
    .join(', ') + (headers.length > 8 ? ', …' : '');

/** Without a mapping: every header recognised by name; two headers meaning one field is an error. */
function recognizedColumns(headers: readonly string[]): Map<ImportField, number> {
  const columns = new Map<ImportField, number>();
  for (const [i, header] of headers.entries()) {
    const field = fieldOfHeader(header);
    if (!field) continue;
    if (field.startsWith('attr_') && !ATTRIBUTE_KEY_PATTERN.test(field.slice(5))) {
      throw invalidCsv(
        `Column ${JSON.stringify(header)}: an attribute key starts with a letter or _ and contains only letters, digits, _ and -.`,
      );
    }
    const taken = columns.get(field);
    if (taken !== undefined) {
      throw invalidCsv(
        `Columns ${JSON.stringify(headers[taken])} and ${JSON.stringify(header)} both mean ${field}: pass a mapping to choose.`,
      );
    }
    columns.set(field, i);
  }
  return columns;
}

/** With a mapping: exactly the listed fields, each from the named header (case and spacing ignored). */
function mappedColumns(
  mapping: Record<string, string>,
  headers: readonly string[],
): Map<ImportField, number> {
  const columns = new Map<ImportField, number>();
  const normalized = headers.map(normalizeHeader);
  for (const [field, header] of Object.entries(mapping)) {
    if (!isImportField(field)) {
      throw new AppError('validation.failed', `mapping: ${JSON.stringify(field)} is not a contact field.`, {
        issues: [{ path: ['mapping', field], message: 'unknown field' }],
      });
    }
    const i = normalized.indexOf(normalizeHeader(header));
    if (i === -1) {
      throw invalidCsv(`mapping: the file has no column ${JSON.stringify(header)} (for ${field}).`);
    }
    columns.set(field, i);
  }
  return columns;
}

/** Parses the `mapping` parameter: a JSON object of field → header text. */
export function parseMapping(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !Object.values(value).every((v) => typeof v === 'string' && v.length <= 200)
  ) {
    throw new AppError('validation.failed', 'mapping: expected a JSON object from field to column header.', {
      issues: [{ path: ['mapping'], message: 'expected a JSON object of strings' }],
    });
  }
  return value as Record<string, string>;
}
