import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { analyzeText } from '../../core/encoding/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  compileTemplate,
  isKnownVariable,
  previewTemplate,
  SAMPLE_DATA,
  type TemplateError,
  validateVariables,
} from '../../core/template/index.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import { templateDataForContact } from './templates.data.js';
import {
  deleteTemplate,
  findContactForTemplate,
  findTemplate,
  insertTemplate,
  listTemplates,
  type TemplateRow,
  templateNameTaken,
  updateTemplate,
} from './templates.repository.js';
import type {
  CreateTemplate,
  PreviewRequest,
  PreviewResult,
  Template,
  UpdateTemplate,
} from './templates.schemas.js';
import type { MessageCategory } from './templates.table.js';

interface Deps {
  db: Kysely<Database>;
  principal: Principal;
}

/**
 * Checks a template body as it is saved: it must compile (no blocks, helpers, partials, …) and use
 * only known variables (standard ones and `contact.attributes.<key>`). Returns the variables used.
 * Throws `template.invalid` with `errors` (code, message, line, column, construct) or `variables`.
 */
export function checkTemplateBody(body: string): { variables: string[] } {
  const compiled = compileTemplate(body);
  if (!compiled.ok) throw templateInvalid(compiled.errors);
  const unknown = validateVariables(compiled.variables, isKnownVariable);
  if (unknown.length > 0) {
    throw new AppError(
      'template.invalid',
      `The template uses unknown variables: ${unknown.map((v) => `{{${v}}}`).join(', ')}.`,
      { variables: unknown },
    );
  }
  return { variables: compiled.variables };
}

function templateInvalid(errors: readonly TemplateError[]): AppError {
  return new AppError('template.invalid', `The template is not valid: ${errors[0]?.message ?? ''}`, {
    errors: errors.map(({ code, message, line, column, construct }) => ({
      code,
      message,
      line,
      column,
      construct,
    })),
  });
}

/** The counter of a body rendered with sample data (what the composer shows next to a template). */
function sampleAnalysis(body: string): Template['analysis'] {
  const preview = previewTemplate(body);
  const a = analyzeText(preview.ok ? preview.text : body);
  return {
    characters: a.characters,
    encoding: a.encoding,
    parts: a.parts.length,
    unitsLeftInPart: a.unitsLeftInPart,
    ucs2Characters: [...a.ucs2Characters],
  };
}

export const toTemplate = (r: TemplateRow): Template => ({
  id: r.id,
  orgUnitId: r.org_unit_id,
  name: r.name,
  category: r.category,
  body: r.body,
  variables: JSON.parse(r.variables) as string[],
  analysis: sampleAnalysis(r.body),
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const notFound = (id: string) => new AppError('template.not_found', 'No such template.', { id });
const nameTaken = (name: string) =>
  new AppError('template.name_taken', 'This org unit already has a template with this name.', { name });

export async function browseTemplates({
  db,
  principal,
  query,
}: Deps & {
  query: { orgUnitId?: string; category?: MessageCategory; q?: string; limit: number; cursor?: string };
}): Promise<{ items: Template[]; nextCursor: string | null }> {
  requirePermission(principal, 'templates.read');
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const rows = await listTemplates(db, principal.orgScope, {
    orgUnitId: query.orgUnitId,
    category: query.category,
    search: query.q,
    limit: query.limit + 1,
    after: c ? { name: c[0]!, id: c[1]! } : undefined,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTemplate),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.name, last.id]) : null,
  };
}

export async function getTemplate({ db, principal, id }: Deps & { id: string }): Promise<Template> {
  requirePermission(principal, 'templates.read');
  const row = await findTemplate(db, principal.orgScope, id);
  if (!row) throw notFound(id);
  return toTemplate(row);
}

/**
 * Runs a write that may hit the `(org_unit_id, lower(name))` unique index: a concurrent save of the
 * same name loses the race inside the database, and is reported as `template.name_taken` too.
 */
async function withNameGuard<T>(
  db: Kysely<Database>,
  orgUnitId: string,
  name: string,
  exceptId: string | undefined,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (!(e instanceof AppError) && (await templateNameTaken(db, orgUnitId, name, exceptId))) {
      throw nameTaken(name);
    }
    throw e;
  }
}

