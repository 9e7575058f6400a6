/**
 * Contact import speed: our whole CSV import (`importContactsFile`: streaming csv-parse, the same
 * schema validation as the API, libphonenumber parsing of every number, dedupe by number within the
 * org unit, chunked transactions through Kysely, progress on the job row) against the raw speed of
 * the database for the same rows: csv-parse plus plain better-sqlite3 prepared INSERTs into the same
 * tables, one transaction per 1,000 rows, no validation, no dedupe. Both run on a fresh SQLite file
 * (WAL, synchronous=NORMAL, the real migrations) under os.tmpdir(), in the same process, alternating.
 *
 * Run: npx tsx bench/contacts-import.bench.ts [rows]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { parse } from 'csv-parse';
import { systemClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { migrateToLatest, openDb } from '../src/db/db.js';
import { SYSTEM_PRINCIPAL } from '../src/modules/auth/auth.system.js';
import { importContactsFile } from '../src/modules/contacts/contacts.import.js';

export interface BenchRow {
  case: string;
  /** rows per second */
  ours: number;
  /** rows per second */
  reference: number;
  /** reference time / our time: how many times slower than bare inserts we are */
  ratio: number;
  target: string;
  pass: boolean;
}

/**
 * We do what the reference skips — per row a zod validation and a libphonenumber parse (together
 * roughly the cost of the INSERTs themselves) plus one dedupe query per chunk — so a few times
 * slower is expected; more than this means something is wrong (a query per row, a lost transaction).
 */
const MAX_RATIO = 4;
const ROUNDS = 2;
const CHUNK = 1000;

const HEADER = 'name,first_name,last_name,mobile,kind,party,department,attr_customer_no';

function writeCsv(file: string, rows: number): void {
  const out = fs.openSync(file, 'w');
  let buf = `${HEADER}\n`;
  for (let i = 0; i < rows; i++) {
    const first = `Vorname${i % 997}`;
    const last = `Nachname${i}`;
    buf += `${first} ${last},${first},${last},+49151${String(10_000_000 + i)},customer_contact,Firma ${i % 503} GmbH,Vertrieb,C-${i}\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(out, buf);
      buf = '';
    }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
}

/** A migrated SQLite file with one org unit; returns its path and the unit id. */
async function freshDb(dir: string, name: string): Promise<{ file: string; unitId: string }> {
  const file = path.join(dir, `${name}-${newId()}.db`);
  const db = openDb({ kind: 'sqlite', file });
  await migrateToLatest(db);
  const unitId = newId();
  const now = new Date().toISOString();
  await db.kysely
    .insertInto('org_units')
    .values({
      id: unitId,
      parent_id: null,
      name: 'Bench',
      default_region: 'DE',
      timezone: 'Europe/Berlin',
      sending_enabled: true,
      sender_config_id: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.close();
  return { file, unitId };
}

async function ours(dir: string, csv: string): Promise<{ ms: number; imported: number }> {
  const { file, unitId } = await freshDb(dir, 'ours');
  const db = openDb({ kind: 'sqlite', file });
  try {
    const start = performance.now();
    const { result } = await importContactsFile({
      db: db.kysely,
      clock: systemClock,
      principal: SYSTEM_PRINCIPAL,
      file: csv,
      options: { orgUnitId: unitId, delimiter: 'auto' },
    });
    return { ms: performance.now() - start, imported: result.rowsImported };
  } finally {
    await db.close();
  }
}

async function reference(dir: string, csv: string): Promise<{ ms: number; imported: number }> {
  const { file, unitId } = await freshDb(dir, 'reference');
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  try {
    const start = performance.now();
    const insertContact = db.prepare(
      `insert into contacts (id, org_unit_id, kind, name, first_name, last_name, party, department, branch,
         status, locale, timezone, attributes, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, null, null, null, null, ?, ?, ?)`,
    );
    const insertPhone = db.prepare(
      `insert into contact_phones (id, contact_id, org_unit_id, label, is_primary, e164, country, line_type, original, position)
       values (?, ?, ?, 'mobile', 1, ?, null, null, ?, 0)`,
    );
    const writeChunk = db.transaction((rows: string[][]) => {
      const now = new Date().toISOString();
      for (const [name, first, last, mobile, kind, party, department, customerNo] of rows) {
        const id = newId();
        insertContact.run(
          id,
          unitId,
          kind,
          name,
          first,
          last,
          party,
          department,
          JSON.stringify({ customer_no: customerNo }),
          now,
          now,
        );
        insertPhone.run(newId(), id, unitId, mobile, mobile);
      }
    });
    let chunk: string[][] = [];
    let imported = 0;
    const parser = fs.createReadStream(csv).pipe(parse({ from_line: 2 }));
    for await (const record of parser as AsyncIterable<string[]>) {
      chunk.push(record);
      if (chunk.length === CHUNK) {
        writeChunk(chunk);
        imported += chunk.length;
        chunk = [];
      }
    }
    writeChunk(chunk);
    imported += chunk.length;
    return { ms: performance.now() - start, imported };
  } finally {
    db.close();
  }
}

export async function run(rows = 100_000): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-import-'));
  try {
    const csv = path.join(dir, 'contacts.csv');
    writeCsv(csv, rows);
    const times = { ours: [] as number[], reference: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first so both see the same machine noise and page cache.
      const order = round % 2 === 0 ? (['reference', 'ours'] as const) : (['ours', 'reference'] as const);
      for (const side of order) {
        const r = side === 'ours' ? await ours(dir, csv) : await reference(dir, csv);
        if (r.imported !== rows) throw new Error(`${side} imported ${r.imported} of ${rows} rows`);
        times[side].push(r.ms);
      }
    }
    const oursMs = Math.min(...times.ours);
    const referenceMs = Math.min(...times.reference);
    const ratio = oursMs / referenceMs;
    return [
      {
        case: `import ${rows.toLocaleString('en')} CSV rows into SQLite (rows/s)`,
        ours: (rows * 1000) / oursMs,
        reference: (rows * 1000) / referenceMs,
        ratio,
        target: `ratio ≤ ${MAX_RATIO}`,
        pass: ratio <= MAX_RATIO,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(rows: readonly BenchRow[]): void {
  console.table(
    rows.map((row) => ({
      case: row.case,
      'ours (rows/s)': Math.round(row.ours),
      'reference (rows/s)': Math.round(row.reference),
      'ratio (time)': row.ratio.toFixed(2),
      target: row.target,
      result: row.pass ? 'PASS' : 'FAIL',
    })),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = Number(process.argv[2] ?? 100_000);
  const result = await run(rows);
  printTable(result);
  if (!result.every((r) => r.pass)) process.exitCode = 1;
}
