import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import { createImportJob, runImport } from './contacts.import.js';
import { type ImportOptions, prepareImport } from './contacts.import-plan.js';
import { findImportJob, type ImportJobRow, listRowErrors } from './contacts.repository.js';
import type { ImportJob, ImportRowError } from './contacts.schemas.js';

export const toImportJob = (r: ImportJobRow): ImportJob => {
  const o = JSON.parse(r.options) as {
    delimiter: string;
    columns: Record<string, string>;
    ignoredColumns: string[];
    consentColumn: boolean;
    defaultKind: string;
    bytesTotal?: number;
  };
  return {
    id: r.id,
    orgUnitId: r.org_unit_id,
    state: r.state as ImportJob['state'],
    createdBy: r.created_by,
    rowsTotal: r.rows_total,
    rowsImported: r.rows_imported,
    rowsDuplicate: r.rows_duplicate,
    rowsFailed: r.rows_failed,
    bytesRead: r.bytes_read,
    bytesTotal: o.bytesTotal ?? null,
    error: r.error,
    options: {
      delimiter: o.delimiter,
      columns: o.columns,
      ignoredColumns: o.ignoredColumns,
      consentColumn: o.consentColumn,
      defaultKind: o.defaultKind,
    },
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
};

/** Where uploads wait for their import; each file is removed when its import ends. */
export const importSpoolDir = (dataDir: string) => path.resolve(dataDir, 'imports');

/**
 * Writes the request body to a file, counting bytes as they pass: a body over `maxBytes` stops the
 * copy at once (`413`) and leaves no file. The body is never held in memory as a whole.
 */
async function spoolBody(body: ReadableStream<Uint8Array> | null, file: string, maxBytes: number) {
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        done(
          new AppError('request.too_large', `The upload is larger than ${maxBytes} bytes.`, {
            limitBytes: maxBytes,
          }),
        );
      } else done(null, chunk);
    },
  });
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Opened synchronously: a stream that opens its file lazily could create it after a failed copy
  // has already removed it.
  const out = fs.createWriteStream(file, { fd: fs.openSync(file, 'w', 0o600) });
  try {
    await pipeline(
      body ? Readable.fromWeb(body as import('node:stream/web').ReadableStream) : Readable.from([]),
      limit,
      out,
    );
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
}

/**
 * Starts an import from an uploaded CSV: checks the caller and the org unit before reading the
 * body, streams the body to a file in the data directory, checks the header (a bad one answers
 * 422 and writes nothing), creates the job and runs it in the background. Returns the job at
 * once; `done` settles when the import has ended (it never rejects: failures end up in the job).
 */
export async function startImportUpload({
  db,
  clock,
  logger,
  principal,
  dataDir,
  maxBytes,
  body,
  options,
}: {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  principal: Principal;
  dataDir: string;
  maxBytes: number;
  body: ReadableStream<Uint8Array> | null;
  options: ImportOptions;
}): Promise<{ job: ImportJob; done: Promise<void> }> {
  requirePermission(principal, 'contacts.manage');
  if (!(await findOrgUnit(db, principal.orgScope, options.orgUnitId))) {
    throw new AppError('org_unit.not_found', 'No such org unit.', { id: options.orgUnitId });
  }
  const file = path.join(importSpoolDir(dataDir), `${newId()}.csv`);
  await spoolBody(body, file, maxBytes);
  let job: ImportJobRow;
  try {
    const plan = await prepareImport({ db, principal, file, options });
    job = await createImportJob({ db, clock, principal, plan, source: 'api' });
    const done = runImport({ db, clock, principal, jobId: job.id, plan, logger })
      .then(() => undefined)
      .catch((e: unknown) =>
        logger.error('contact import could not record its end', {
          jobId: job.id,
          error: e instanceof Error ? e.message : String(e),
        }),
      )
      .finally(() => fs.rmSync(file, { force: true }));
    return { job: toImportJob(job), done };
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
}

const jobNotFound = (id: string) => new AppError('import.not_found', 'No such import.', { id });

export async function getImportJob({
  db,
  principal,
  id,
}: {
  db: Kysely<Database>;
  principal: Principal;
  id: string;
}): Promise<ImportJob> {
  requirePermission(principal, 'contacts.read');
  const row = await findImportJob(db, principal.orgScope, id);
  if (!row) throw jobNotFound(id);
  return toImportJob(row);
}

/** The rows that were not imported, in row order, with why. */
export async function browseImportErrors({
  db,
  principal,
  id,
  query,
}: {
  db: Kysely<Database>;
  principal: Principal;
  id: string;
  query: { limit: number; cursor?: string | undefined };
}): Promise<{ items: ImportRowError[]; nextCursor: string | null }> {
  requirePermission(principal, 'contacts.read');
  if (!(await findImportJob(db, principal.orgScope, id))) throw jobNotFound(id);
  const c = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
  const after = c ? { rowNumber: Number(c[0]), kind: c[1]! } : undefined;
  if (after && !Number.isSafeInteger(after.rowNumber)) {
    throw new AppError('validation.failed', 'The cursor is not valid; start again without it.', {
      issues: [{ path: ['cursor'], message: 'invalid cursor' }],
    });
  }
  const rows = await listRowErrors(db, id, { limit: query.limit + 1, ...(after ? { after } : {}) });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      rowNumber: r.row_number,
      lineNumber: r.line_number,
      kind: r.kind,
      message: r.message,
      raw: r.raw,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor([String(last.row_number), last.kind]) : null,
  };
}
