import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { neutralizeCell, phoneCell } from './contacts.csv.js';
import {
  type ContactPhoneRow,
  type ContactRow,
  listContacts,
  phonesOfContacts,
} from './contacts.repository.js';
import { type ContactSearch, contactFilter } from './contacts.usecases.js';

/** Column names match what the import recognises, so an export can be edited and imported again. */
const HEADER = [
  'id',
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
  'org_unit_id',
  'phone',
  'phone2',
  'phone3',
  'attributes',
  'created_at',
  'updated_at',
];
const PAGE = 500;

function csvRow(c: ContactRow, phones: readonly ContactPhoneRow[]): string[] {
  const ordered = [...phones].sort(
    (a, b) => Number(Boolean(b.is_primary)) - Number(Boolean(a.is_primary)) || a.position - b.position,
  );
  const text = (v: string | null) => neutralizeCell(v ?? '');
  return [
    c.id,
    text(c.name),
    text(c.first_name),
    text(c.last_name),
    c.kind,
    text(c.party),
    text(c.department),
    text(c.branch),
    text(c.status),
    text(c.locale),
    text(c.timezone),
    c.org_unit_id,
    phoneCell(ordered[0]?.e164 ?? ordered[0]?.original),
    phoneCell(ordered[1]?.e164 ?? ordered[1]?.original),
    phoneCell(ordered[2]?.e164 ?? ordered[2]?.original),
    // JSON starts with `{`, which no spreadsheet evaluates, whatever the values inside.
    c.attributes,
    c.created_at,
    c.updated_at,
  ];
}

/**
 * The contacts matching the filters as CSV (UTF-8 with BOM so Excel reads the encoding; CRLF as RFC
 * 4180 says), streamed page by page so any number of contacts costs the memory of one page.
 * Permission and filters are checked before the first byte, so those errors are ordinary problems.
 */
export async function exportContactsCsv({
  db,
  principal,
  search,
  logger,
}: {
  db: Kysely<Database>;
  principal: Principal;
  search: ContactSearch;
  logger: Logger;
}): Promise<ReadableStream<Uint8Array>> {
  requirePermission(principal, 'contacts.read');
  const filter = await contactFilter(db, principal.orgScope, search);
  const encoder = new TextEncoder();
  let after: { name: string; id: string } | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(`\uFEFF${stringify([HEADER], { record_delimiter: '\r\n' })}`));
          return;
        }
        const rows = await listContacts(db, principal.orgScope, filter, {
          limit: PAGE,
          ...(after ? { after } : {}),
        });
        if (rows.length === 0) {
          controller.close();
          return;
        }
        const phones = await phonesOfContacts(
          db,
          rows.map((r) => r.id),
        );
        const records = rows.map((r) => csvRow(r, phones.get(r.id) ?? []));
        controller.enqueue(encoder.encode(stringify(records, { record_delimiter: '\r\n' })));
        const last = rows.at(-1)!;
        after = { name: last.name, id: last.id };
        if (rows.length < PAGE) controller.close();
      } catch (e) {
        logger.error('contact export failed', { error: e instanceof Error ? e.message : String(e) });
        controller.error(e);
      }
    },
  });
}
