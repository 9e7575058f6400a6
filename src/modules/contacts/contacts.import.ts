import fs from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import type { Principal } from '../auth/auth.permissions.js';
import { recordConsentEvent } from '../consent/consent.usecases.js';
import { countLineBreaks } from './contacts.csv.js';
import { type ImportOptions, type ImportPlan, prepareImport } from './contacts.import-plan.js';
import { type ImportDraft, type RowProblem, rowToDraft } from './contacts.import-row.js';
import {
  type ContactRow,
  type ImportJobRow,
  insertContacts,
  insertImportJob,
  insertPhones,
  insertRowErrors,
  numbersInUnit,
  updateImportJob,
} from './contacts.repository.js';

/** Counters of a running or finished import, as the job row and the progress callback report them. */
export interface ImportProgress {
  rowsTotal: number;
  rowsImported: number;
  rowsDuplicate: number;
  rowsFailed: number;
  bytesRead: number;
  bytesTotal: number;
}

export interface ImportResult extends ImportProgress {
  state: 'done' | 'failed';
  /** Why the import stopped early (`failed`); rows before that point were imported. */
  error: string | null;
}

/** Rows per transaction: big enough to amortise the commit, small enough to show progress often. */
export const IMPORT_CHUNK_ROWS = 1000;
/** A chunk is also written once its rows hold this much raw text, so memory stays bounded. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Longest CSV record; a longer one (a binary file, a wrong delimiter) stops the import. */
const MAX_RECORD_BYTES = 64 * 1024;
/** Raw row text kept with a row error. */
const RAW_KEPT = 1000;

/** Creates the job row (state `running`) for a prepared plan. */
export async function createImportJob({
  db,
  clock,
  principal,
  plan,
  source,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  plan: ImportPlan;
  source: 'api' | 'cli';
}): Promise<ImportJobRow> {
  const row: ImportJobRow = {
    id: newId(),
    org_unit_id: plan.orgUnitId,
    created_by: principal.id,
    state: 'running',
    options: JSON.stringify({
      source,
      delimiter: plan.delimiter,
      columns: Object.fromEntries([...plan.columns].map(([field, i]) => [field, plan.headers[i]])),
      ignoredColumns: plan.ignoredColumns,
      consentColumn: plan.columns.has('consent'),
      attestation: plan.attestation,
      defaultKind: plan.defaultKind,
      bytesTotal: plan.bytesTotal,
    }),
    rows_total: 0,
    rows_imported: 0,
    rows_duplicate: 0,
    rows_failed: 0,
    bytes_read: 0,
    error: null,
    created_at: clock.now().toISOString(),
    finished_at: null,
  };
  await insertImportJob(db, row);
  return row;
}

/**
 * Streams the file through csv-parse and writes it in chunks, one transaction each: valid, new rows
 * become contacts (with phones and, with a consent column, consent events); the others become row
 * errors — nothing is dropped silently. The job row carries the counters after every chunk and
 * `onProgress` hears them. Memory stays bounded by the chunk, whatever the file size.
 *
 * Never throws for bad input: a broken CSV structure (an unclosed quote, a binary file) records a row
 * error where it happened and ends the job `failed`, keeping the rows written before it.
 */
export async function runImport({
  db,
  clock,
  principal,
  jobId,
  plan,
  logger,
  onProgress,
  chunkRows = IMPORT_CHUNK_ROWS,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  jobId: string;
  plan: ImportPlan;
  logger?: Logger;
  onProgress?: (p: ImportProgress) => void;
  chunkRows?: number;
}): Promise<ImportResult> {
  const progress: ImportProgress = {
    rowsTotal: 0,
    rowsImported: 0,
    rowsDuplicate: 0,
    rowsFailed: 0,
    bytesRead: 0,
    bytesTotal: plan.bytesTotal,
  };
  const source = fs.createReadStream(plan.file);
  const parser = parse({
    delimiter: plan.delimiter,
    bom: true,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);

  let drafts: ImportDraft[] = [];
  let problems: RowProblem[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    progress.bytesRead = parser.info.bytes;
    await writeChunk({ db, clock, principal, jobId, plan, drafts, problems, progress });
    drafts = [];
    problems = [];
    pendingBytes = 0;
    onProgress?.({ ...progress });
  };

  let nextLine = 1;
  let rowNumber = 0;
  let header = true;
  let error: string | null = null;
  try {
    try {
      for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
        const line = nextLine;
        nextLine += countLineBreaks(raw);
        if (header) {
          header = false;
          continue;
        }
        if (record.every((cell) => cell.trim() === '')) continue; // blank lines are not rows
        rowNumber++;
        const draft = rowToDraft({ record, plan, rowNumber, line, raw: raw.slice(0, RAW_KEPT) });
        if (draft.ok) drafts.push(draft);
        else problems.push(draft);
        pendingBytes += raw.length;
        if (drafts.length + problems.length >= chunkRows || pendingBytes >= CHUNK_BYTES) await flush();
      }
    } catch (e) {
      if (!(e instanceof CsvError)) throw e;
      error = `The file is not valid CSV from line ${nextLine} on (${csvReason(e)}); the rows before it were imported, nothing after it was read.`;
      problems.push({
        ok: false,
        rowNumber: rowNumber + 1,
        line: nextLine,
        kind: 'invalid_csv',
        message: csvReason(e),
        raw: null,
      });
    }
    await flush();
  } catch (e) {
    logger?.error('contact import failed', { jobId, error: e instanceof Error ? e.message : String(e) });
    error = 'The import stopped because of an internal error; the rows before it were imported.';
  } finally {
    source.destroy();
  }
  const state = error ? 'failed' : 'done';
  await updateImportJob(db, jobId, { state, error, finished_at: clock.now().toISOString() });
  return { ...progress, state, error };
}

