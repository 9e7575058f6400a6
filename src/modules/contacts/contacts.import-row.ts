import type { ConsentState } from '../consent/consent.table.js';
import { consentOfCell, type ImportField, kindOfCell, PHONE_FIELDS } from './contacts.csv.js';
import type { ImportPlan } from './contacts.import-plan.js';
import type { ContactRow } from './contacts.repository.js';
import { CreateContactSchema } from './contacts.schemas.js';
import { CONTACT_KINDS } from './contacts.table.js';
import { type PhoneDraft, parsePhones, phoneReasonText, statusProblem } from './contacts.validate.js';

/** A row ready to insert (unless it turns out to be a duplicate). */
export interface ImportDraft {
  ok: true;
  rowNumber: number;
  line: number;
  raw: string;
  contact: Omit<ContactRow, 'id' | 'org_unit_id' | 'created_at' | 'updated_at'>;
  /** At least one; the first is primary. */
  phones: PhoneDraft[];
  consent: ConsentState | null;
}

/** A row that is not imported, with why. */
export interface RowProblem {
  ok: false;
  rowNumber: number;
  line: number;
  kind:
    | 'invalid'
    | 'invalid_phone'
    | 'no_phone'
    | 'invalid_status'
    | 'invalid_consent'
    | 'columns'
    | 'invalid_csv'
    | 'duplicate';
  message: string;
  raw: string | null;
}

/**
 * Turns one CSV record into a contact draft with the same rules as `POST /api/contacts` (the same
 * schema validates both), plus what only files have: cells that must be recognised (kind, consent),
 * a number of fields that must match the header, and bytes that must be UTF-8.
 */
export function rowToDraft({
  record,
  plan,
  rowNumber,
  line,
  raw,
}: {
  record: readonly string[];
  plan: ImportPlan;
  rowNumber: number;
  line: number;
  raw: string;
}): ImportDraft | RowProblem {
  const problem = (kind: RowProblem['kind'], message: string): RowProblem => ({
    ok: false,
    rowNumber,
    line,
    kind,
    message,
    raw,
  });
  if (record.length !== plan.headers.length) {
    return problem(
      'columns',
      `has ${record.length} fields, the header has ${plan.headers.length} (a delimiter or quote too many or too few?)`,
    );
  }
  // csv-parse decodes UTF-8 leniently: U+FFFD marks bytes that were not UTF-8 (e.g. a Latin-1 file).
  if (record.some((cell) => cell.includes('\uFFFD'))) {
    return problem('invalid', 'contains bytes that are not UTF-8 — save the file as "CSV UTF-8"');
  }
  const cell = (field: ImportField): string | undefined => {
    const i = plan.columns.get(field);
    // Quoted fields may span lines; inside a value a line break is `\n`, whatever the file used.
    const v = i === undefined ? undefined : record[i]?.replace(/\r\n?/g, '\n').trim();
    return v ? v : undefined;
  };

  const kindCell = cell('kind');
  const kind = kindCell === undefined ? plan.defaultKind : kindOfCell(kindCell);
  if (!kind) return problem('invalid', `kind "${kindCell}" is not one of ${CONTACT_KINDS.join(', ')}`);

  const firstName = cell('first_name');
  const lastName = cell('last_name');
  const name = cell('name') ?? ([firstName, lastName].filter(Boolean).join(' ') || undefined);
  if (!name) return problem('invalid', 'has no name');

  let consent: ConsentState | null = null;
  if (plan.columns.has('consent')) {
    const c = consentOfCell(cell('consent') ?? '');
    if (c === undefined) {
      return problem(
        'invalid_consent',
        `consent "${cell('consent')}" is not one of yes, no, opted_in, opted_out, true, false`,
      );
    }
    consent = c;
  }

  const phoneInputs = PHONE_FIELDS.flatMap((f) => {
    const number = cell(f);
    return number ? [{ number, label: f }] : [];
  });
  if (phoneInputs.length === 0) return problem('no_phone', 'has no phone number');

  const attributes: Record<string, string> = {};
  for (const field of plan.columns.keys()) {
    if (!field.startsWith('attr_')) continue;
    const v = cell(field);
    if (v !== undefined) attributes[field.slice(5)] = v;
  }

  const parsed = CreateContactSchema.safeParse({
    orgUnitId: plan.orgUnitId,
    kind,
    name,
    firstName,
    lastName,
    party: cell('party'),
    department: cell('department'),
    branch: cell('branch'),
    status: cell('status')?.toLowerCase(),
    locale: cell('locale'),
    timezone: cell('timezone'),
    attributes,
    phones: phoneInputs,
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${csvName(i.path)}: ${i.message}`);
    return problem('invalid', issues.join('; '));
  }
  const input = parsed.data;
  const status = input.status ?? null;
  const statusWhy = statusProblem(input.kind, status);
  if (statusWhy) return problem('invalid_status', `status "${status}": ${statusWhy}`);

  const phones = parsePhones(input.phones, plan.region, { collapseDuplicates: true });
  if (!phones.ok) {
    return problem(
      'invalid_phone',
      `${phoneInputs[phones.index]!.label}: "${phones.input}" is ${phoneReasonText(phones.reason)}`,
    );
  }
  return {
    ok: true,
    rowNumber,
    line,
    raw,
    contact: {
      kind: input.kind,
      name: input.name,
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      party: input.party ?? null,
      department: input.department ?? null,
      branch: input.branch ?? null,
      status,
      locale: input.locale ?? null,
      timezone: input.timezone ?? null,
      attributes: JSON.stringify(input.attributes),
    },
    phones: phones.phones,
    consent,
  };
}

/** The API's field path in the words of the CSV columns (`firstName` → `first_name`, `phones.0` → its column). */
function csvName(path: readonly PropertyKey[]): string {
  const [head, second] = path;
  if (head === 'attributes' && typeof second === 'string') return `attr_${second}`;
  if (head === 'phones') return 'phone';
  return String(head).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
