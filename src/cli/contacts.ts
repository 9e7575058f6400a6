import fs from 'node:fs';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { Database } from '../db/database.js';
import { migrateToLatest } from '../db/db.js';
import { SYSTEM_PRINCIPAL } from '../modules/auth/auth.system.js';
import type { Delimiter } from '../modules/contacts/contacts.csv.js';
import { type ImportProgress, importContactsFile } from '../modules/contacts/contacts.import.js';
import { parseMapping } from '../modules/contacts/contacts.import-plan.js';
import { listRowErrors } from '../modules/contacts/contacts.repository.js';
import { CONTACT_KINDS, type ContactKind } from '../modules/contacts/contacts.table.js';
import { openDatabase } from '../start.js';

interface ImportCliOptions {
  orgUnit: string;
  delimiter: string;
  mapping?: string;
  attestation?: string;
  kind: string;
}

/** Rows between two progress lines when stderr is not a terminal. */
const PLAIN_PROGRESS_EVERY = 10_000;
const ERRORS_SHOWN = 20;

export function registerContacts(program: Command) {
  const contacts = program.command('contacts').description('Manage contacts (contacts import)');
  contacts
    .command('import')
    .description('Import contacts from a CSV file straight into the database (same rules as the API)')
    .argument('<file>', 'CSV file with a header line (UTF-8; , ; or tab delimited)')
    .requiredOption('--org-unit <id>', 'org unit the contacts belong to (its id, or its exact name)')
    .option('--delimiter <char>', 'auto, ",", ";" or tab', 'auto')
    .option('--mapping <json>', 'JSON object field → column header, e.g. {"name":"Kunde","mobile":"Handy"}')
    .option('--attestation <text>', 'how consent was collected (required when the file has a consent column)')
    .option('--kind <kind>', `kind of rows without one (${CONTACT_KINDS.join(', ')})`, 'other')
    .action(async (file: string, opts: ImportCliOptions) => {
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        throw new AppError('validation.failed', `No such file: ${file}`);
      }
      const delimiter = parseDelimiter(opts.delimiter);
      if (!(CONTACT_KINDS as readonly string[]).includes(opts.kind)) {
        throw new AppError('validation.failed', `--kind must be one of ${CONTACT_KINDS.join(', ')}`);
      }
      const config = loadConfig();
      const db = openDatabase(config);
      try {
        await migrateToLatest(db);
        const orgUnitId = await resolveOrgUnit(db.kysely, opts.orgUnit);
        const bar = progressReporter(process.stderr);
        const { jobId, result } = await importContactsFile({
          db: db.kysely,
          clock: systemClock,
          principal: SYSTEM_PRINCIPAL,
          file,
          options: {
            orgUnitId,
            delimiter,
            mapping: parseMapping(opts.mapping),
            attestation: opts.attestation,
            defaultKind: opts.kind as ContactKind,
          },
          logger: createLogger(config.logLevel, (l) => process.stderr.write(l)),
          onProgress: bar.update,
        });
        bar.end();
        console.log(
          `Import ${jobId} ${result.state}: ${result.rowsTotal} rows — ${result.rowsImported} imported, ${result.rowsDuplicate} duplicate, ${result.rowsFailed} failed.`,
        );
        if (result.error) console.error(result.error);
        const errors = await listRowErrors(db.kysely, jobId, { limit: ERRORS_SHOWN });
        if (errors.length > 0) {
          const more = result.rowsFailed + result.rowsDuplicate - errors.length;
          console.log(`Rows not imported${more > 0 ? ` (first ${ERRORS_SHOWN})` : ''}:`);
          for (const e of errors) {
            console.log(`  row ${e.row_number} (line ${e.line_number ?? '?'}) ${e.kind}: ${e.message}`);
          }
          if (more > 0) console.log(`  … and ${more} more: GET /api/contacts/imports/${jobId}/errors`);
        }
        if (result.rowsFailed > 0 || result.state === 'failed') process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}

function parseDelimiter(value: string): 'auto' | Delimiter {
  if (value === 'tab' || value === '\\t' || value === '\t') return '\t';
  if (value === 'auto' || value === ',' || value === ';') return value;
  throw new AppError('validation.failed', '--delimiter must be auto, ",", ";" or tab');
}

/** An id, or failing that the exact (case-insensitive) name of exactly one unit. */
async function resolveOrgUnit(db: Kysely<Database>, idOrName: string): Promise<string> {
  const byId = await db.selectFrom('org_units').select('id').where('id', '=', idOrName).executeTakeFirst();
  if (byId) return byId.id;
  const byName = await db
    .selectFrom('org_units')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', idOrName.toLowerCase()))
    .execute();
  if (byName.length === 1) return byName[0]!.id;
  throw new AppError(
    'org_unit.not_found',
    byName.length > 1
      ? `Several org units are named "${idOrName}": pass the id.`
      : `No org unit with the id or name "${idOrName}".`,
    { id: idOrName },
  );
}

/** A redrawn bar on a terminal; otherwise a plain line every {@link PLAIN_PROGRESS_EVERY} rows. */
function progressReporter(out: NodeJS.WriteStream) {
  let lastPlain = 0;
  const describe = (p: ImportProgress) =>
    `${p.rowsTotal} rows (${p.rowsImported} imported, ${p.rowsDuplicate} duplicate, ${p.rowsFailed} failed)`;
  return {
    update(p: ImportProgress) {
      const share = p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : 1;
      if (out.isTTY) {
        const width = 30;
        const filled = Math.round(share * width);
        out.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${describe(p)}`,
        );
      } else if (p.rowsTotal - lastPlain >= PLAIN_PROGRESS_EVERY) {
        lastPlain = p.rowsTotal;
        out.write(`progress: ${Math.floor(share * 100)}% ${describe(p)}\n`);
      }
    },
    end() {
      if (out.isTTY) out.write('\n');
    },
  };
}