function csvReason(e: CsvError): string {
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by other characters';
    case 'CSV_MAX_RECORD_SIZE':
      return `a row is longer than ${MAX_RECORD_BYTES / 1024} KiB — is this a CSV file?`;
    default:
      return 'malformed CSV';
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
/** Row errors quote the file, which may hold NUL and other control bytes (PostgreSQL refuses NUL in text). */
const visible = (s: string) => s.replace(CONTROL, '\uFFFD');

/** One transaction: dedupe, insert contacts and phones, consent events, row errors, job counters. */
async function writeChunk({
  db,
  clock,
  principal,
  jobId,
  plan,
  drafts,
  problems,
  progress,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  jobId: string;
  plan: ImportPlan;
  drafts: readonly ImportDraft[];
  problems: RowProblem[];
  progress: ImportProgress;
}): Promise<void> {
  const committed = await db.transaction().execute(async (trx) => {
    // A row is a duplicate when its primary number belongs to a contact of the unit — one written
    // before (earlier chunks of this file are committed already) or an earlier row of this chunk.
    const existing = await numbersInUnit(
      trx,
      plan.orgUnitId,
      drafts.map((d) => d.phones[0]!.e164),
    );
    const earlierRow = new Map<string, number>();
    const now = clock.now().toISOString();
    const contacts: ContactRow[] = [];
    const phones: Parameters<typeof insertPhones>[1][number][] = [];
    const consents: { e164: string; draft: ImportDraft }[] = [];
    for (const d of drafts) {
      const primary = d.phones[0]!.e164;
      const owner = existing.get(primary);
      const row = earlierRow.get(primary);
      if (owner !== undefined || row !== undefined) {
        problems.push({
          ok: false,
          rowNumber: d.rowNumber,
          line: d.line,
          kind: 'duplicate',
          message:
            owner !== undefined
              ? `${primary} already belongs to contact ${owner} of this org unit`
              : `${primary} is already on row ${row} of this file`,
          raw: d.raw,
        });
        continue;
      }
      const id = newId();
      contacts.push({ ...d.contact, id, org_unit_id: plan.orgUnitId, created_at: now, updated_at: now });
      for (const [position, p] of d.phones.entries()) {
        phones.push({ ...p, id: newId(), contact_id: id, org_unit_id: plan.orgUnitId, position });
        if (!earlierRow.has(p.e164)) earlierRow.set(p.e164, d.rowNumber);
        if (d.consent) consents.push({ e164: p.e164, draft: d });
      }
    }
    await insertContacts(trx, contacts);
    await insertPhones(trx, phones);
    for (const { e164, draft } of consents) {
      await recordConsentEvent({
        db: trx,
        clock,
        event: {
          e164,
          state: draft.consent!,
          source: 'import',
          actor: { type: principal.kind, id: principal.id },
          evidence: { importJobId: jobId, attestation: plan.attestation, rowNumber: draft.rowNumber },
        },
      });
    }
    const errors = problems.map((p) => ({
      job_id: jobId,
      row_number: p.rowNumber,
      line_number: p.line,
      kind: p.kind,
      message: visible(p.message),
      raw: p.raw === null ? null : visible(p.raw),
    }));
    await insertRowErrors(trx, errors);
    const duplicates = problems.filter((p) => p.kind === 'duplicate').length;
    const next = {
      ...progress,
      rowsTotal: progress.rowsTotal + drafts.length + problems.length - duplicates,
      rowsImported: progress.rowsImported + contacts.length,
      rowsDuplicate: progress.rowsDuplicate + duplicates,
      rowsFailed: progress.rowsFailed + problems.length - duplicates,
    };
    await updateImportJob(trx, jobId, {
      rows_total: next.rowsTotal,
      rows_imported: next.rowsImported,
      rows_duplicate: next.rowsDuplicate,
      rows_failed: next.rowsFailed,
      bytes_read: next.bytesRead,
    });
    return next;
  });
  // Counted only once committed, so the counters never include a chunk that was rolled back.
  Object.assign(progress, committed);
}

/** Prepares, creates the job and runs it to the end in this process (the CLI and the benchmark). */
export async function importContactsFile({
  db,
  clock,
  principal,
  file,
  options,
  logger,
  onProgress,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  file: string;
  options: ImportOptions;
  logger?: Logger;
  onProgress?: (p: ImportProgress) => void;
}): Promise<{ jobId: string; result: ImportResult }> {
  const plan = await prepareImport({ db, principal, file, options });
  const job = await createImportJob({ db, clock, principal, plan, source: 'cli' });
  const result = await runImport({
    db,
    clock,
    principal,
    jobId: job.id,
    plan,
    ...(logger ? { logger } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  return { jobId: job.id, result };
}