export async function createTemplate({
  db,
  clock,
  principal,
  input,
}: Deps & { clock: Clock; input: CreateTemplate }): Promise<Template> {
  requirePermission(principal, 'templates.manage');
  const { variables } = checkTemplateBody(input.body);
  const now = clock.now().toISOString();
  const row: TemplateRow = {
    id: newId(),
    org_unit_id: input.orgUnitId,
    name: input.name,
    category: input.category,
    body: input.body,
    variables: JSON.stringify(variables),
    created_by: principal.userId,
    created_at: now,
    updated_at: now,
  };
  await withNameGuard(db, input.orgUnitId, input.name, undefined, () =>
    db.transaction().execute(async (trx) => {
      if (!(await findOrgUnit(trx, principal.orgScope, input.orgUnitId))) {
        throw new AppError('org_unit.not_found', 'No such org unit.', { id: input.orgUnitId });
      }
      if (await templateNameTaken(trx, input.orgUnitId, input.name)) throw nameTaken(input.name);
      await insertTemplate(trx, row);
    }),
  );
  return toTemplate(row);
}

export async function changeTemplate({
  db,
  clock,
  principal,
  id,
  patch,
}: Deps & { clock: Clock; id: string; patch: UpdateTemplate }): Promise<Template> {
  requirePermission(principal, 'templates.manage');
  const checked = patch.body !== undefined ? checkTemplateBody(patch.body) : undefined;
  const current = await findTemplate(db, principal.orgScope, id);
  if (!current) throw notFound(id);
  const updated: TemplateRow = {
    ...current,
    name: patch.name ?? current.name,
    category: patch.category ?? current.category,
    body: patch.body ?? current.body,
    variables: checked ? JSON.stringify(checked.variables) : current.variables,
    updated_at: clock.now().toISOString(),
  };
  await withNameGuard(db, current.org_unit_id, updated.name, id, () =>
    db.transaction().execute(async (trx) => {
      if (!(await findTemplate(trx, principal.orgScope, id))) throw notFound(id);
      if (patch.name !== undefined && (await templateNameTaken(trx, current.org_unit_id, patch.name, id))) {
        throw nameTaken(patch.name);
      }
      await updateTemplate(trx, id, {
        name: updated.name,
        category: updated.category,
        body: updated.body,
        variables: updated.variables,
        updated_at: updated.updated_at,
      });
    }),
  );
  return toTemplate(updated);
}

export async function removeTemplate({ db, principal, id }: Deps & { id: string }): Promise<void> {
  requirePermission(principal, 'templates.manage');
  await db.transaction().execute(async (trx) => {
    if (!(await findTemplate(trx, principal.orgScope, id))) throw notFound(id);
    await deleteTemplate(trx, id);
  });
}

/**
 * Renders a body (or a saved template) for the composer: with sample data, laid over with a
 * contact's data when `contactId` is given, then with `sample`. The counter comes from
 * `analyzeText`, the same function the worker splits parts with. Unknown variables do not fail a
 * preview; they are listed (and render empty).
 */
export async function previewText({
  db,
  principal,
  input,
}: Deps & { input: PreviewRequest }): Promise<PreviewResult> {
  requirePermission(principal, 'templates.read');
  let body = input.body ?? '';
  let orgUnitId: string | undefined;
  if (input.templateId !== undefined) {
    const template = await findTemplate(db, principal.orgScope, input.templateId);
    if (!template) throw notFound(input.templateId);
    body = template.body;
    orgUnitId = template.org_unit_id;
  }
  let data: Record<string, unknown> = {};
  if (input.contactId !== undefined) {
    requirePermission(principal, 'contacts.read');
    const found = await findContactForTemplate(db, principal.orgScope, input.contactId);
    if (!found) throw new AppError('contact.not_found', 'No such contact.', { id: input.contactId });
    const unit = orgUnitId ? await findOrgUnit(db, principal.orgScope, orgUnitId) : undefined;
    const { contact, sender, org_unit } = templateDataForContact(found.contact, found.phones, {
      senderName: principal.name,
      orgUnitName: unit?.name ?? found.contact.org_unit_name,
    });
    // The document is not known before sending: the sample document stays.
    data = { contact, sender, org_unit };
  }
  for (const [group, values] of Object.entries(input.sample ?? {})) {
    const under = data[group] ?? SAMPLE_DATA[group];
    data[group] = { ...(typeof under === 'object' ? under : {}), ...values };
  }
  const preview = previewTemplate(body, data);
  if (!preview.ok) throw templateInvalid(preview.errors);
  const a = analyzeText(preview.text);
  return {
    text: a.text,
    variables: preview.variables,
    unknownVariables: preview.unknownVariables,
    characters: a.characters,
    encoding: a.encoding,
    parts: a.parts.length,
    units: a.units,
    unitsPerPart: a.unitsPerPart,
    unitsLeftInPart: a.unitsLeftInPart,
    ucs2Characters: [...a.ucs2Characters],
  };
}
